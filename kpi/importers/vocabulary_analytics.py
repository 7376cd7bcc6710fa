"""The words of web analytics and search-ads exports, in the UI languages.

Matomo, Universal Analytics, GA4, Plausible, Search Console, Google Ads and
Microsoft Advertising name the same measures differently in each UI language;
the tool modules look columns up here by *concept* (``metric:visits``), never by
a list of their own. Merged into :mod:`kpi.importers.vocabulary`.

Sources, per block: **[matomo]** Matomo's own translation files
(matomo-org/matomo ``lang/{en,fr,es,pt,pt-br,de,it}.json`` and
``plugins/Contents/lang/*.json``, commit f09912cb702a76d06ab1a129a8e0a4e2a61818a8,
keys ``General.Column*`` / ``General.VisitDuration`` / ``Contents.Impressions``)
and the raw API names (``nb_visits``); **[real]** a file in
``tests/data/kpi-exports`` (``real/`` or the shared fixtures); **[api]** the
tool's documented column or API names. Names marked **unverified** are our own
translation of the English UI label, not yet seen in a file or translation file:
they only widen recognition and can be corrected when a real file shows otherwise.
"""

from __future__ import annotations

#: Web analytics and ads measures.
ANALYTICS_METRICS: dict[str, tuple[str, ...]] = {
    # [matomo] General.ColumnNbVisits; Plausible's raw ``visits`` [real].
    "visits": ("nb_visits", "Visits", "Visites", "Visitas", "Besuche", "Visite"),
    # [matomo] General.ColumnNbUniqVisitors.
    "unique_visitors": (
        "nb_uniq_visitors",
        "Unique visitors",
        "Visiteurs uniques",
        "Visitantes únicos",
        "Eindeutige Besucher",
        "Visitatori unici",
    ),
    # Plausible's raw ``visitors`` [real]; the dashboard's other languages
    # are unverified (Plausible's UI is English only).
    "visitors": ("visitors",),
    # [matomo] General.ColumnNbActions ("Azioni nel sito" in Italian).
    "actions": (
        "nb_actions",
        "Actions",
        "Acciones",
        "Ações",
        "Aktionen",
        "Azioni nel sito",
    ),
    # [matomo] General.ColumnPageviews (``nb_hits`` in Actions reports);
    # [real] UA "Pageviews"/"Pages vues", Plausible ``pageviews``. UA's Spanish,
    # German, Italian and Portuguese labels ("Número de páginas vistas",
    # "Seitenaufrufe", "Visualizzazioni di pagina", "Visualizações de página")
    # are unverified.
    "pageviews": (
        "nb_hits",
        "pageviews",
        "Pageviews",
        "Vues de page",
        "Pages vues",
        "Páginas vistas",
        "Número de páginas vistas",
        "Exibições de página",
        "Visualizações de páginas",
        "Visualizações de página",
        "Seitenansichten",
        "Seitenaufrufe",
        "Visualizzazioni pagina",
        "Visualizzazioni di pagina",
    ),
    # [matomo] General.ColumnSumVisitLength.
    "sum_visit_length": (
        "sum_visit_length",
        "Total time spent by visitors (in seconds)",
        "Temps total passé par les visiteurs (en secondes)",
        "Tiempo total de los visitantes en el sitio (en segundos)",
        "Tempo total gasto pelos visitantes (em segundos)",
        "Von Besuchern verbrachte Gesamtzeit (in Sekunden)",
        "Durata totale delle visite (in secondi)",
    ),
    # [matomo] General.VisitDuration (VisitsSummary's avg_time_on_site) and its
    # older French wording [real fixture].
    "avg_time_on_site": (
        "avg_time_on_site",
        "Avg. Visit Duration (in seconds)",
        "Durée moy. des visites (en secondes)",
        "Durée moyenne des visites (en secondes)",
        "Promedio de duración de las visitas (en segundos)",
        "Média da duração das visitas (em segundos)",
        "Duração média das visitas (em segundos)",
        "Durchschn. Besuchszeit (in Sekunden)",
        "Durata media delle visite (in secondi)",
    ),
    # [matomo] General.ColumnAverageTimeOnPage; [real] UA "Avg. Time on Page",
    # "Temps moyen passé sur la page". UA's other languages unverified.
    "avg_time_on_page": (
        "avg_time_on_page",
        "Avg. time on page",
        "Temps moyen sur la page",
        "Temps moyen passé sur la page",
        "Tiempo promedio en la página",
        "Tiempo medio en la página",
        "Média de tempo na página",
        "Tempo médio na página",
        "Durchschnittszeit pro Seite",
        "Durchschnittl. Besuchszeit auf Seite",
        "Tempo medio sulla pagina",
    ),
    # Plausible's raw ``visit_duration`` (average seconds per visit) [real].
    "visit_duration": ("visit_duration",),
    # [matomo] Contents.ContentInteractions (German seen in a real export);
    # the short "Interactions" forms are unverified.
    "interactions": (
        "nb_interactions",
        "Content Interactions",
        "Actions du contenu",
        "Interacciones con el contenido",
        "Interação de Conteúdos",
        "Interações de conteúdo",
        "Inhaltsinteraktionen",
        "Interazioni Contenuto",
        "Interactions",
        "Interacciones",
        "Interações",
        "Interaktionen",
        "Interazioni",
    ),
    # UA "Users" [real]; [matomo] General.ColumnNbUsers for the other languages.
    "users": (
        "nb_users",
        "Users",
        "Utilisateurs",
        "Usuarios",
        "Usuários",
        "Utilizadores",
        "Benutzer",
        "Nutzer",
        "Utenti",
    ),
    # UA "New Users" [real]; GA4's translations (below) are the same words.
    "new_users": (
        "New users",
        "Nouveaux utilisateurs",
        "Usuarios nuevos",
        "Novos usuários",
        "Neue Nutzer",
        "Nuovi utenti",
    ),
    "active_users": (
        "Active users",
        "Utilisateurs actifs",
        "Usuarios activos",
        "Usuários ativos",
        "Aktive Nutzer",
        "Utenti attivi",
    ),
    "total_users": (
        "Total users",
        "Nombre total d'utilisateurs",
        "Utilisateurs au total",
        "Usuarios totales",
        "Total de usuários",
        "Nutzer insgesamt",
        "Utenti totali",
    ),
    "engaged_sessions": (
        "Engaged sessions",
        "Sessions avec engagement",
        "Sessions engagées",
        "Sesiones con interacción",
        "Sessões engajadas",  # unverified
        "Sitzungen mit Interaktion",  # unverified
        "Sessioni con coinvolgimento",  # unverified
    ),
    "event_count": (
        "Event count",
        "Nombre d'événements",
        "Recuento de eventos",
        "Contagem de eventos",
        "Ereignisanzahl",
        "Conteggio eventi",
    ),
    "key_events": (
        "Key events",
        "Événements clés",
        "Eventos clave",
        "Eventos-chave",  # unverified
        "Schlüsselereignisse",
        "Eventi chiave",  # unverified
    ),
    "engagement_per_active_user": (
        "Average engagement time per active user",
        "Durée d'engagement moyenne par utilisateur actif",
        "Temps d'engagement moyen par utilisateur actif",
    ),
    "engagement_time": ("Average engagement time",),
    "engagement_per_session": (
        "Average engagement time per session",
        "Durée d'engagement moyenne par session",
        "Temps d'engagement moyen par session",
    ),
    # Microsoft Advertising's API column [real fixture] and its UI label;
    # the UI's French, Spanish, Portuguese, German and Italian labels
    # ("Dépense", "Gasto", "Gasto", "Ausgaben", "Spesa") are unverified.
    "ms_spend": (
        "Spend",
        "Dépense",
        "Dépenses",
        "Gasto",
        "Gastos",
        "Ausgaben",
        "Spesa",
    ),
    "currency": (
        "CurrencyCode",
        "Currency code",
        "Currency",
        "Code de la devise",
        "Devise",
        "Código de moneda",
        "Moneda",  # unverified
        "Código da moeda",  # unverified
        "Moeda",  # unverified
        "Währungscode",  # unverified
        "Währung",  # unverified
        "Codice valuta",  # unverified
        "Valuta",  # unverified
    ),
}

