"""The preview of an import: which series feeds which indicator, and what each
would add, change or leave as it is (nothing is written)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.dates import EARLIEST, local_today
from core.extensions import db
from kpi import rules
from kpi.importers import (
    MAX_ABS_VALUE,
    ParsedExport,
    Point,
    RejectedRow,
    Series,
)
from kpi.importers.series import is_storable_period
from kpi.models import (
    KIND_LABELS,
    ImportBatch,
    Indicator,
)
from kpi.periods import period_start_for
from kpi.rules import outside_project, outside_project_warning
from kpi.services.errors import KpiInputError
from kpi.services.indicators import list_indicators
from kpi.services.measurements import (
    Plan,
    check_period,
    check_point,
    plan_columns,
    plan_values,
    to_frequency,
)
from members.models import Project

if TYPE_CHECKING:
    from kpi.importers.columns import PointColumns

#: Preview rows shown per indicator; the counts always cover every row.
SAMPLE_ROWS = 60


@dataclass
class PreviewRow:
    period_start: date
    old: Any
    new: Any
    state: str  # new | changed | unchanged
    lines: tuple[int, ...]


@dataclass
class TargetPreview:
    """One series of the file and the indicator it would feed."""

    series: Series
    indicator: Indicator | None
    compatible: list[Indicator]
    plan: Plan | None = None
    reason: str | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    sample: list[PreviewRow] = field(default_factory=list)
    #: Rows of the file the rules of :mod:`kpi.rules` refuse for this indicator.
    rejected: list[RejectedRow] = field(default_factory=list)


@dataclass
class Preview:
    export: ParsedExport
    targets: list[TargetPreview]
    warnings: list[str]
    previous_import: ImportBatch | None = None

    @property
    def counts(self) -> dict[str, int]:
        plans = [t.plan for t in self.targets if t.plan is not None]
        return {
            "new": sum(p.new_count for p in plans),
            "changed": sum(len(p.changed) for p in plans),
            "unchanged": sum(len(p.unchanged) for p in plans),
            "rejected": len(self.rejected),
        }

    @property
    def rejected(self) -> list[RejectedRow]:
        """Rows refused by the parser, then by the rules for the chosen indicators."""
        chosen = [
            r for t in self.targets if t.indicator is not None for r in t.rejected
        ]
        return [*self.export.rejected, *chosen]

    @property
    def can_confirm(self) -> bool:
        chosen = [t for t in self.targets if t.indicator is not None]
        return bool(chosen) and all(t.error is None for t in chosen)


def _compatible(series: Series, indicator: Indicator) -> bool:
    return series.is_ratio == indicator.is_ratio


#: Proposed first to an indicator of their kind: visits before users or visitors
#: (de-duplicated, they do not add up across days), the Σ of several events
#: before each event alone.
PREFERRED_SERIES = ("sessions", "visits", "visual_clicks")
#: Proposed last: counts of people, not of visits.
PEOPLE_SERIES = ("users", "visitors", "active_users", "total_users", "new_users")


def _preference(series: Series) -> int:
    if series.key in PREFERRED_SERIES:
        return 0
    return 2 if series.key in PEOPLE_SERIES else 1


def target_reason(series: Series, indicator: Indicator) -> str:
    """Why ``series`` feeds ``indicator`` by default (shown on the preview)."""
    kind = KIND_LABELS.get(indicator.kind, indicator.kind)
    if "Σ" in series.label:
        return str(
            _l(
                "« %(label)s » alimente « %(name)s » (type %(kind)s) : la somme des "
                "séries nommées, additionnées période par période.",
                label=series.label,
                name=indicator.name,
                kind=kind,
            )
        )
    if series.key in PREFERRED_SERIES[:2]:
        return str(
            _l(
                "« %(label)s » alimente « %(name)s » (type %(kind)s) : les visites "
                "sont retenues plutôt que les utilisateurs ou visiteurs, qui ne "
                "s'additionnent pas d'un jour à l'autre. Choisissez une autre série "
                "ci-dessus si besoin.",
                label=series.label,
                name=indicator.name,
                kind=kind,
            )
        )
    return str(
        _l(
            "« %(label)s » alimente « %(name)s » : même type de mesure (%(kind)s).",
            label=series.label,
            name=indicator.name,
            kind=kind,
        )
    )


def propose_targets(
    export: ParsedExport, indicators: Sequence[Indicator]
) -> dict[str, int]:
    """Which series feeds which indicator, by kind: each indicator once."""
    taken: set[int] = set()
    proposal: dict[str, int] = {}
    for series in sorted(export.series, key=_preference):
        if not series.point_count:
            continue
        for indicator in indicators:
            if (
                indicator.id not in taken
                and indicator.is_active
                and indicator.kind == series.suggested_kind
                and _compatible(series, indicator)
            ):
                proposal[series.key] = indicator.id
                taken.add(indicator.id)
                break
    if export.format == "generic":
        # The person chose the columns: feed them to the indicators in order.
        for series in export.series:
            if series.key in proposal or not series.point_count:
                continue
            for indicator in indicators:
                if (
                    indicator.id not in taken
                    and indicator.is_active
                    and _compatible(series, indicator)
                ):
                    proposal[series.key] = indicator.id
                    taken.add(indicator.id)
                    break
    return proposal


def _prepared(
    project: Project, series: Series, indicator: Indicator, *, today: date
) -> tuple[list[Point] | PointColumns, list[str], list[RejectedRow]]:
    """The series' points at the indicator's frequency that the rules of
    :mod:`kpi.rules` accept (as arrays when the series keeps them so), the
    warnings, and the rows they refuse (with the same message as the form and
    the API).  :raises KpiInputError:"""
    if not _compatible(series, indicator):
        raise KpiInputError(
            _l(
                "« %(label)s » ne peut pas alimenter « %(name)s » : l'un est un ratio "
                "(deux composantes), l'autre une valeur simple.",
                label=series.label,
                name=indicator.name,
            )
        )
    frequency = indicator.frequency.value
    if (
        series.columns is not None
        and series.granularity == frequency
        and not indicator.is_ratio
    ):
        prepared = _prepared_columns(series.columns, indicator, today=today)
        if prepared is not None:
            kept, rejected = prepared
            outside = kept.outside(project.starts_on, project.ends_on)
            return kept, _outside_warnings(project, indicator, outside), rejected
    points, warnings = to_frequency(
        series.points,
        source_granularity=series.granularity,
        indicator=indicator,
        label=series.label,
    )
    kept_points, rejected = _prepared_points(points, indicator, today=today)
    starts_on, ends_on = project.starts_on, project.ends_on
    outside = [
        p.period_start
        for p in kept_points
        if p.period_start < starts_on
        or (ends_on is not None and p.period_start > ends_on)
    ]
    warnings.extend(_outside_warnings(project, indicator, outside))
    return kept_points, warnings, rejected


def _prepared_points(
    points: list[Point], indicator: Indicator, *, today: date
) -> tuple[list[Point], list[RejectedRow]]:
    """:func:`_prepared` point by point: the points the rules accept, and the
    rows they refuse."""
    frequency = indicator.frequency.value
    kept_points: list[Point] = []
    rejected = []
    # A period between EARLIEST and the current one, and a plain value that is
    # finite, small enough and of an allowed sign, is what check_period and
    # check_point accept unchanged: checked inline (a million points), the
    # others go through the rules themselves for their message.
    current = period_start_for(today, frequency)
    plain = not indicator.is_ratio
    negative = rules.may_be_negative(indicator.kind, is_ratio=False)
    low, high = -MAX_ABS_VALUE, MAX_ABS_VALUE
    for point in points:
        value = point.value
        if (
            plain
            and EARLIEST <= point.period_start <= current
            and value is not None
            and point.numerator is None
            and point.denominator is None
            and value.is_finite()
            and low < value < high
            and (negative or value >= 0)
        ):
            kept_points.append(point)
            continue
        try:
            check_period(indicator, point.period_start, today=today)
            kept_points.append(check_point(indicator, point, parsed=True))
        except KpiInputError as error:
            rejected.append(_rejected_row(point, error))
    return kept_points, rejected


def _prepared_columns(
    columns: PointColumns, indicator: Indicator, *, today: date
) -> tuple[PointColumns, list[RejectedRow]] | None:
    """:func:`_prepared` on arrays: the same inline test, vectorised; the points
    it does not pass go through the rules one by one. None when a rule keeps
    one of those (the caller then works on points)."""
    ok = columns.plain_values(
        first=EARLIEST,
        last=period_start_for(today, indicator.frequency.value),
        negative=rules.may_be_negative(indicator.kind, is_ratio=False),
    )
    rejected: list[RejectedRow] = []
    if not ok.all():
        for point in columns.subset(~ok).to_points():
            try:
                check_period(indicator, point.period_start, today=today)
                check_point(indicator, point, parsed=True)
            except KpiInputError as error:
                rejected.append(_rejected_row(point, error))
            else:
                return None
    return columns.subset(ok), rejected


def _outside_warnings(
    project: Project, indicator: Indicator, candidates: list[date]
) -> list[str]:
    """The warning about periods outside the project, from the period starts
    before its start or after its end."""
    frequency = indicator.frequency.value
    starts_on, ends_on = project.starts_on, project.ends_on
    outside = [
        start
        for start in candidates
        if outside_project(start, frequency, starts_on=starts_on, ends_on=ends_on)
    ]
    if not outside:
        return []
    return [
        str(
            outside_project_warning(
                indicator.name,
                outside,
                frequency,
                starts_on=starts_on,
                ends_on=ends_on,
            )
        )
    ]


def _rejected_row(point: Point, error: KpiInputError) -> RejectedRow:
    """A point refused by a rule, as a rejected row naming its source lines."""
    lines = point.lines or (0,)
    if len(lines) == 1:
        reason = _l("Ligne %(line)d : %(reason)s", line=lines[0], reason=str(error))
    else:
        reason = _l(
            "Lignes %(lines)s : %(reason)s",
            lines=", ".join(str(n) for n in lines[:10])
            + ("…" if len(lines) > 10 else ""),
            reason=str(error),
        )
    return RejectedRow(lines[0], str(reason), "")


def _shown(point: Any, indicator: Indicator) -> Any:
    if indicator.is_ratio:
        return (point.value, point.numerator, point.denominator)
    return point.value


def _sample(plan: Plan, first: list[Point], indicator: Indicator) -> list[PreviewRow]:
    """The preview rows of the first points: new unless the plan found their
    period stored (changed or not)."""
    shown = {p.period_start for p in first}
    states: dict[Any, tuple[str, Any]] = {}
    for point, found in plan.changed:
        if point.period_start in shown:
            old = (
                (found.value, found.numerator, found.denominator)
                if indicator.is_ratio
                else found.value
            )
            states[point.period_start] = ("changed", old)
    for point, found in plan.unchanged:
        if point.period_start in shown:
            states[point.period_start] = ("unchanged", found.value)
    rows = []
    for point in first:
        state, old = states.get(point.period_start, ("new", None))
        rows.append(
            PreviewRow(
                point.period_start, old, _shown(point, indicator), state, point.lines
            )
        )
    return rows


def build_preview(
    project: Project,
    export: ParsedExport,
    targets: Mapping[str, int | None],
    *,
    sha256: str | None = None,
    today: date | None = None,
) -> Preview:
    """What confirming would store, change and leave, per chosen indicator."""
    indicators = list_indicators(project.member_id, project.id)
    by_id = {i.id: i for i in indicators}
    used: dict[int, str] = {}
    previews = []
    for series in export.series:
        compatible = [i for i in indicators if _compatible(series, i) and i.is_active]
        chosen_id = targets.get(series.key)
        indicator = by_id.get(chosen_id) if chosen_id is not None else None
        target = TargetPreview(series, indicator, compatible)
        previews.append(target)
        if indicator is None:
            continue
        target.reason = target_reason(series, indicator)
        if indicator.id in used:
            target.error = str(
                _l(
                    "« %(name)s » est déjà alimenté par « %(other)s » : une seule série "
                    "par indicateur.",
                    name=indicator.name,
                    other=used[indicator.id],
                )
            )
            continue
        used[indicator.id] = series.label
        if (
            not series.point_count
            and export.period is not None
            and not is_storable_period(export.period)
        ):
            # The file states a range that no indicator period can hold.
            target.error = str(
                _l(
                    "« %(label)s » n'a aucune valeur importable : la période du "
                    "fichier n'est ni un jour, ni une semaine, ni un mois (voir "
                    "l'avertissement ci-dessus).",
                    label=series.label,
                )
            )
            continue
        if not series.point_count:
            target.error = str(
                _l(
                    "« %(label)s » n'a aucune valeur datée : précisez la période du "
                    "fichier.",
                    label=series.label,
                )
            )
            continue
        try:
            points, target.warnings, target.rejected = _prepared(
                project, series, indicator, today=today or local_today()
            )
        except KpiInputError as error:
            target.error = str(error)
            continue
        if isinstance(points, list):
            target.plan = plan_values(indicator, points)
            first = points[:SAMPLE_ROWS]
        else:
            target.plan = plan_columns(indicator, points)
            first = points.to_points(0, SAMPLE_ROWS)
        target.sample = _sample(target.plan, first, indicator)
    previous = None
    if sha256 is not None:
        previous = db.session.scalar(
            select(ImportBatch)
            .where(
                ImportBatch.project_id == project.id,
                ImportBatch.sha256 == sha256,
                ImportBatch.undone_at.is_(None),
            )
            .order_by(ImportBatch.id.desc())
            .limit(1)
        )
    return Preview(export, previews, list(export.warnings), previous)
