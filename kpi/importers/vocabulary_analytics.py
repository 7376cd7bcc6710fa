"""The words of web analytics and search-ads exports, per UI language.

Matomo, Universal Analytics, GA4, Plausible, Search Console, Google Ads and
Microsoft Advertising name the same measures differently in each UI language;
the tool modules look columns up by *concept* (``metric:visits``) through
:mod:`kpi.importers.vocabulary`, never by a list of their own. Each concept maps
a language (``en fr es pt de it``; ``api`` for raw API names) to its names.

Sources: **[matomo]** Matomo's translation files (matomo-org/matomo
``lang/{en,fr,es,pt,pt-br,de,it}.json``, ``plugins/Contents/lang/*.json``, commit
f09912cb702a76d06ab1a129a8e0a4e2a61818a8) and its raw API names; **[real]** a
file in ``tests/data/kpi-exports`` (``real/`` or the shared fixtures); **[api]**
the tool's documented names. :data:`UNVERIFIED` lists the names that are our own
translation of an English UI label, seen in no file nor translation file: they
only widen recognition, and are corrected when a real file shows otherwise.
"""

from __future__ import annotations

Words = dict[str, tuple[str, ...]]

#: Web analytics and ads measures.
ANALYTICS_METRICS: dict[str, Words] = {
    # [matomo] General.ColumnNbVisits; Plausible's raw ``visits`` [real].
    "visits": {
        "api": ("nb_visits",),
        "en": ("Visits",),
        "fr": ("Visites",),
        "es": ("Visitas",),
        "pt": ("Visitas",),
        "de": ("Besuche",),
        "it": ("Visite",),
    },
    # [matomo] General.ColumnNbUniqVisitors.
    "unique_visitors": {
        "api": ("nb_uniq_visitors",),
        "en": ("Unique visitors",),
        "fr": ("Visiteurs uniques",),
        "es": ("Visitantes únicos",),
        "pt": ("Visitantes únicos",),
        "de": ("Eindeutige Besucher",),
        "it": ("Visitatori unici",),
    },
    # Plausible's raw ``visitors`` [real] (its dashboard is in English only).
    "visitors": {"api": ("visitors",)},
    # [matomo] General.ColumnNbActions.
    "actions": {
        "api": ("nb_actions",),
        "en": ("Actions",),
        "fr": ("Actions",),
        "es": ("Acciones",),
        "pt": ("Ações",),
        "de": ("Aktionen",),
        "it": ("Azioni nel sito",),
    },
    # [matomo] General.ColumnPageviews (``nb_hits`` in Actions reports);
    # [real] UA "Pageviews" / "Pages vues"; Plausible ``pageviews``.
    "pageviews": {
        "api": ("nb_hits", "pageviews"),
        "en": ("Pageviews",),
        "fr": ("Vues de page", "Pages vues"),
        "es": ("Páginas vistas", "Número de páginas vistas"),
        "pt": (
            "Exibições de página",
            "Visualizações de páginas",
            "Visualizações de página",
        ),
        "de": ("Seitenansichten", "Seitenaufrufe"),
        "it": ("Visualizzazioni pagina", "Visualizzazioni di pagina"),
    },
    # [matomo] General.ColumnSumVisitLength.
    "sum_visit_length": {
        "api": ("sum_visit_length",),
        "en": ("Total time spent by visitors (in seconds)",),
        "fr": ("Temps total passé par les visiteurs (en secondes)",),
        "es": ("Tiempo total de los visitantes en el sitio (en segundos)",),
        "pt": ("Tempo total gasto pelos visitantes (em segundos)",),
        "de": ("Von Besuchern verbrachte Gesamtzeit (in Sekunden)",),
        "it": ("Durata totale delle visite (in secondi)",),
    },
    # [matomo] General.VisitDuration (VisitsSummary's ``avg_time_on_site``), and
    # an older French wording [real fixture].
    "avg_time_on_site": {
        "api": ("avg_time_on_site",),
        "en": ("Avg. Visit Duration (in seconds)",),
        "fr": (
            "Durée moy. des visites (en secondes)",
            "Durée moyenne des visites (en secondes)",
        ),
        "es": ("Promedio de duración de las visitas (en segundos)",),
        "pt": (
            "Média da duração das visitas (em segundos)",
            "Duração média das visitas (em segundos)",
        ),
        "de": ("Durchschn. Besuchszeit (in Sekunden)",),
        "it": ("Durata media delle visite (in secondi)",),
    },
    # [matomo] General.ColumnAverageTimeOnPage; [real] UA "Avg. Time on Page",
    # "Temps moyen passé sur la page".
    "avg_time_on_page": {
        "api": ("avg_time_on_page",),
        "en": ("Avg. time on page",),
        "fr": ("Temps moyen sur la page", "Temps moyen passé sur la page"),
        "es": ("Tiempo promedio en la página", "Tiempo medio en la página"),
        "pt": ("Média de tempo na página", "Tempo médio na página"),
        "de": ("Durchschnittszeit pro Seite", "Durchschnittl. Besuchszeit auf Seite"),
        "it": ("Tempo medio sulla pagina",),
    },
    # Plausible's raw ``visit_duration`` (average seconds per visit) [real].
    "visit_duration": {"api": ("visit_duration",)},
    # [matomo] Contents.ContentInteractions (German seen in a real export).
    "interactions": {
        "api": ("nb_interactions",),
        "en": ("Content Interactions", "Interactions"),
        "fr": ("Actions du contenu", "Interactions"),
        "es": ("Interacciones con el contenido", "Interacciones"),
        "pt": ("Interação de Conteúdos", "Interações de conteúdo", "Interações"),
        "de": ("Inhaltsinteraktionen", "Interaktionen"),
        "it": ("Interazioni Contenuto", "Interazioni"),
    },
    # UA "Users" [real]; [matomo] General.ColumnNbUsers for the others.
    "users": {
        "api": ("nb_users",),
        "en": ("Users",),
        "fr": ("Utilisateurs",),
        "es": ("Usuarios",),
        "pt": ("Usuários", "Utilizadores"),
        "de": ("Benutzer", "Nutzer"),
        "it": ("Utenti",),
    },
    # UA "New Users" [real]; GA4's names (the former GA4 list).
    "new_users": {
        "en": ("New users",),
        "fr": ("Nouveaux utilisateurs",),
        "es": ("Usuarios nuevos",),
        "pt": ("Novos usuários",),
        "de": ("Neue Nutzer",),
        "it": ("Nuovi utenti",),
    },
    "active_users": {
        "en": ("Active users",),
        "fr": ("Utilisateurs actifs",),
        "es": ("Usuarios activos",),
        "pt": ("Usuários ativos",),
        "de": ("Aktive Nutzer",),
        "it": ("Utenti attivi",),
    },
    "total_users": {
        "en": ("Total users",),
        "fr": ("Nombre total d'utilisateurs", "Utilisateurs au total"),
        "es": ("Usuarios totales",),
        "pt": ("Total de usuários",),
        "de": ("Nutzer insgesamt",),
        "it": ("Utenti totali",),
    },
    "engaged_sessions": {
        "en": ("Engaged sessions",),
        "fr": ("Sessions avec engagement", "Sessions engagées"),
        "es": ("Sesiones con interacción",),
        "pt": ("Sessões engajadas",),
        "de": ("Sitzungen mit Interaktion",),
        "it": ("Sessioni con coinvolgimento",),
    },
    "event_count": {
        "en": ("Event count",),
        "fr": ("Nombre d'événements",),
        # "Número de eventos" [real: GA4 snapshot, Spanish UI, 2023].
        "es": ("Recuento de eventos", "Número de eventos"),
        "pt": ("Contagem de eventos",),
        "de": ("Ereignisanzahl",),
        "it": ("Conteggio eventi",),
    },
    "key_events": {
        "en": ("Key events",),
        "fr": ("Événements clés",),
        "es": ("Eventos clave",),
        "pt": ("Eventos-chave",),
        "de": ("Schlüsselereignisse",),
        "it": ("Eventi chiave",),
    },
    "engagement_per_active_user": {
        "en": ("Average engagement time per active user",),
        "fr": (
            "Durée d'engagement moyenne par utilisateur actif",
            "Temps d'engagement moyen par utilisateur actif",
        ),
    },
    # GA4 reports snapshot, per day [real: en, es (williamm6891/Actividad_1)].
    "engagement_time": {
        "en": ("Average engagement time",),
        "es": ("Tiempo de interacción medio",),
    },
    "engagement_per_session": {
        "en": ("Average engagement time per session",),
        "fr": (
            "Durée d'engagement moyenne par session",
            "Temps d'engagement moyen par session",
        ),
    },
    # Microsoft Advertising's API column [real fixture], also its UI label.
    "ms_spend": {
        "api": ("Spend",),
        "en": ("Spend",),
        "fr": ("Dépense", "Dépenses"),
        "es": ("Gasto", "Gastos"),
        "pt": ("Gasto",),
        "de": ("Ausgaben",),
        "it": ("Spesa",),
    },
    "currency": {
        "api": ("CurrencyCode",),
        "en": ("Currency code", "Currency"),
        "fr": ("Code de la devise", "Devise"),
        "es": ("Código de moneda", "Moneda"),
        "pt": ("Código da moeda", "Moeda"),
        "de": ("Währungscode", "Währung"),
        "it": ("Codice valuta", "Valuta"),
    },
}