#: Time columns of analytics and ads reports.
ANALYTICS_DATES: dict[str, tuple[str, ...]] = {
    # UA Audience Overview [real fixtures: en, fr]; other languages unverified.
    "day_index": (
        "Day Index",
        "Index des jours",
        "Índice de días",
        "Índice de dias",
        "Tagesindex",
        "Indice giorno",
    ),
    # GA4 "Year month" and its translations (ga4_layout's former list).
    "year_month": (
        "Year month",
        "Année et mois",
        "Año y mes",
        "Ano e mês",  # unverified
        "Jahr und Monat",
        "Anno e mese",
    ),
    # Google Ads segments [real: "Day"; the rest unverified but for French].
    "week": (
        "Week",
        "Week (Mon - Sun)",
        "Semaine",
        "Semaine (du lundi au dimanche)",
        "Semana",
        "Woche",
        "Settimana",
    ),
    "month": ("Month", "Mois", "Mes", "Mês", "Monat", "Mese"),
    # Microsoft Advertising [api] ``TimePeriod``; its UI's "Gregorian date".
    "time_period": ("TimePeriod", "Time period", "Gregorian date"),
    # Search Console's 24-hour view [real: "Hour"; "Heure" seen in French].
    "hour": ("Hour", "Heure", "Hora", "Stunde", "Ora"),
    # Google Ads' "All time" date range [real: en]; fr/es/de from the former
    # Google Ads list; Portuguese and Italian unverified.
    "all_time": (
        "All time",
        "Toute la période",
        "Todo el periodo",
        "Todo o período",
        "Gesamter Zeitraum",
        "Tutto il periodo",
    ),
    # GA4 preamble lines ``# Start date: 20250201`` [real: en]; the other
    # languages are the former GA4 list (not yet seen in a real file).
    "preamble_start": (
        "Start date",
        "Date de début",
        "Fecha de inicio",
        "Data de início",
        "Data inicial",
        "Startdatum",
        "Data di inizio",
    ),
    "preamble_end": (
        "End date",
        "Date de fin",
        "Fecha de finalización",
        "Fecha de fin",
        "Data de término",
        "Data final",
        "Enddatum",
        "Data di fine",
    ),
}

