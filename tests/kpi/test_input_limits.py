"""The import mapping's target fields take any text without a server error."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from core.extensions import db
from kpi.models import ImportBatch
from tests.kpi.conftest import export_bytes

NAME = "google-search-console_performance_dates.csv"


@pytest.mark.parametrize("target", ["9" * 5000, str(2**31), str(2**63), "-1"])
def test_an_impossible_target_indicator_is_no_indicator(
    client, auth, agency, make_indicator, target: str
) -> None:
    a = agency()
    make_indicator(a.project, "audience", name="Clics", frequency="day")
    auth.login(a.admin)
    uploaded = client.post(
        f"/space/projects/{a.project.id}/imports",
        data={"file": (io.BytesIO(export_bytes(NAME)), NAME)},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302
    preview_url = uploaded.headers["Location"]
    shown = client.get(preview_url, query_string={"target-0": target})
    assert shown.status_code == 200
    confirmed = client.post(
        preview_url, data={"action": "confirm", "target-0": target, "target-1": ""}
    )
    assert confirmed.status_code < 500
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0
