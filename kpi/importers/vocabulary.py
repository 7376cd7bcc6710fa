"""One multilingual vocabulary of the column names and cell words exports use.

Each *concept* (a metric, a date, a ticket field, a ticket type) lists the names it
goes by in the UIs of the tools we read — French, English, Spanish, Portuguese,
German, Italian. Names are compared *normalised*: case, accents, spaces, a BOM,
surrounding quotes and a trailing currency code (``Amount spent (EUR)``) do not
matter. Adding a language or a tool means adding words here, not code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from kpi.importers.vocabulary_analytics import (
    ANALYTICS_DATES,
    ANALYTICS_METRICS,
    flatten,
)
from kpi.importers.vocabulary_dimensions import ANALYTICS_DIMENSIONS

# --------------------------------------------------------------------------- #
# Normalisation
# --------------------------------------------------------------------------- #

_CURRENCY_RE = re.compile(r"\s*\(([A-Za-z]{3})\)\s*$")


def fold(text: str) -> str:
    """``text`` without case, accents, BOM, quotes or repeated spaces."""
    text = text.replace("\ufeff", "").strip().strip('"').strip()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.split())


def currency_of(name: str) -> str | None:
    """The ISO code of ``Amount spent (EUR)``-style names, or None."""
    match = _CURRENCY_RE.search(name.replace("\ufeff", "").strip().strip('"'))
    return match.group(1).upper() if match else None


#: A trailing time zone: Search Console's hourly ``Time (UTC+03:00)``.
_ZONE_RE = re.compile(r"\s*\((?:UTC|GMT)\s*(?:[+\-\u2212]\d{1,2}(?::?\d{2})?)?\)\s*$")


def _key(name: str) -> str:
    """Folded name without a trailing currency code or time zone."""
    name = _CURRENCY_RE.sub("", name.replace("\ufeff", "").strip().strip('"'))
    return fold(_ZONE_RE.sub("", name))


# --------------------------------------------------------------------------- #
# The words
# --------------------------------------------------------------------------- #

#: Metric columns. Keys are stable concept ids used by the tool modules.
METRICS: dict[str, tuple[str, ...]] = {
    "sessions": (
        "Sessions",
        "No. of sessions",
        "Number of sessions",
        "Total sessions",
        "Nombre de sessions",
        "Nb de sessions",
        "Sesiones",
        "Número de sesiones",
        "Sessões",
        "Número de sessões",
        "Sitzungen",
        "Anzahl der Sitzungen",
        "Sessioni",
        "Numero di sessioni",
    ),
    "views": (
        "Views",
        "Vues",
        "Vues de la vidéo",
        "Visualizaciones",
        "Vistas",
        "Visualizações",
        "Aufrufe",
        "Visualizzazioni",
    ),
    "watch_time_hours": (
        "Watch time (hours)",
        "Durée de visionnage (heures)",
        "Tiempo de visualización (horas)",
        "Tempo de exibição (horas)",
        "Wiedergabezeit (Stunden)",
        "Tempo di visualizzazione (ore)",
    ),
    "impressions": (
        "nb_impressions",
        "Impressions",
        "Impr.",
        "Impresiones",
        "Impressões",
        "Impressionen",
        "Impressioni",
    ),
    "link_clicks": (
        "Link clicks",
        "Clics sur un lien",
        "Clics sur le lien",
        "Clics en el enlace",
        "Cliques no link",
        "Link-Klicks",
        "Clic sul link",
    ),
    "clicks": (
        "Clicks",
        "Clics",
        "Clicks (all)",
        "Clics (tous)",
        "Clics (todos)",
        "Cliques",
        "Cliques (todos)",
        "Klicks",
        "Klicks (alle)",
        "Clic",
        "Clic (tutti)",
    ),
    "spend": (
        "Amount spent",
        "Montant dépensé",
        "Importe gastado",
        "Valor usado",
        "Valor gasto",
        "Ausgegebener Betrag",
        "Importo speso",
        "Cost",
        "Coût",
        "Coste",
        "Custo",
        "Kosten",
        "Costo",
    ),
    "cpc": (
        "CPC (cost per link click)",
        "CPC (coût par clic sur un lien)",
        "CPC (costo por clic en el enlace)",
        "CPC (custo por clique no link)",
        "CPC (Kosten pro Link-Klick)",
        "CPC (costo per clic sul link)",
        "Avg. CPC",
        "CPC moy.",
        "CPC",
    ),
}

#: Date columns and period bounds.
DATES: dict[str, tuple[str, ...]] = {
    "date": (
        "Date",
        "Day",
        "Jour",
        "Fecha",
        "Día",
        "Data",
        "Dia",
        "Datum",
        "Tag",
        "Giorno",
    ),
    "reporting_start": (
        "Reporting starts",
        "Début des rapports",
        "Inicio del informe",
        "Início dos relatórios",
        "Berichtsbeginn",
        "Inizio report",
    ),
    "reporting_end": (
        "Reporting ends",
        "Fin des rapports",
        "Fin del informe",
        "Término dos relatórios",
        "Fim dos relatórios",
        "Berichtsende",
        "Fine report",
    ),
    "date_range": (
        "Date range",
        "Plage de dates",
        "Période",
        "Intervalo de fechas",
        "Rango de fechas",
        "Período",
        "Intervalo de datas",
        "Zeitraum",
        "Datumsbereich",
        "Intervallo di date",
    ),
}

#: Columns of a ticket list (GLPI, Jira).
TICKETS: dict[str, tuple[str, ...]] = {
    "id": ("ID", "Issue id", "ID de la incidencia", "ID do item", "ID du ticket"),
    "key": (
        "Issue key",
        "Clé",
        "Clé de ticket",
        "Clave de incidencia",
        "Chave da item",
        "Chave do item",
        "Schlüssel",
        "Vorgangsschlüssel",
        "Chiave",
        "Chiave ticket",
    ),
    "title": (
        "Titre",
        "Title",
        "Título",
        "Titel",
        "Titolo",
        "Summary",
        "Résumé",
        "Resumen",
        "Resumo",
        "Zusammenfassung",
        "Riepilogo",
    ),
    "status": ("Statut", "Status", "Estado", "Stato"),
    "type": (
        "Type",
        "Tipo",
        "Typ",
        "Issue Type",
        "Type de ticket",
        "Tipo de Incidencia",
        "Tipo de item",
        "Tipo de ticket",
        "Vorgangstyp",
        "Tipo di ticket",
    ),
    "opened": (
        "Date d'ouverture",
        "Opening date",
        "Date de création",
        "Fecha de apertura",
        "Data de abertura",
        "Eröffnungsdatum",
        "Öffnungsdatum",
        "Data di apertura",
        "Data apertura",
    ),
    "created": (
        "Created",
        "Créé",
        "Création",
        "Creada",
        "Creado",
        "Criado",
        "Erstellt",
        "Creato",
    ),
}

#: Ticket-type cell values, per meaning. GLPI has two types (incident, request);
#: Jira Service Management names its incident type ``Incident`` in every UI
#: language we met (translated: ``Incidente``, ``Vorfall``…). ``Bug`` is *not* an
#: incident: it stays a type of its own (a series the person may choose).
TICKET_TYPES: dict[str, tuple[str, ...]] = {
    "incident": ("Incident", "Incidente", "Incidencia", "Vorfall", "Störung"),
    "request": (
        "Demande",
        "Request",
        "Service request",
        "Solicitud",
        "Requisição",
        "Requisicao",
        "Solicitação",
        "Anfrage",
        "Richiesta",
    ),
}

#: Cells that label a totals or summary row.
TOTAL_LABELS: tuple[str, ...] = (
    "Total",
    "Totals",
    "Totaux",
    "Totales",
    "Totais",
    "Gesamt",
    "Summe",
    "Totale",
    "Grand total",
    "Total général",
    "Gesamtsumme",
    "Totale complessivo",
)

#: Files that say they hold nothing.
NO_DATA_TEXTS: tuple[str, ...] = (
    "No data available",
    "No data available.",
    "Aucune donnée disponible",
    "Aucune donnée disponible.",
    "No hay datos disponibles",
    "No hay datos disponibles.",
    "Nenhum dado disponível",
    "Nenhum dado disponível.",
    "Keine Daten verfügbar",
    "Keine Daten verfügbar.",
    "Nessun dato disponibile",
    "Nessun dato disponibile.",
)


_WORDS: dict[str, tuple[str, ...]] = {
    **{f"metric:{k}": v for k, v in METRICS.items()},
    **{f"metric:{k}": flatten(v) for k, v in ANALYTICS_METRICS.items()},
    **{f"date:{k}": v for k, v in DATES.items()},
    **{f"date:{k}": flatten(v) for k, v in ANALYTICS_DATES.items()},
    **{f"dim:{k}": flatten(v) for k, v in ANALYTICS_DIMENSIONS.items()},
}


def words(concept: str) -> tuple[str, ...]:
    """The names of ``concept`` as the tools write them (not normalised).

    :raises KeyError: unknown concept (metrics, dates and dimensions only).
    """
    return _WORDS[concept]


def _names(words: Iterable[str]) -> frozenset[str]:
    return frozenset(_key(word) for word in words)


_FOLDED: dict[str, frozenset[str]] = {
    **{concept: _names(names) for concept, names in _WORDS.items()},
    **{f"ticket:{k}": _names(v) for k, v in TICKETS.items()},
    **{f"type:{k}": _names(v) for k, v in TICKET_TYPES.items()},
    "total": _names(TOTAL_LABELS),
    "no_data": _names(NO_DATA_TEXTS),
}


def names(concept: str) -> frozenset[str]:
    """The normalised names of ``concept`` (``metric:views``, ``ticket:type``…).

    :raises KeyError: unknown concept.
    """
    return _FOLDED[concept]


def is_word(text: str, concept: str) -> bool:
    """True when ``text`` is one of the names of ``concept``."""
    return _key(text) in _FOLDED[concept]


def find(header: Sequence[str], concept: str) -> int | None:
    """Index of the first column of ``header`` named as ``concept``, or None."""
    wanted = _FOLDED[concept]
    for position, name in enumerate(header):
        if _key(name) in wanted:
            return position
    return None


def find_first(header: Sequence[str], *concepts: str) -> int | None:
    """Index of the column of the first of ``concepts`` that ``header`` has."""
    for concept in concepts:
        position = find(header, concept)
        if position is not None:
            return position
    return None


def concept_of(name: str, concepts: Iterable[str]) -> str | None:
    """The first of ``concepts`` that ``name`` is a word of, or None."""
    key = _key(name)
    return next((c for c in concepts if key in _FOLDED[c]), None)


def find_all(header: Sequence[str], *concepts: str) -> dict[str, int]:
    """The concepts found in ``header`` and their first index."""
    found: dict[str, int] = {}
    for concept in concepts:
        position = find(header, concept)
        if position is not None:
            found[concept] = position
    return found
