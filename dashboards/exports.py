"""The dashboards' tables as files: the same rows the pages show, with headers and
values in the reader's words (``on_track`` → "En bonne voie"), projects named.
The file itself (dialect, numbers, dates, formulas) is :mod:`core.exports`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l

from core.exports import FORMATS, Table, Value
from core.i18n import quarter
from dashboards.services.common import CRITERIA_LABELS, LIGHT_LABELS, STATUS_LABELS
from kpi.models import DIRECTION_LABELS, FREQUENCY_LABELS, SOURCE_LABELS
from members import services as members_services
from members.commitments import TITLES
from members.models import MARK_STATUS_LABELS, SERVICE_LABELS
from satisfaction.commitments import commitment_labels
from satisfaction.scoring import METRIC_LABELS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["BOARD_TABLES", "FORMATS", "Column", "records_of", "table"]

Words = Mapping[Any, Any] | Callable[[Any], Value]


@dataclass(frozen=True)
class Column:
    """One exported column: the row's key, its header, how its codes read."""

    key: str
    header: Any  # a lazy string: translated when the file is written
    words: Words | None = None


class CharterTitle:
    """A commitment's title in the charter in force, read when the file is
    written (a new version may reword it)."""

    def __init__(self, code: str) -> None:
        self.code = code

    def __str__(self) -> str:
        return members_services.current_titles()[self.code]


def _label(words: Words, value: Any) -> Value:
    if value is None:
        return None
    if callable(words):
        return words(value)
    found = {str(k): v for k, v in words.items()}.get(str(value))
    return str(found) if found is not None else str(value)


def quarter_words(value: Any) -> Value:
    """``2026-Q1`` → "T1 2026" (French) / "Q1 2026"; other keys unchanged."""
    return quarter(value)


def records_of(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as dicts, with ``None`` for missing values."""
    cleaned = frame.astype(object).where(frame.notna(), None)
    return [dict(row) for row in cleaned.to_dict("records")]


def table(
    name: str, rows: Sequence[Mapping[str, Any]], columns: Sequence[Column]
) -> Table:
    """The rows as a :class:`Table`; columns absent from every row are left out
    (the complaints criterion exists only when mediation counts)."""
    present = {key for row in rows for key in row}
    shown = [c for c in columns if c.key in present] if rows else list(columns)
    return Table(
        name=name,
        headers=[str(c.header) for c in shown],
        rows=[
            [
                _label(c.words, row.get(c.key)) if c.words else row.get(c.key)
                for c in shown
            ]
            for row in rows
        ],
    )


def _commitment(value: Any) -> Value:
    return _label(commitment_labels(), value)


SERVICES = {k.value: v for k, v in SERVICE_LABELS.items()}
STATUS_COLUMNS = [Column(k, v) for k, v in STATUS_LABELS.items()]

COMPLIANCE = [
    Column("member", _l("Adhérent")),
    Column("department", _l("Département")),
    Column(
        "mark_status", _l("Marque"), {k.value: v for k, v in MARK_STATUS_LABELS.items()}
    ),
    Column("active_projects", _l("Projets en cours")),
    Column("projects_with_agreed_indicators", _l("Projets aux indicateurs convenus")),
    Column("last_questionnaire_sent_at", _l("Dernier questionnaire envoyé le")),
    Column("invitations_sent", _l("Questionnaires envoyés")),
    Column("responses", _l("Réponses")),
    Column("response_rate_pct", _l("Taux de réponse (%)")),
    Column("open_alerts", _l("Alertes ouvertes")),
    Column("open_complaints", _l("Plaintes en cours")),
    Column("nps", _l("NPS")),
    Column("nps_answers", _l("Réponses NPS")),
    *(
        Column(f"light_{key}", label, LIGHT_LABELS)
        for key, label in CRITERIA_LABELS.items()
    ),
    # One column per charter commitment, headed by its title, its light in words.
    *(
        Column(f"commitment_{code.value}", CharterTitle(code.value), LIGHT_LABELS)
        for code in TITLES
    ),
]
SCORES = [
    Column("period", _l("Trimestre"), quarter_words),
    Column("metric", _l("Score"), METRIC_LABELS),
    Column("commitment", _l("Engagement de la charte"), _commitment),
    Column("value", _l("Valeur")),
    Column("n", _l("Réponses")),
    Column("is_reliable", _l("Fiable (au moins 5 réponses)")),
]
BY_SERVICE = [
    Column("service_type", _l("Type de prestation"), SERVICES),
    *STATUS_COLUMNS,
    Column("on_target_pct", _l("Indicateurs en bonne voie (%)")),
]
RATES = [
    Column("invitations_sent", _l("Questionnaires envoyés")),
    Column("responses", _l("Réponses")),
    Column("response_rate_pct", _l("Taux de réponse (%)")),
]
RATES_BY_QUARTER = [Column("quarter", _l("Trimestre"), quarter_words), *RATES]
RATES_BY_PROJECT = [Column("project", _l("Projet")), *RATES]
INDICATORS = [
    Column("project", _l("Projet")),
    Column("client", _l("Client")),
    Column("service_type", _l("Type de prestation"), SERVICES),
    Column("indicator", _l("Indicateur")),
    Column("unit", _l("Unité")),
    Column("direction", _l("Sens"), {k.value: v for k, v in DIRECTION_LABELS.items()}),
    Column("target", _l("Cible")),
    Column("latest_period", _l("Dernière période")),
    Column("latest_value", _l("Dernière valeur")),
    Column("status", _l("Statut"), STATUS_LABELS),
]
MEASUREMENTS = [
    Column("project", _l("Projet")),
    Column("indicator", _l("Indicateur")),
    Column("period_start", _l("Début de la période")),
    Column(
        "granularity", _l("Période"), {k.value: v for k, v in FREQUENCY_LABELS.items()}
    ),
    Column("value", _l("Valeur")),
    Column("numerator", _l("Numérateur")),
    Column("denominator", _l("Dénominateur")),
    Column("source", _l("Source"), {k.value: v for k, v in SOURCE_LABELS.items()}),
    Column("import_batch_id", _l("Import n°")),
    Column("updated_at", _l("Mise à jour le")),
]
ANSWERS = [
    Column("response_id", _l("Réponse n°")),
    Column("submitted_at", _l("Reçue le")),
    Column("project", _l("Projet")),
    Column("campaign", _l("Campagne")),
    Column("commitment", _l("Engagement de la charte"), _commitment),
    Column("value", _l("Note")),
]

BOARD_TABLES: Mapping[str, Sequence[Column]] = {
    "compliance": COMPLIANCE,
    "scores": SCORES,
    "indicators_by_service": BY_SERVICE,
    "response_rates": RATES_BY_QUARTER,
}
MEMBER_TABLES: Mapping[str, Sequence[Column]] = {
    "indicators": INDICATORS,
    "scores": SCORES,
    "response_rates": RATES_BY_PROJECT,
}
#: What each exported table is, for the links' screen-reader text.
TABLE_NAMES: Mapping[str, Any] = {
    "compliance": _l("tableau de conformité"),
    "scores": _l("scores par trimestre"),
    "indicators_by_service": _l("indicateurs par type de prestation"),
    "response_rates": _l("taux de réponse"),
    "indicators": _l("indicateurs"),
}
