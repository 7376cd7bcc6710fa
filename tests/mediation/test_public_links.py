"""Anyone finds the complaint form: in the menu, and on a member's public page."""

from __future__ import annotations


def test_the_menu_links_to_the_complaint_form_for_anonymous_visitors(client) -> None:
    html = client.get("/registry").get_data(as_text=True)
    assert 'href="/complaints/new"' in html
    assert ">Réclamation<" in html


def test_a_members_verification_page_offers_to_file_a_complaint_about_it(
    client, make_member
) -> None:
    member = make_member("Lure Pixels")
    html = client.get(f"/registry/{member.id}").get_data(as_text=True)
    assert f"/complaints/new?member={member.id}" in html
    form = client.get(f"/complaints/new?member={member.id}").get_data(as_text=True)
    assert (
        f'<option selected value="{member.id}">' in form
        or f'value="{member.id}" selected' in form
    )
