"""File imports: upload → detect → preview → confirm (one transaction) → undo.

Between the preview and the confirmation the uploaded bytes wait in the instance
folder under a random id, with the member they belong to; the confirmation
parses those bytes again, so nothing the browser sends back is trusted but the
choice of which series feeds which indicator.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from core import audit
from core.database import utcnow
from core.extensions import db
from kpi.errors import ImportRefused
from kpi.importers import (
    MAX_BYTES,
    ColumnMapping,
    ParsedExport,
    Series,
    parse_export,
)
from kpi.models import (
    ImportBatch,
    ImportChange,
    Indicator,
    Measurement,
    Source,
)
from kpi.periods import period_start_for
from kpi.services.errors import KpiInputError
from kpi.services.indicators import list_indicators
from kpi.services.measurements import (
    Plan,
    apply_plan,
    check_point,
    plan_values,
    to_frequency,
)
from kpi.signals import notify_measurements_changed
from members.models import Project, User

_UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
PENDING_TTL = timedelta(hours=24)
#: Preview rows shown per indicator; the counts always cover every row.
SAMPLE_ROWS = 60
#: Rejected rows kept in the import history.
KEPT_REJECTIONS = 500


# ---------------------------------------------------------------- pending uploads


@dataclass
class PendingUpload:
    """An uploaded file waiting for its preview to be confirmed."""

    id: str
    member_id: int
    project_id: int
    user_id: int | None
    file_name: str
    sha256: str
    size: int
    created_at: str
    columns: list[str] = field(default_factory=list)
    mapping: dict[str, Any] | None = None
    period: list[str] | None = None

    @property
    def needs_mapping(self) -> bool:
        return self.mapping is None and bool(self.columns)

    def column_mapping(self) -> ColumnMapping | None:
        if self.mapping is None:
            return None
        return ColumnMapping(**self.mapping)

    def period_range(self) -> tuple[date, date] | None:
        if not self.period:
            return None
        return date.fromisoformat(self.period[0]), date.fromisoformat(self.period[1])


def uploads_folder() -> Path:
    folder = Path(current_app.instance_path) / "kpi-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _paths(upload_id: str) -> tuple[Path, Path]:
    folder = uploads_folder()
    return folder / f"{upload_id}.bin", folder / f"{upload_id}.json"


def _save(pending: PendingUpload) -> None:
    _bin, meta = _paths(pending.id)
    meta.write_text(json.dumps(pending.__dict__), encoding="utf-8")


def _forget_old_uploads() -> None:
    limit = time.time() - PENDING_TTL.total_seconds()
    for path in uploads_folder().glob("*"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            continue


def pending_bytes(pending: PendingUpload) -> bytes:
    path, _meta = _paths(pending.id)
    return path.read_bytes()


def discard_upload(pending: PendingUpload) -> None:
    for path in _paths(pending.id):
        path.unlink(missing_ok=True)


def start_upload(
    actor: User | None,
    project: Project,
    *,
    data: bytes,
    file_name: str,
    now: datetime | None = None,
) -> PendingUpload:
    """Keep an upload for its preview; an unknown layout waits for a mapping.

    :raises ImportRefused: wrong type, empty, too large, unreadable…
    """
    now = now or utcnow()
    columns: list[str] = []
    try:
        parse_export(data, file_name, max_bytes=MAX_BYTES)
    except ImportRefused as refusal:
        if not refusal.columns:
            raise
        columns = refusal.columns
    _forget_old_uploads()
    pending = PendingUpload(
        id=secrets.token_urlsafe(24),
        member_id=project.member_id,
        project_id=project.id,
        user_id=actor.id if actor is not None else None,
        file_name=Path(file_name or "export").name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        created_at=now.isoformat(),
        columns=columns,
    )
    path, _meta = _paths(pending.id)
    path.write_bytes(data)
    _save(pending)
    return pending


def get_pending(member_id: int | None, upload_id: str) -> PendingUpload | None:
    """The member's pending upload, or None (unknown, expired or another member's)."""
    if member_id is None or not _UPLOAD_ID.fullmatch(upload_id):
        return None
    path, meta = _paths(upload_id)
    if not path.is_file() or not meta.is_file():
        return None
    try:
        pending = PendingUpload(**json.loads(meta.read_text(encoding="utf-8")))
    except (ValueError, TypeError):
        return None
    return pending if pending.member_id == member_id else None


def set_mapping(pending: PendingUpload, mapping: ColumnMapping) -> ParsedExport:
    """Read an unknown layout through ``mapping``.  :raises ImportRefused:"""
    for name in [mapping.date_column, *mapping.value_columns]:
        if name not in pending.columns:
            raise KpiInputError(_l("Colonne inconnue : %(name)s.", name=name))
    export = parse_export(pending_bytes(pending), pending.file_name, mapping=mapping)
    pending.mapping = {
        "date_column": mapping.date_column,
        "value_columns": list(mapping.value_columns),
        "date_format": mapping.date_format,
        "decimal_separator": mapping.decimal_separator,
        "granularity": mapping.granularity,
    }
    _save(pending)
    return export


def set_period(pending: PendingUpload, start: date, end: date) -> None:
    """Date a report that does not state its period (one month, week or day)."""
    if end < start:
        raise KpiInputError(_l("La fin ne peut pas précéder le début."))
    pending.period = [start.isoformat(), end.isoformat()]
    _save(pending)


def parse_pending(pending: PendingUpload) -> ParsedExport:
    """Parse the kept bytes again.  :raises ImportRefused:"""
    return parse_export(
        pending_bytes(pending),
        pending.file_name,
        mapping=pending.column_mapping(),
        period=pending.period_range(),
    )


# ---------------------------------------------------------------- preview


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
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    sample: list[PreviewRow] = field(default_factory=list)


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
            "new": sum(len(p.new) for p in plans),
            "changed": sum(len(p.changed) for p in plans),
            "unchanged": sum(len(p.unchanged) for p in plans),
            "rejected": len(self.export.rejected),
        }

    @property
    def can_confirm(self) -> bool:
        chosen = [t for t in self.targets if t.indicator is not None]
        return bool(chosen) and all(t.error is None for t in chosen)


def _compatible(series: Series, indicator: Indicator) -> bool:
    return series.is_ratio == indicator.is_ratio


def propose_targets(
    export: ParsedExport, indicators: Sequence[Indicator]
) -> dict[str, int]:
    """Which series feeds which indicator, by kind: each indicator once."""
    taken: set[int] = set()
    proposal: dict[str, int] = {}
    for series in export.series:
        if not series.points:
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
            if series.key in proposal or not series.points:
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
    project: Project, series: Series, indicator: Indicator
) -> tuple[list[Any], list[str]]:
    """The series' points at the indicator's frequency, checked.  :raises KpiInputError:"""
    if not _compatible(series, indicator):
        raise KpiInputError(
            _l(
                "« %(label)s » ne peut pas alimenter « %(name)s » : l'un est un ratio "
                "(deux composantes), l'autre une valeur simple.",
                label=series.label,
                name=indicator.name,
            )
        )
    points, warnings = to_frequency(
        series.points,
        source_granularity=series.granularity,
        indicator=indicator,
        label=series.label,
    )
    points = [check_point(indicator, point, parsed=True) for point in points]
    # A period overlaps the project when it starts on or after the start of the
    # period holding the project's first day, and not after its last day.
    first = period_start_for(project.starts_on, indicator.frequency.value)
    last = project.ends_on or date.max
    outside = [p for p in points if p.period_start < first or p.period_start > last]
    if outside:
        warnings.append(
            str(
                _l(
                    "« %(name)s » : %(count)d valeur(s) hors de la période du projet "
                    "(du %(start)s au %(end)s), par exemple le %(example)s.",
                    name=indicator.name,
                    count=len(outside),
                    start=project.starts_on.isoformat(),
                    end=project.ends_on.isoformat() if project.ends_on else "…",
                    example=outside[0].period_start.isoformat(),
                )
            )
        )
    return points, warnings


def _shown(point: Any, indicator: Indicator) -> Any:
    if indicator.is_ratio:
        return (point.value, point.numerator, point.denominator)
    return point.value


def build_preview(
    project: Project,
    export: ParsedExport,
    targets: Mapping[str, int | None],
    *,
    sha256: str | None = None,
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
        if not series.points:
            target.error = str(
                _l(
                    "« %(label)s » n'a aucune valeur datée : précisez la période du "
                    "fichier.",
                    label=series.label,
                )
            )
            continue
        try:
            points, target.warnings = _prepared(project, series, indicator)
        except KpiInputError as error:
            target.error = str(error)
            continue
        target.plan = plan_values(indicator, points)
        shown = {p.period_start for p in points[:SAMPLE_ROWS]}
        states: dict[Any, tuple[str, Any]] = {}
        for point in target.plan.new:
            if point.period_start in shown:
                states[point.period_start] = ("new", None)
        for point, found in target.plan.changed:
            if point.period_start in shown:
                old = (
                    (found.value, found.numerator, found.denominator)
                    if indicator.is_ratio
                    else found.value
                )
                states[point.period_start] = ("changed", old)
        for point, found in target.plan.unchanged:
            if point.period_start in shown:
                states[point.period_start] = ("unchanged", found.value)
        for point in points[:SAMPLE_ROWS]:
            state, old = states[point.period_start]
            target.sample.append(
                PreviewRow(
                    point.period_start,
                    old,
                    _shown(point, indicator),
                    state,
                    point.lines,
                )
            )
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


# ---------------------------------------------------------------- confirm


def _lines_read(export: ParsedExport) -> int:
    lines = {n for s in export.series for p in s.points for n in p.lines}
    return len(lines) + len(export.rejected)


def store_import(
    actor: User | None,
    project: Project,
    export: ParsedExport,
    targets: Mapping[str, int | None],
    *,
    file_name: str,
    sha256: str,
    size: int,
    now: datetime | None = None,
    dry_run: bool = False,
) -> tuple[ImportBatch | None, Preview]:
    """Store the chosen series in ONE transaction and record the import.

    :raises KpiInputError: no indicator chosen, or a choice that cannot be stored.
    """
    now = now or utcnow()
    preview = build_preview(project, export, targets)
    chosen = [t for t in preview.targets if t.indicator is not None]
    if not chosen:
        raise KpiInputError(
            _l("Choisissez au moins un indicateur à alimenter avec ce fichier.")
        )
    errors = [t.error for t in chosen if t.error]
    if errors:
        raise KpiInputError(errors[0])
    if dry_run:
        db.session.rollback()
        return None, preview
    counts = preview.counts
    batch = ImportBatch(
        member_id=project.member_id,
        project_id=project.id,
        file_name=file_name[:255],
        sha256=sha256,
        size_bytes=size,
        format=export.format,
        format_label=str(export.format_label)[:200],
        rows_read=_lines_read(export),
        rows_stored=counts["new"],
        rows_updated=counts["changed"],
        rows_unchanged=counts["unchanged"],
        rows_rejected=counts["rejected"],
        report={
            "rejected": [
                {"line": r.line, "reason": str(r.reason)}
                for r in export.rejected[:KEPT_REJECTIONS]
            ],
            "warnings": [str(w) for w in export.warnings]
            + [w for t in chosen for w in t.warnings],
            "targets": {
                t.series.key: {
                    "indicator_id": t.indicator.id,
                    "label": t.series.label,
                    "new": len(t.plan.new),
                    "changed": len(t.plan.changed),
                    "unchanged": len(t.plan.unchanged),
                }
                for t in chosen
                if t.indicator is not None and t.plan is not None
            },
        },
        created_by_id=actor.id if actor is not None else None,
        created_by_label=actor.email if actor is not None else "cli",
        created_at=now,
    )
    db.session.add(batch)
    db.session.flush()
    written: list[int] = []
    for target in chosen:
        assert target.plan is not None and target.indicator is not None
        apply_plan(target.plan, source=Source.IMPORT, batch_id=batch.id, now=now)
        if target.plan.new or target.plan.changed:
            written.append(target.indicator.id)
    audit.record(
        actor,
        "import.confirm",
        object_type="import",
        object_id=batch.id,
        member_id=project.member_id,
        detail={"file": file_name, "format": export.format, **counts},
    )
    notify_measurements_changed(written, now=now)
    db.session.commit()
    return batch, preview


def confirm_upload(
    actor: User | None,
    project: Project,
    pending: PendingUpload,
    targets: Mapping[str, int | None],
    *,
    now: datetime | None = None,
) -> ImportBatch:
    """Confirm a previewed upload: parse the kept bytes again and store.

    :raises ImportRefused, KpiInputError:
    """
    export = parse_pending(pending)
    batch, _preview = store_import(
        actor,
        project,
        export,
        targets,
        file_name=pending.file_name,
        sha256=pending.sha256,
        size=pending.size,
        now=now,
    )
    assert batch is not None
    discard_upload(pending)
    return batch


# ---------------------------------------------------------------- history and undo


def list_imports(member_id: int, project_id: int) -> Sequence[ImportBatch]:
    return db.session.scalars(
        select(ImportBatch)
        .where(ImportBatch.member_id == member_id, ImportBatch.project_id == project_id)
        .order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc())
    ).all()


def get_import(member_id: int | None, batch_id: int) -> ImportBatch | None:
    """The member's import, or None."""
    if member_id is None:
        return None
    return db.session.scalar(
        select(ImportBatch).where(
            ImportBatch.id == batch_id, ImportBatch.member_id == member_id
        )
    )


