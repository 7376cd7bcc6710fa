"""Changing a member's mark asks first (a page that needs no script), and a
member who may not use the mark is not offered the badge."""

from __future__ import annotations

import re

from core.extensions import db
from core.security import Role
from members import services
from members.models import MarkStatus


def test_changing_the_mark_asks_first_then_changes_it(
    client, auth, make_member, make_staff
) -> None:
    member = make_member(name="Agence Verdon")
    auth.login(make_staff(Role.BOARD))
    url = f"/admin/members/{member.id}/mark"
    data = {"mark_status": "suspended", "reason": "Décision du CA du 3 mars"}

    asked = client.post(url, data=data)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert "Êtes-vous sûr de vouloir passer la marque de Agence Verdon" in html
    assert "Décision du CA du 3 mars" in html
    form = re.search(r'data-testid="confirm">(.*?)</form>', html, re.S).group(1)
    # The confirmation reposts the same choice, with confirmed=1.
    assert '<input type="hidden" name="mark_status" value="suspended">' in form
    assert '<input type="hidden" name="confirmed" value="1">' in form
    db.session.refresh(member)
    assert member.mark_status is MarkStatus.ACTIVE

    done = client.post(url, data={**data, "confirmed": "1"})
    assert done.status_code == 302
    db.session.refresh(member)
    assert member.mark_status is MarkStatus.SUSPENDED


def test_a_suspended_member_page_offers_no_badge(
    client, make_member, make_staff
) -> None:
    active = make_member(name="Agence Active")
    suspended = make_member(name="Agence Suspendue")
    services.set_mark_status(
        make_staff(Role.BOARD),
        suspended,
        status=MarkStatus.SUSPENDED,
        reason="Décision du CA",
    )
    offered = client.get(f"/registry/{active.id}").get_data(as_text=True)
    assert "Badge à intégrer" in offered and "badge.svg" in offered

    response = client.get(f"/registry/{suspended.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Badge à intégrer" not in html
    assert "badge.svg" not in html  # neither the preview nor the code to copy
    assert "Le badge de la charte n'est pas proposé" in html
