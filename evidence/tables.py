"""The pack's tables: pure pandas frames from its facts (no Flask, no database),
then one XLSX workbook, a sheet per table, headers in the reader's language,
texts that look like formulas kept as texts (:mod:`core.exports`)."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l

from core import exports

if TYPE_CHECKING:
    import pandas as pd

    from evidence.services.facts import EvidenceFacts

#: Per table, in sheet order: its sheet's name and its columns with their headers.
SHEETS: dict[str, tuple[Any, dict[str, Any]]] = {
    "member": (_l("Adhérent"), {"field": _l("Rubrique"), "value": _l("Valeur")}),
    "commitments": (
        _l("Engagements"),
        {
            "code": _l("Code"),
            "title": _l("Engagement"),
            "count": _l("Enregistrements"),
            "flagged": _l("Signalés"),
        },
    ),
    "proofs": (
        _l("Preuves"),
        {
            "commitment_title": _l("Engagement"),
            "kind_label": _l("Type"),
            "project": _l("Projet"),
            "client": _l("Client"),
            "on": _l("Date"),
            "detail": _l("Détail"),
            "flag": _l("Signalement"),
        },
    ),
    "scores": (
        _l("Scores"),
        {
            "label": _l("Score"),
            "n": _l("Réponses"),
            "value": _l("Valeur"),
            "margin": _l("Marge (±, 95 %)"),
            "low": _l("Borne basse"),
            "high": _l("Borne haute"),
        },
    ),
    "indicators": (
        _l("Indicateurs"),
        {
            "project": _l("Projet"),
            "client": _l("Client"),
            "name": _l("Indicateur"),
            "unit": _l("Unité"),
            "target": _l("Cible"),
            "period_start": _l("Dernière période"),
            "value": _l("Dernière valeur"),
            "status_label": _l("Statut"),
            "agreed_on": _l("Convenu avec le client le"),
        },
    ),
    "questionnaires": (
        _l("Questionnaires"),
        {
            "project": _l("Projet"),
            "client": _l("Client"),
            "sent": _l("Envoyés"),
            "answered": _l("Réponses"),
            "rate": _l("Taux de réponse (%)"),
        },
    ),
    "complaints": (
        _l("Plaintes"),
        {
            "reference": _l("Référence"),
            "project": _l("Projet"),
            "company": _l("Entreprise du plaignant"),
            "filed_on": _l("Déposée le"),
            "status_label": _l("Issue"),
            "decision_label": _l("Décision"),
            "closed_on": _l("Close le"),
        },
    ),
    "actions": (
        _l("Actions"),
        {
            "opened_on": _l("Ouverte le"),
            "trigger": _l("Déclencheur"),
            "project": _l("Projet"),
            "state_label": _l("État"),
            "cause": _l("Cause"),
            "action": _l("Action"),
            "due_on": _l("Échéance"),
            "result": _l("Résultat attendu"),
            "effect": _l("Effet constaté"),
            "closed_on": _l("Close le"),
            "is_late": _l("En retard"),
        },
    ),
}


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(rows, columns=columns).astype(object)


def frames(
    facts: EvidenceFacts, member_fields: list[tuple[str, Any]]
) -> dict[str, pd.DataFrame]:
    """The pack's tables, keyed as :data:`SHEETS` (``member_fields``: the member's
    (label, value) pairs, labelled by the caller)."""
    columns = {key: list(spec[1]) for key, spec in SHEETS.items()}
    titles = {c.code: c.title for c in facts.commitments}
    scores = []
    for score in facts.scores:
        row = asdict(score)
        row["value"] = score.value if score.is_reliable else None
        row["margin"] = score.margin
        scores.append(row)
    return {
        "member": _frame(
            [{"field": k, "value": v} for k, v in member_fields], columns["member"]
        ),
        "commitments": _frame(
            [
                {
                    "code": c.code.value,
                    "title": c.title,
                    "count": c.count,
                    "flagged": c.flagged,
                }
                for c in facts.commitments
            ],
            columns["commitments"],
        ),
        "proofs": _frame(
            [
                {**asdict(p), "commitment_title": titles[p.commitment]}
                for p in facts.proofs
            ],
            columns["proofs"],
        ),
        "scores": _frame(scores, columns["scores"]),
        "indicators": _frame(
            [asdict(r) for r in facts.indicators], columns["indicators"]
        ),
        "questionnaires": _frame(
            [asdict(r) for r in facts.questionnaires], columns["questionnaires"]
        ),
        "complaints": _frame(
            [asdict(r) for r in facts.complaints], columns["complaints"]
        ),
        "actions": _frame([asdict(r) for r in facts.actions], columns["actions"]),
    }


def workbook(tables: dict[str, pd.DataFrame], dialect: exports.Dialect) -> bytes:
    """The frames as one XLSX workbook, one sheet each, headers translated."""
    sheets = []
    for key, (name, headers) in SHEETS.items():
        frame = tables[key]
        rows = [list(row) for row in frame.itertuples(index=False, name=None)]
        sheets.append(
            exports.Table(
                name=str(name),
                headers=[str(headers[c]) for c in frame.columns],
                rows=rows,
            )
        )
    return exports.to_xlsx_book(sheets, dialect)
