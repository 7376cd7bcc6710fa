"""Use cases of the KPI feature (each write service commits once, at the end)."""

from __future__ import annotations

from kpi.errors import ImportRefused, KpiError
from kpi.services.agreements import (
    AgreementState,
    agreement_state,
    answer_agreement,
    describe,
    find_by_token,
    get_agreement,
    list_agreements,
    mark_opened,
    project_contacts,
    send_agreement,
    set_signature,
)
from kpi.services.api_writes import (
    MAX_BATCH,
    BatchConflict,
    BatchRefused,
    MeasurementInput,
    write_measurements,
)
from kpi.services.common import (
    get_indicator,
    get_project,
    outside_project_warning,
    parse_amount,
)
from kpi.services.errors import KpiInputError
from kpi.services.history import replaced_values
from kpi.services.imports import (
    confirm_upload,
    get_import,
    list_imports,
    measurements_of_import,
    store_import,
    undo_import,
)
from kpi.services.indicators import (
    IndicatorFields,
    create_indicator,
    defaults_for,
    list_indicators,
    update_indicator,
)
from kpi.services.measurements import (
    ValueExists,
    delete_measurement,
    get_measurement,
    list_measurements,
    recent_measurements,
    record_measurement,
)
from kpi.services.parsing import (
    Progress,
    failure_message,
    is_stale,
    read_progress,
    retry_parse,
    run_parse,
)
from kpi.services.previews import Preview, build_preview, propose_targets
from kpi.services.series import IndicatorSummary, summaries
from kpi.services.tokens import (
    authenticate_token,
    create_token,
    get_token,
    list_tokens,
    revoke_token,
)
from kpi.services.uploads import (
    PendingUpload,
    discard_upload,
    get_pending,
    list_pending,
    parse_pending,
    set_mapping,
    set_period,
    start_upload,
)

__all__ = [
    "MAX_BATCH",
    "AgreementState",
    "BatchConflict",
    "BatchRefused",
    "ImportRefused",
    "IndicatorFields",
    "IndicatorSummary",
    "KpiError",
    "KpiInputError",
    "MeasurementInput",
    "PendingUpload",
    "Preview",
    "Progress",
    "ValueExists",
    "agreement_state",
    "answer_agreement",
    "authenticate_token",
    "build_preview",
    "confirm_upload",
    "create_indicator",
    "create_token",
    "defaults_for",
    "delete_measurement",
    "describe",
    "discard_upload",
    "failure_message",
    "find_by_token",
    "get_agreement",
    "get_import",
    "get_indicator",
    "get_measurement",
    "get_pending",
    "get_project",
    "get_token",
    "is_stale",
    "list_agreements",
    "list_imports",
    "list_indicators",
    "list_measurements",
    "list_pending",
    "list_tokens",
    "mark_opened",
    "measurements_of_import",
    "outside_project_warning",
    "parse_amount",
    "parse_pending",
    "project_contacts",
    "propose_targets",
    "read_progress",
    "recent_measurements",
    "record_measurement",
    "replaced_values",
    "retry_parse",
    "revoke_token",
    "run_parse",
    "send_agreement",
    "set_mapping",
    "set_period",
    "set_signature",
    "start_upload",
    "store_import",
    "summaries",
    "undo_import",
    "update_indicator",
    "write_measurements",
]
