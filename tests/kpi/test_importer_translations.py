"""Every message of the importers has an English translation (pure test)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

KPI_DIR = Path(__file__).resolve().parents[2] / "kpi"


def test_every_importer_message_is_translated_to_english() -> None:
    with (KPI_DIR / "translations/en/LC_MESSAGES/messages.po").open("rb") as file:
        catalog = read_po(file)
    translated = {m.id: m.string for m in catalog if m.id}
    assert not catalog.fuzzy
    for directory in ("importers",):
        for _, _, message, _, _ in extract_from_dir(
            str(KPI_DIR / directory),
            method_map=[("**.py", "python")],
            keywords={"_l": None},
        ):
            assert isinstance(message, str)
            assert translated.get(message), f"untranslated: {message!r}"
