"""The dimension columns (row labels) of analytics and ads exports, per UI
language: they tell one report of a tool from another (Matomo's label, UA's page,
Search Console's sheets, Google Ads' report kinds). Sources and conventions as in
:mod:`kpi.importers.vocabulary_analytics`; the names not yet seen in a real file
are listed in its ``UNVERIFIED``.
"""

from __future__ import annotations

from kpi.importers.vocabulary_analytics import Words

#: Dimension (row label) columns that tell reports apart.
ANALYTICS_DIMENSIONS: dict[str, Words] = {
    # [matomo] General.ColumnLabel, and the raw ``label``.
    "label": {
        "api": ("label",),
        "en": ("Label", "Name"),
        "fr": ("Nom",),
        "es": ("Etiqueta",),
        "pt": ("Rótulo", "Etiqueta"),
        "de": ("Bezeichnung",),
        "it": ("Etichetta",),
    },
    # UA All Pages [real: "Page"].
    "page": {
        "en": ("Page",),
        "fr": ("Page",),
        "es": ("Página",),
        "pt": ("Página",),
        "de": ("Seite",),
        "it": ("Pagina",),
    },
    "page_title": {
        "en": ("Page Title",),
        "fr": ("Titre de la page",),
        "es": ("Título de la página",),
        "pt": ("Título da página",),
        "de": ("Seitentitel",),
        "it": ("Titolo pagina",),
    },
    "page_path_screen_class": {
        "en": ("Page path and screen class",),
        "fr": (
            "Chemin de la page et classe de l'écran",
            "Chemin de la page et classe d'écran",
        ),
    },
    "page_title_screen_class": {
        "en": ("Page title and screen class",),
        "fr": (
            "Titre de la page et classe de l'écran",
            "Titre de la page et classe d'écran",
        ),
    },
    # GA4 snapshot's sessions table: the 2026 and 2023 English names, and the
    # 2023 Spanish one [real: ryanpate/invoice-generator, LilyHeAsamiko/GA4,
    # williamm6891/Actividad_1].
    "session_channel_group": {
        "en": (
            "Session primary channel group (Default Channel Group)",
            "Session default channel group",
        ),
        "es": ("Grupo de canales predeterminado de la sesión",),
    },
    "event_name": {
        "en": ("Event name",),
        "fr": ("Nom de l'événement",),
        "es": ("Nombre del evento",),
        "pt": ("Nome do evento",),
        "de": ("Ereignisname",),
        "it": ("Nome evento",),
    },
    # Search Console sheets [real: fr, en; es/de the former list].
    "gsc_filter": {
        "en": ("Filter",),
        "fr": ("Filtre",),
        "es": ("Filtro",),
        "pt": ("Filtro",),
        "de": ("Filter",),
        "it": ("Filtro",),
    },
    "gsc_query": {
        "en": ("Top queries", "Queries"),
        "fr": ("Requêtes les plus fréquentes", "Requêtes"),
        "es": ("Consultas principales",),
        "pt": ("Principais consultas",),
        "de": ("Häufigste Suchanfragen",),
        "it": ("Query principali",),
    },
    "gsc_page": {
        "en": ("Top pages",),
        "fr": ("Pages les plus populaires", "Pages"),
        "es": ("Páginas principales",),
        "pt": ("Principais páginas",),
        "de": ("Häufigste Seiten",),
        "it": ("Pagine principali",),
    },
    "country": {
        "en": ("Country", "Countries"),
        "fr": ("Pays",),
        "es": ("País",),
        "pt": ("País",),
        "de": ("Land",),
        "it": ("Paese",),
    },
    "device": {
        "en": ("Device", "Devices"),
        "fr": ("Appareil", "Appareils"),
        "es": ("Dispositivo",),
        "pt": ("Dispositivo",),
        "de": ("Gerät",),
        "it": ("Dispositivo",),
    },
    "search_appearance": {
        "en": ("Search appearance",),
        "fr": ("Apparence dans les résultats de recherche",),
        "es": ("Aspecto en la búsqueda",),
        "pt": ("Aparência da pesquisa",),
        "de": ("Darstellung in der Suche",),
        "it": ("Aspetto nella ricerca",),
    },
    # Google Ads report kinds [real: en; fr/es the former lists].
    "keyword": {
        "en": ("Keyword", "Search keyword"),
        "fr": ("Mot clé", "Mot clé de recherche"),
        "es": ("Palabra clave",),
        "pt": ("Palavra-chave",),
        "de": ("Keyword",),
        "it": ("Keyword di ricerca",),
    },
    "search_term": {
        "en": ("Search term",),
        "fr": ("Terme de recherche",),
        "es": ("Término de búsqueda",),
        "pt": ("Termo de pesquisa",),
        "de": ("Suchbegriff",),
        "it": ("Termine di ricerca",),
    },
    "ad_group": {
        "en": ("Ad group",),
        "fr": ("Groupe d'annonces",),
        "es": ("Grupo de anuncios",),
        "pt": ("Grupo de anúncios",),
        "de": ("Anzeigengruppe",),
        "it": ("Gruppo di annunci",),
    },
    "campaign": {
        "en": ("Campaign",),
        "fr": ("Campagne",),
        "es": ("Campaña",),
        "pt": ("Campanha",),
        "de": ("Kampagne",),
        "it": ("Campagna",),
    },
}