#: Dimension (row label) columns that tell reports apart.
ANALYTICS_DIMENSIONS: dict[str, tuple[str, ...]] = {
    # Search Console's Filters.csv first column [real: fr "Filtre", en "Filter"].
    "gsc_filter": ("Filter", "Filtre", "Filtro"),
    # [matomo] General.ColumnLabel, and the raw ``label``.
    "label": (
        "label",
        "Label",
        "Name",
        "Nom",
        "Etiqueta",
        "Rótulo",
        "Bezeichnung",
        "Etichetta",
    ),
    # UA All Pages [real: "Page"]; other languages unverified.
    "page": ("Page", "Página", "Seite", "Pagina"),
    "page_title": (
        "Page Title",
        "Titre de la page",
        "Título de la página",
        "Título da página",
        "Seitentitel",
        "Titolo pagina",
    ),
    "page_path_screen_class": (
        "Page path and screen class",
        "Chemin de la page et classe de l'écran",
        "Chemin de la page et classe d'écran",
    ),
    "page_title_screen_class": (
        "Page title and screen class",
        "Titre de la page et classe de l'écran",
        "Titre de la page et classe d'écran",
    ),
    "event_name": (
        "Event name",
        "Nom de l'événement",
        "Nombre del evento",
        "Nome do evento",
        "Ereignisname",
        "Nome evento",
    ),
    # Search Console sheet first columns [real: fr, en; es/de documented].
    "gsc_query": (
        "Top queries",
        "Queries",
        "Requêtes les plus fréquentes",
        "Requêtes",
        "Consultas principales",
        "Principais consultas",  # unverified
        "Häufigste Suchanfragen",  # unverified
        "Query principali",  # unverified
    ),
    "gsc_page": (
        "Top pages",
        "Pages les plus populaires",
        "Pages",
        "Páginas principales",
        "Principais páginas",  # unverified
        "Häufigste Seiten",  # unverified
        "Pagine principali",  # unverified
    ),
    "country": ("Country", "Countries", "Pays", "País", "Land", "Paese"),
    "device": (
        "Device",
        "Devices",
        "Appareil",
        "Appareils",
        "Dispositivo",
        "Gerät",
    ),
    "search_appearance": (
        "Search appearance",
        "Apparence dans les résultats de recherche",
        "Aspecto en la búsqueda",
        "Aparência da pesquisa",  # unverified
        "Darstellung in der Suche",  # unverified
        "Aspetto nella ricerca",  # unverified
    ),
    # Google Ads report kinds [real: en; fr/es from the former lists].
    "keyword": (
        "Keyword",
        "Search keyword",
        "Mot clé",
        "Mot clé de recherche",
        "Palabra clave",  # unverified
        "Palavra-chave",  # unverified
        "Keyword di ricerca",  # unverified
    ),
    "search_term": (
        "Search term",
        "Terme de recherche",
        "Término de búsqueda",
        "Termo de pesquisa",  # unverified
        "Suchbegriff",  # unverified
        "Termine di ricerca",  # unverified
    ),
    "ad_group": (
        "Ad group",
        "Groupe d'annonces",
        "Grupo de anuncios",
        "Anzeigengruppe",  # unverified
        "Gruppo di annunci",  # unverified
    ),
    "campaign": (
        "Campaign",
        "Campagne",
        "Campaña",
        "Campanha",  # unverified
        "Kampagne",  # unverified
        "Campagna",  # unverified
    ),
}
