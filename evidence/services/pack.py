"""The evidence pack as one ZIP: the summary (PDF, or HTML with a note when
Chromium cannot print it) and the tables (XLSX); each pack made is logged."""

from __future__ import annotations

import io
import logging
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _

from core import audit, exports
from core.audit import Actor
from core.extensions import db
from dashboards.pdf import PdfUnavailable
from evidence import pdf, tables
from evidence.errors import EvidenceError
from evidence.services.facts import FIRST_YEAR, EvidenceFacts
from evidence.services.gather import gather

log = logging.getLogger(__name__)

ACTION = "evidence.pack"


@dataclass(frozen=True)
class Pack:
    """A ZIP ready to hand over; ``pdf_problem`` says why it holds no PDF."""

    file_name: str
    body: bytes
    facts: EvidenceFacts
    pdf_problem: str = ""

    @property
    def has_pdf(self) -> bool:
        return not self.pdf_problem


def parse_year(raw: object, *, today: date) -> int:
    """The year asked for (blank: this year).

    :raises EvidenceError: not a year from 2000 to this one.
    """
    text = "" if raw is None else str(raw).strip()
    if not text:
        return today.year
    if (
        not text.isdigit()
        or len(text) != 4
        or not FIRST_YEAR <= int(text) <= today.year
    ):
        raise EvidenceError(
            _(
                "Année invalide : indiquez une année entre %(first)d et %(last)d.",
                first=FIRST_YEAR,
                last=today.year,
            ),
            field="year",
        )
    return int(text)


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return exports.file_name(ascii_name.lower())


def _member_fields(facts: EvidenceFacts) -> list[tuple[str, Any]]:
    member = facts.member
    return [
        (_("Adhérent"), member.name),
        (_("SIRET"), member.siret),
        (_("Département"), member.department),
        (_("Commune"), member.town),
        (_("Marque"), member.mark_label),
        (_("Version de la charte signée"), member.charter_version or "–"),
        (_("Charte signée le"), member.signed_on),
        (_("Année du dossier"), facts.year),
        (_("Faits arrêtés au"), facts.as_of),
        (_("Préavis demandé avant un changement (jours)"), facts.notice_days),
    ]


def _no_pdf_note(problem: str) -> str:
    reason = (
        _("Chromium est introuvable sur ce serveur")
        if problem == "missing"
        else _("Chromium n'a pas pu l'imprimer")
    )
    return str(
        _(
            "La synthèse de ce dossier n'a pas pu être produite en PDF (%(reason)s) : elle est jointe en HTML. Ouvrez-la dans un navigateur et imprimez-la en PDF ; les tableaux sont dans le fichier XLSX.",
            reason=reason,
        )
    )


def _zip(files: list[tuple[str, bytes]], day: date) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in files:
            info = zipfile.ZipInfo(
                name, date_time=(day.year, day.month, day.day, 0, 0, 0)
            )
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16  # readable once unpacked
            archive.writestr(info, body)
    return buffer.getvalue()


def build_pack(
    actor: Actor | None, member_id: int, year: int, *, today: date
) -> Pack | None:
    """The pack of ``member_id``'s ``year`` in the reader's language (None: no
    such member); the pack is logged (``evidence.pack``) and committed."""
    facts = gather(member_id, year, today=today)
    if facts is None:
        return None
    base = _(
        "dossier-preuves-%(member)s-%(year)d",
        member=_slug(facts.member.name),
        year=year,
    )
    frames = tables.frames(facts, _member_fields(facts))
    dialect = exports.dialect_for(get_locale())
    page = pdf.summary_html(facts)
    files: list[tuple[str, bytes]] = []
    problem = ""
    try:
        files.append((f"{base}.pdf", pdf.summary_pdf(facts, page)))
    except PdfUnavailable as error:
        log.error(
            "evidence pack of member %d for %d without PDF: %s", member_id, year, error
        )
        problem = error.reason
        files.append((f"{base}.html", page.encode("utf-8")))
        files.append(
            (_("LISEZMOI.txt"), (_no_pdf_note(problem) + "\n").encode("utf-8"))
        )
    files.append((f"{base}.xlsx", tables.workbook(frames, dialect)))
    audit.record(
        actor,
        ACTION,
        object_type="member",
        object_id=member_id,
        member_id=member_id,
        detail={"year": year, "pdf": not problem, "as_of": facts.as_of.isoformat()},
    )
    db.session.commit()
    return Pack(f"{base}.zip", _zip(files, facts.as_of), facts, problem)
