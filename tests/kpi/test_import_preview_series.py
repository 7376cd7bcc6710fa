"""The preview proposes the right series by default and says why (issue 11)."""

from __future__ import annotations

import html
import io
from decimal import Decimal

from sqlalchemy import func, select

from core.extensions import db
from kpi.models import Measurement
from tests.kpi.conftest import export_bytes


def _preview(client, project_id: int, name: str) -> tuple[str, str]:
    uploaded = client.post(
        f"/space/projects/{project_id}/imports",
        data={"file": (io.BytesIO(export_bytes(name)), name)},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302
    url = uploaded.headers["Location"]
    return url, html.unescape(client.get(url).get_data(as_text=True))


def test_an_audience_indicator_gets_visits_not_visitors_and_the_reason(
    client, auth, agency, make_indicator
) -> None:
    a = agency()
    make_indicator(a.project, "audience", name="Fréquentation", frequency="day")
    auth.login(a.admin)
    _, page = _preview(client, a.project.id, "plausible_visitors.csv")
    assert "Visites → Fréquentation" in page
    assert "Visiteurs (somme des jours) → Fréquentation" not in page
    assert "les visites sont retenues plutôt que les utilisateurs ou visiteurs" in page


def test_universal_analytics_feeds_sessions_not_users_to_audience(
    client, auth, agency, make_indicator
) -> None:
    a = agency()
    make_indicator(a.project, "audience", name="Fréquentation", frequency="day")
    auth.login(a.admin)
    _, page = _preview(client, a.project.id, "ua_audience-overview_en-us.csv")
    assert "Sessions → Fréquentation" in page
    assert "Utilisateurs → Fréquentation" not in page


def test_two_events_feed_one_clicks_indicator_as_their_sum(
    client, auth, agency, make_indicator
) -> None:
    a = agency()
    clicks = make_indicator(
        a.project, "clicks", name="Clics sur les visuels", frequency="month"
    )
    auth.login(a.admin)
    url, page = _preview(client, a.project.id, "ga4_events_event-name.csv")
    heading = "Clics sur les visuels (Σ gallery_zoom + image_click) → "
    assert heading + "Clics sur les visuels" in page
    assert "la somme des séries nommées" in page
    client.post(f"{url}/confirm", data={"target-0": str(clicks.id)})
    stored = db.session.scalar(
        select(func.sum(Measurement.value)).where(Measurement.indicator_id == clicks.id)
    )
    assert stored == Decimal("3808")  # 2,841 image_click + 967 gallery_zoom


def test_a_thirty_day_report_is_refused_with_the_reason(
    client, auth, agency, make_indicator
) -> None:
    """17 Jan – 15 Feb (a rolling 30 days) is no indicator period: the member is
    told so, with the account totals and what to do; nothing is stored."""
    a = agency()
    make_indicator(a.project, "custom", name="Clics annonces", frequency="day")
    auth.login(a.admin)
    real = export_bytes("real/google-ads_search-terms-report_2024-01-17.csv")
    uploaded = client.post(
        f"/space/projects/{a.project.id}/imports",
        data={"file": (io.BytesIO(real), "Search terms report.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = html.unescape(uploaded.get_data(as_text=True))
    assert "Clics (annonces) : 7166" in page
    assert "ni un jour, ni une semaine, ni un mois calendaire" in page
    assert "exportez le rapport par jour" in page
    assert db.session.scalar(select(func.count()).select_from(Measurement)) == 0