#: Time columns and period words of analytics and ads reports.
ANALYTICS_DATES: dict[str, Words] = {
    # UA Audience Overview [real: en, fr].
    "day_index": {
        "en": ("Day Index",),
        "fr": ("Index des jours",),
        "es": ("Índice de días",),
        "pt": ("Índice de dias",),
        "de": ("Tagesindex",),
        "it": ("Indice giorno",),
    },
    # GA4 reports snapshot: day N of the range, "0000" the first day
    # [real: en, es (williamm6891/Actividad_1)].
    "nth_day": {"en": ("Nth day",), "es": ("Día N",)},
    # GA4 "Year month" (the former GA4 list).
    "year_month": {
        "en": ("Year month",),
        "fr": ("Année et mois",),
        "es": ("Año y mes",),
        "pt": ("Ano e mês",),
        "de": ("Jahr und Monat",),
        "it": ("Anno e mese",),
    },
    # Google Ads segments ("Day" is ``date:date``) [real: en; fr former list].
    "week": {
        "en": ("Week", "Week (Mon - Sun)"),
        "fr": ("Semaine", "Semaine (du lundi au dimanche)"),
        "es": ("Semana",),
        "pt": ("Semana",),
        "de": ("Woche",),
        "it": ("Settimana",),
    },
    "month": {
        "en": ("Month",),
        "fr": ("Mois",),
        "es": ("Mes",),
        "pt": ("Mês",),
        "de": ("Monat",),
        "it": ("Mese",),
    },
    # Microsoft Advertising [api] ``TimePeriod``; UI downloads "Time period".
    "time_period": {"api": ("TimePeriod",), "en": ("Time period", "Gregorian date")},
    # Search Console's 24-hour view [real: "Hour"; "Heure" seen in French;
    # "Time (UTC+03:00)", the zone stripped (Markjohns1/marliz-sec, 2025)].
    "hour": {
        "en": ("Hour", "Time"),
        "fr": ("Heure",),
        "es": ("Hora",),
        "pt": ("Hora",),
        "de": ("Stunde",),
        "it": ("Ora",),
    },
    # Google Ads' "All time" range [real: en]; fr/es/de the former list.
    "all_time": {
        "en": ("All time",),
        "fr": ("Toute la période",),
        "es": ("Todo el periodo",),
        "pt": ("Todo o período",),
        "de": ("Gesamter Zeitraum",),
        "it": ("Tutto il periodo",),
    },
    # GA4 preamble ``# Start date: 20250201`` [real: en]; the former GA4 list.
    "preamble_start": {
        "en": ("Start date",),
        "fr": ("Date de début",),
        "es": ("Fecha de inicio",),
        "pt": ("Data de início", "Data inicial"),
        "de": ("Startdatum",),
        "it": ("Data di inizio",),
    },
    "preamble_end": {
        "en": ("End date",),
        "fr": ("Date de fin",),
        "es": ("Fecha de finalización", "Fecha de fin"),
        "pt": ("Data de término", "Data final"),
        "de": ("Enddatum",),
        "it": ("Data di fine",),
    },
}

