"""The pack's summary: an HTML page (its stylesheet inline, so that the same
file reads alone in the ZIP) printed to PDF by Chromium through
:func:`dashboards.pdf.html_to_pdf`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app, render_template
from flask_babel import gettext as _

from dashboards import pdf

if TYPE_CHECKING:
    from evidence.services.facts import EvidenceFacts


def summary_html(facts: EvidenceFacts) -> str:
    """The summary page in the reader's language (no script, no external asset)."""
    by_commitment = {c.code: c for c in facts.commitments}
    return render_template(
        "evidence/summary.html", facts=facts, by_commitment=by_commitment
    )


def _nothing(_path: str) -> tuple[bytes, str] | None:
    """The page asks for no file: anything Chromium would fetch is refused."""
    return None


def summary_pdf(facts: EvidenceFacts, page_html: str) -> bytes:
    """The summary printed to A4.

    :raises dashboards.pdf.PdfUnavailable: no Chromium, or it failed.
    """
    title = _(
        "Dossier de preuves %(year)d · %(member)s",
        year=facts.year,
        member=facts.member.name,
    )
    return pdf.html_to_pdf(
        page_html,
        fetch=_nothing,
        chromium=pdf.find_chromium(current_app.config.get("PDF_CHROMIUM_PATH")),
        title=title,
        footer=_("Page %(page)s / %(pages)s", page="{page}", pages="{pages}"),
        timeout=float(current_app.config["PDF_TIMEOUT_SECONDS"]),
    )
