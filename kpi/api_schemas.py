"""The KPI API's marshmallow schemas: what goes in and out of ``/api/v1``, and
what its OpenAPI document describes (apispec reads them)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from core.inputs import DB_INT_MAX
from kpi.services.api_writes import MAX_BATCH, MAX_PER_PAGE


class Amount(fields.Field[Decimal]):
    """An exact decimal: a JSON number or a string such as ``"1234.5"``."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else str(value)

    def _deserialize(
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> Decimal:
        if isinstance(value, bool) or not isinstance(
            value, int | Decimal | str | float
        ):
            raise ValidationError(_("Nombre attendu."))
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValidationError(_("Nombre attendu.")) from None
        if not number.is_finite():
            raise ValidationError(_("Nombre attendu."))
        return number


class Range(validate.Range):
    """marshmallow's range check (kept in the OpenAPI document), its message in
    the reader's language (built when it fails, inside the request)."""

    def _format_error(self, value: Any, message: str) -> str:
        if self.max is None:
            return str(_("Au moins %(min)s.", min=self.min))
        if self.min is None:
            return str(_("Nombre trop grand."))
        return str(_("Entre %(min)s et %(max)s.", min=self.min, max=self.max))


class Length(validate.Length):
    """marshmallow's length check, its message in the reader's language."""

    def _format_error(self, value: Any, message: str) -> str:
        return str(
            _(
                "De %(min)s à %(max)s éléments (%(count)d reçus).",
                min=self.min,
                max=self.max,
                count=len(value),
            )
        )


class ProblemItemSchema(Schema):
    index = fields.Integer(metadata={"description": "Position in the batch (0-based)"})
    field = fields.String(
        allow_none=True,
        metadata={"description": "The field concerned; null when none is named"},
    )
    detail = fields.String()


class ProblemSchema(Schema):
    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.List(fields.Nested(ProblemItemSchema))


class ProjectSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    client = fields.Function(lambda p: p.client.name)
    service_type = fields.Function(lambda p: p.service_type.value)
    status = fields.Function(lambda p: p.status.value)
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)


class ProjectListSchema(Schema):
    items = fields.List(fields.Nested(ProjectSchema))


class IndicatorSchema(Schema):
    id = fields.Integer()
    project_id = fields.Integer()
    kind = fields.Function(lambda i: i.kind.value)
    name = fields.String()
    unit = fields.String()
    direction = fields.Function(lambda i: i.direction.value)
    frequency = fields.Function(lambda i: i.frequency.value)
    aggregation = fields.Function(lambda i: i.aggregation.value)
    is_ratio = fields.Boolean()
    numerator_label = fields.String(allow_none=True)
    denominator_label = fields.String(allow_none=True)
    baseline_on = fields.Date(allow_none=True)
    baseline_value = Amount(allow_none=True)
    target_value = Amount(allow_none=True)
    is_active = fields.Boolean()
    version = fields.Integer()


class IndicatorListSchema(Schema):
    items = fields.List(fields.Nested(IndicatorSchema))


class MeasurementSchema(Schema):
    id = fields.Integer()
    indicator_id = fields.Integer()
    period_start = fields.Date()
    granularity = fields.Function(lambda m: m.granularity.value)
    value = Amount(allow_none=True)
    numerator = Amount(allow_none=True)
    denominator = Amount(allow_none=True)
    source = fields.Function(lambda m: m.source.value)
    updated_at = fields.AwareDateTime()


class MeasurementPageSchema(Schema):
    items = fields.List(fields.Nested(MeasurementSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    next = fields.String(allow_none=True)


class MeasurementQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    start = fields.Date(data_key="from", load_default=None)
    end = fields.Date(data_key="to", load_default=None)
    page = fields.Integer(
        load_default=1, validate=[Range(min=1), Range(max=DB_INT_MAX)]
    )
    per_page = fields.Integer(load_default=100, validate=Range(min=1, max=MAX_PER_PAGE))


class MeasurementInSchema(Schema):
    indicator_id = fields.Integer(
        required=True, strict=True, validate=Range(min=1, max=DB_INT_MAX)
    )
    period_start = fields.Date(required=True)
    value = Amount(load_default=None, allow_none=True)
    numerator = Amount(load_default=None, allow_none=True)
    denominator = Amount(load_default=None, allow_none=True)


class MeasurementBatchSchema(Schema):
    measurements = fields.List(
        fields.Nested(MeasurementInSchema),
        required=True,
        validate=Length(min=1, max=MAX_BATCH),
    )
    replace = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Replace values already stored for the same indicator "
            "and period. Without it, a request holding a different value for a "
            "stored period is refused with 409 and nothing is written (sending the "
            "same value again is not a conflict). A replaced value is kept in the "
            "history."
        },
    )


class BatchResultSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    warnings = fields.List(
        fields.String(),
        metadata={
            "description": "Stored, but worth a look: values outside their "
            "project's dates, one message per indicator."
        },
    )