#: Names written by us from the English label, seen in no real file nor in the
#: tool's translation files (concept → names).
UNVERIFIED: dict[str, tuple[str, ...]] = {
    "metric:pageviews": (
        "Número de páginas vistas",
        "Visualizações de página",
        "Seitenaufrufe",
        "Visualizzazioni di pagina",
    ),
    "metric:avg_time_on_page": (
        "Tiempo medio en la página",
        "Tempo médio na página",
        "Durchschnittl. Besuchszeit auf Seite",
    ),
    "metric:interactions": (
        "Interactions",
        "Interacciones",
        "Interações",
        "Interaktionen",
        "Interazioni",
    ),
    "metric:engaged_sessions": (
        "Sessões engajadas",
        "Sitzungen mit Interaktion",
        "Sessioni con coinvolgimento",
    ),
    "metric:key_events": ("Eventos-chave", "Eventi chiave"),
    "metric:ms_spend": (
        "Dépense",
        "Dépenses",
        "Gasto",
        "Gastos",
        "Ausgaben",
        "Spesa",
    ),
    "metric:currency": (
        "Moneda",
        "Código da moeda",
        "Moeda",
        "Währungscode",
        "Währung",
        "Codice valuta",
        "Valuta",
    ),
    "date:day_index": (
        "Índice de días",
        "Índice de dias",
        "Tagesindex",
        "Indice giorno",
    ),
    "date:year_month": ("Ano e mês",),
    "date:week": ("Semana", "Woche", "Settimana"),
    "date:month": ("Mês", "Mese"),
    "date:hour": ("Hora", "Stunde", "Ora"),
    "date:all_time": ("Todo o período", "Tutto il periodo"),
    "dim:page": ("Página", "Seite", "Pagina"),
    "dim:page_title": (
        "Título de la página",
        "Título da página",
        "Seitentitel",
        "Titolo pagina",
    ),
    "dim:gsc_query": (
        "Principais consultas",
        "Häufigste Suchanfragen",
        "Query principali",
    ),
    "dim:gsc_page": ("Principais páginas", "Häufigste Seiten", "Pagine principali"),
    "dim:search_appearance": (
        "Aparência da pesquisa",
        "Darstellung in der Suche",
        "Aspetto nella ricerca",
    ),
    "dim:keyword": ("Palabra clave", "Palavra-chave", "Keyword di ricerca"),
    "dim:search_term": ("Termo de pesquisa", "Suchbegriff", "Termine di ricerca"),
    "dim:ad_group": ("Grupo de anúncios", "Anzeigengruppe", "Gruppo di annunci"),
    "dim:campaign": ("Campanha", "Kampagne", "Campagna"),
}


def flatten(words: Words) -> tuple[str, ...]:
    """Every name of a concept, all languages together."""
    return tuple(name for names in words.values() for name in names)
