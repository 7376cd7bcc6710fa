"""A compressed workbook that would inflate past a sane size is refused at once,
before openpyxl reads a byte of its sheet — whatever sizes it declares."""

from __future__ import annotations

import io
import struct
import zipfile

import openpyxl
import pytest

from kpi.errors import ImportRefused
from kpi.importers import parse_export
from tests.kpi.test_background_parse import _upload

SHEET = "xl/worksheets/sheet1.xml"
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
        'openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/><Override '
        'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
        'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://'
        'schemas.openxmlformats.org/package/2006/relationships"><Relationship '
        'Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.'
        'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
        'name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://'
        'schemas.openxmlformats.org/package/2006/relationships"><Relationship '
        'Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def xlsx_bomb(mib: int = 189) -> bytes:
    """A workbook whose one sheet holds ``mib`` MiB of rows of repeated cells."""
    row = b"<row>" + b'<c t="n"><v>1</v></c>' * 20 + b"</row>"
    block = row * (1024 * 1024 // len(row))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        for name, text in _PARTS.items():
            book.writestr(name, text)
        with book.open(SHEET, "w") as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://'
                b'schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            for _ in range(mib):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def lying_about_its_size(data: bytes, declared: int) -> bytes:
    """The same archive, its sheet declaring ``declared`` bytes once inflated."""
    patched = bytearray(data)
    name = SHEET.encode()
    start = 0
    while (start := patched.find(b"PK\x01\x02", start)) != -1:
        name_length = struct.unpack_from("<H", patched, start + 28)[0]
        if patched[start + 46 : start + 46 + name_length] == name:
            struct.pack_into("<I", patched, start + 24, declared)
            local = struct.unpack_from("<I", patched, start + 42)[0]
            struct.pack_into("<I", patched, local + 22, declared)
        start += 4
    return bytes(patched)


@pytest.fixture()
def openpyxl_untouched(monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("openpyxl opened the bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", never)


def test_the_bomb_is_about_half_a_megabyte_and_inflates_to_189_mib() -> None:
    bomb = xlsx_bomb()
    assert 300_000 < len(bomb) < 1_000_000
    with zipfile.ZipFile(io.BytesIO(bomb)) as book:
        inflated = book.getinfo(SHEET).file_size
    assert inflated > 180 * 1024 * 1024
    assert inflated > 200 * len(bomb)


def test_an_xlsx_bomb_is_refused_before_openpyxl_opens_it(
    app, openpyxl_untouched
) -> None:
    with pytest.raises(ImportRefused) as refused:
        parse_export(xlsx_bomb(), "rapport.xlsx")
    assert "Fichier compressé refusé" in str(refused.value)
    assert "Rien n'a été importé" in str(refused.value)


def test_a_bomb_that_declares_small_sizes_is_refused_too(
    app, openpyxl_untouched
) -> None:
    bomb = lying_about_its_size(xlsx_bomb(), declared=10_000)
    with zipfile.ZipFile(io.BytesIO(bomb)) as book:
        assert book.getinfo(SHEET).file_size == 10_000
    with pytest.raises(ImportRefused) as refused:
        parse_export(bomb, "rapport.xlsx")
    assert "endommagé" in str(refused.value)


def test_a_zip_of_csv_that_inflates_400_times_is_refused(app) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("dates.csv", b"Date,Clics\n" + b"2024-01-01,1\n" * 3_000_000)
    with pytest.raises(ImportRefused) as refused:
        parse_export(buffer.getvalue(), "export.zip")
    assert "Fichier compressé refusé" in str(refused.value)


def test_the_upload_form_refuses_the_bomb_with_the_message(
    client, auth, agency, openpyxl_untouched
) -> None:
    a = agency()
    auth.login(a.admin)
    response = _upload(client, a.project.id, xlsx_bomb(), "rapport.xlsx")
    assert response.status_code == 400
    assert "Fichier compressé refusé" in response.get_data(as_text=True)