def undo_import(
    actor: User | None, batch: ImportBatch, *, now: datetime | None = None
) -> dict[str, int]:
    """Remove what an import created and restore what it replaced.

    Values changed since by someone else are kept. :raises KpiInputError:
    """
    now = now or utcnow()
    if batch.undone_at is not None:
        raise KpiInputError(_l("Cet import a déjà été annulé."))
    later = db.session.scalar(
        select(ImportBatch.id)
        .join(ImportChange, ImportChange.batch_id == ImportBatch.id)
        .where(
            ImportChange.previous_batch_id == batch.id,
            ImportBatch.undone_at.is_(None),
            ImportBatch.id != batch.id,
        )
        .limit(1)
    )
    if later is not None:
        raise KpiInputError(
            _l(
                "Un import plus récent (n° %(id)d) a modifié des valeurs de celui-ci : "
                "annulez-le d'abord.",
                id=later,
            )
        )
    changes = db.session.execute(
        select(ImportChange, Measurement.import_batch_id)
        .join(Measurement, Measurement.id == ImportChange.measurement_id)
        .where(ImportChange.batch_id == batch.id)
    ).all()
    replaced_ids = select(ImportChange.measurement_id).where(
        ImportChange.batch_id == batch.id
    )
    # Every value removed or restored below is still this import's.
    touched = list(
        db.session.scalars(
            select(Measurement.indicator_id)
            .where(Measurement.import_batch_id == batch.id)
            .distinct()
        )
    )
    removed = db.session.execute(
        delete(Measurement)
        .where(
            Measurement.import_batch_id == batch.id,
            Measurement.id.not_in(replaced_ids),
        )
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    restores = [
        {
            "id": change.measurement_id,
            "value": change.previous_value,
            "numerator": change.previous_numerator,
            "denominator": change.previous_denominator,
            "source": change.previous_source,
            "import_batch_id": change.previous_batch_id,
            "updated_at": change.previous_updated_at,
        }
        for change, current_batch in changes
        if current_batch == batch.id
    ]
    if restores:
        db.session.execute(update(Measurement), restores)
    kept = len(changes) - len(restores)
    if touched:
        # Removed rows leave no timestamp and restored ones get their previous
        # one back: the indicators carry the change for whoever looks for
        # changes since a time (the dashboards' rollup job).
        db.session.execute(
            update(Indicator).where(Indicator.id.in_(touched)).values(updated_at=now)
        )
    batch.undone_at = now
    batch.undone_by_id = actor.id if actor is not None else None
    audit.record(
        actor,
        "import.undo",
        object_type="import",
        object_id=batch.id,
        member_id=batch.member_id,
        detail={"removed": removed, "restored": len(restores), "kept": kept},
    )
    notify_measurements_changed(touched, now=now)
    db.session.commit()
    return {"removed": int(removed or 0), "restored": len(restores), "kept": kept}


def measurements_of_import(batch: ImportBatch) -> int:
    """How many stored values still come from this import."""
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(Measurement)
            .where(Measurement.import_batch_id == batch.id)
        )
        or 0
    )


__all__ = [
    "PendingUpload",
    "Preview",
    "build_preview",
    "confirm_upload",
    "get_import",
    "get_pending",
    "list_imports",
    "parse_pending",
    "propose_targets",
    "set_mapping",
    "set_period",
    "start_upload",
    "store_import",
    "undo_import",
]
