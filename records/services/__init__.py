"""Use cases of the records feature, one module per section of the charter.

Each write service checks its input, adds an audit entry and commits once, at
the end. Callers use ``from records import services`` and ``services.<use case>``.
"""

from __future__ import annotations

from records.errors import RecordNotFound, RecordsError
from records.services.common import notice_minimum, project_for
from records.services.costs import budget_of, record_change, set_budget
from records.services.follow_up import client_contacts, log_follow_up
from records.services.overview import (
    Records,
    portal_panel,
    project_panel,
    project_records,
)
from records.services.ownership import add_delivery, handover_of, set_handover
from records.services.reminders import (
    ReminderReport,
    items_to_remind,
    licences_to_remind,
    remind_client_item,
    remind_client_items,
    remind_licence,
    remind_licences,
)
from records.services.removal import REMOVABLE, remove_record
from records.services.scope import add_client_item, mark_item_received
from records.services.security import add_backup_plan, add_licence
from records.services.sustainability import add_technology, record_client_informed

__all__ = [
    "REMOVABLE",
    "RecordNotFound",
    "Records",
    "RecordsError",
    "ReminderReport",
    "add_backup_plan",
    "add_client_item",
    "add_delivery",
    "add_licence",
    "add_technology",
    "budget_of",
    "client_contacts",
    "handover_of",
    "items_to_remind",
    "licences_to_remind",
    "log_follow_up",
    "mark_item_received",
    "notice_minimum",
    "portal_panel",
    "project_for",
    "project_panel",
    "project_records",
    "record_change",
    "record_client_informed",
    "remind_client_item",
    "remind_client_items",
    "remind_licence",
    "remind_licences",
    "remove_record",
    "set_budget",
    "set_handover",
]
