"""File imports: upload → detect → preview → confirm (one transaction) → undo.

The upload waits in ``uploads`` and is previewed by ``previews``; this module
stores the chosen series in one transaction, lists the imports and undoes one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from core import audit
from core.database import utcnow
from core.dates import local_today
from core.extensions import db
from kpi.importers import (
    ParsedExport,
)
from kpi.importers.bulk import collector_paused
from kpi.models import (
    ImportBatch,
    ImportChange,
    Indicator,
    Measurement,
    Source,
)
from kpi.services.errors import KpiInputError
from kpi.services.measurements import (
    apply_plan,
)
from kpi.services.previews import Preview, TargetPreview, build_preview
from kpi.services.uploads import PendingUpload, discard_upload, parse_pending
from kpi.signals import notify_measurements_changed
from members.models import Project, User

#: Rejected rows kept in the import history.
KEPT_REJECTIONS = 500


# ---------------------------------------------------------------- confirm


def _lines_read(preview: Preview) -> int:
    from kpi.importers.columns import line_numbers

    export = preview.export
    lines = line_numbers(export.series)
    rejected = {r.line for t in preview.targets for r in t.rejected}
    return len(lines | rejected) + len(export.rejected)


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
    with collector_paused():
        return _store_import(
            actor,
            project,
            export,
            targets,
            file_name=file_name,
            sha256=sha256,
            size=size,
            now=now or utcnow(),
            dry_run=dry_run,
        )


def _store_import(
    actor: User | None,
    project: Project,
    export: ParsedExport,
    targets: Mapping[str, int | None],
    *,
    file_name: str,
    sha256: str,
    size: int,
    now: datetime,
    dry_run: bool,
) -> tuple[ImportBatch | None, Preview]:
    preview = build_preview(project, export, targets, today=local_today(now))
    chosen = _chosen(preview)
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
        rows_read=_lines_read(preview),
        rows_stored=counts["new"],
        rows_updated=counts["changed"],
        rows_unchanged=counts["unchanged"],
        rows_rejected=counts["rejected"],
        report=_report(preview, chosen),
        created_by_id=actor.id if actor is not None else None,
        created_by_label=actor.email if actor is not None else "cli",
        created_at=now,
    )
    db.session.add(batch)
    db.session.flush()
    written = _apply_targets(
        chosen,
        batch_id=batch.id,
        now=now,
        actor_id=actor.id if actor is not None else None,
    )
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


def _chosen(preview: Preview) -> list[TargetPreview]:
    """The targets that feed an indicator.  :raises KpiInputError: none, or one
    that cannot be stored."""
    chosen = [t for t in preview.targets if t.indicator is not None]
    if not chosen:
        raise KpiInputError(
            _l("Choisissez au moins un indicateur à alimenter avec ce fichier.")
        )
    errors = [t.error for t in chosen if t.error]
    if errors:
        raise KpiInputError(errors[0])
    return chosen


def _report(preview: Preview, chosen: list[TargetPreview]) -> dict[str, Any]:
    """What the import history keeps: rejected rows, warnings, counts per target."""
    export = preview.export
    return {
        "rejected": [
            {"line": r.line, "reason": str(r.reason)}
            for r in preview.rejected[:KEPT_REJECTIONS]
        ],
        "warnings": [str(w) for w in export.warnings]
        + [w for t in chosen for w in t.warnings],
        "targets": {
            t.series.key: {
                "indicator_id": t.indicator.id,
                "label": t.series.label,
                "new": t.plan.new_count,
                "changed": len(t.plan.changed),
                "unchanged": len(t.plan.unchanged),
            }
            for t in chosen
            if t.indicator is not None and t.plan is not None
        },
    }


def _apply_targets(
    chosen: list[TargetPreview], *, batch_id: int, now: datetime, actor_id: int | None
) -> list[int]:
    """Write each target's plan (no commit); the indicators whose values changed."""
    written: list[int] = []
    for target in chosen:
        assert target.plan is not None and target.indicator is not None
        apply_plan(
            target.plan,
            source=Source.IMPORT,
            batch_id=batch_id,
            now=now,
            actor_id=actor_id,
        )
        if target.plan.new_count or target.plan.changed:
            written.append(target.indicator.id)
    return written


def confirm_upload(
    actor: User | None,
    project: Project,
    pending: PendingUpload,
    targets: Mapping[str, int | None],
    *,
    now: datetime | None = None,
    export: ParsedExport | None = None,
) -> ImportBatch:
    """Confirm a previewed upload and store it: ``export`` when the caller has
    already read the upload (:func:`parse_pending`), else it is read here.

    :raises ImportRefused, KpiInputError:
    """
    if export is None:
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
    _check_undoable(batch)
    changes = db.session.execute(
        select(ImportChange, Measurement.import_batch_id)
        .join(Measurement, Measurement.id == ImportChange.measurement_id)
        .where(ImportChange.batch_id == batch.id)
    ).all()
    # Every value removed or restored below is still this import's.
    touched = list(
        db.session.scalars(
            select(Measurement.indicator_id)
            .where(Measurement.import_batch_id == batch.id)
            .distinct()
        )
    )
    removed = _remove_created(batch)
    restored = _restore_replaced(batch, changes)
    kept = len(changes) - restored
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
        detail={"removed": removed, "restored": restored, "kept": kept},
    )
    notify_measurements_changed(touched, now=now)
    db.session.commit()
    return {"removed": removed, "restored": restored, "kept": kept}


def _check_undoable(batch: ImportBatch) -> None:
    """:raises KpiInputError: already undone, or a later import changed its values."""
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


def _remove_created(batch: ImportBatch) -> int:
    """Delete the values the import created (not those it replaced); how many."""
    replaced_ids = select(ImportChange.measurement_id).where(
        ImportChange.batch_id == batch.id
    )
    removed = db.session.execute(
        delete(Measurement)
        .where(
            Measurement.import_batch_id == batch.id,
            Measurement.id.not_in(replaced_ids),
        )
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    return int(removed or 0)


def _restore_replaced(batch: ImportBatch, changes: Sequence[Any]) -> int:
    """Put back what the import replaced, unless changed since; how many."""
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
    return len(restores)


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
    "confirm_upload",
    "get_import",
    "list_imports",
    "measurements_of_import",
    "store_import",
    "undo_import",
]
