"""From uploaded bytes to a readable document: container type and text decoding.

Detection looks at the content only, never at the file name: a PDF renamed
``.csv`` is refused, an XLSX renamed ``.csv`` is read as a workbook.
"""

from __future__ import annotations

import codecs
import io
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import cached_property
from typing import Any, Literal

from flask_babel import lazy_gettext as _l

from kpi.errors import ImportRefused
from kpi.importers.base import RejectedRow
from kpi.importers.tables import Record, read_records, split_line

ContainerKind = Literal["text", "xlsx", "zip"]

#: Uncompressed bytes we accept to inflate from an archive, per byte allowed upload.
INFLATE_FACTOR = 10
#: An archive inflating past this many times its own size is refused: Apache
#: POI's ZipSecureFile refuses below a 1 % inflate ratio. Real exports stay
#: under ~30× (repeated cells, XML); a 483 KB bomb inflates 400×.
MAX_INFLATE_RATIO = 100
#: Up to this size inflated, the ratio is not checked (tiny files compress well).
RATIO_FREE_BYTES = 8 * 1024 * 1024
_READ_CHUNK = 1024 * 1024

_UTF8_BOM = codecs.BOM_UTF8
_MAGIC: tuple[tuple[bytes, object], ...] = (
    (b"%PDF-", _l("un document PDF")),
    (b"\x89PNG\r\n\x1a\n", _l("une image PNG")),
    (b"\xff\xd8\xff", _l("une image JPEG")),
    (b"GIF87a", _l("une image GIF")),
    (b"GIF89a", _l("une image GIF")),
    (b"RIFF", _l("un fichier audio, vidéo ou image (RIFF)")),
    (b"\x1f\x8b", _l("une archive gzip")),
    (b"Rar!\x1a\x07", _l("une archive RAR")),
    (b"7z\xbc\xaf\x27\x1c", _l("une archive 7-Zip")),
    (b"BZh", _l("une archive bzip2")),
    (b"\x7fELF", _l("un programme exécutable")),
    (b"{\\rtf", _l("un document RTF")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", _l("un ancien fichier Office (.xls, .doc)")),
)


def unsupported(kind: object) -> ImportRefused:
    return ImportRefused(
        _l(
            "Type de fichier non pris en charge : le contenu ressemble à %(kind)s. "
            "Importez un export CSV, TSV, XLSX ou ZIP.",
            kind=kind,
        )
    )


def refuse_empty() -> ImportRefused:
    return ImportRefused(_l("Le fichier est vide."))


def refuse_no_data() -> ImportRefused:
    return ImportRefused(
        _l("Le fichier ne contient aucune donnée (seulement un en-tête ou des titres).")
    )


def check_size(data: bytes, max_bytes: int) -> None:
    """:raises ImportRefused: the upload is larger than ``max_bytes``."""
    if len(data) > max_bytes:
        megabytes = max_bytes / (1024 * 1024)
        shown = f"{megabytes:.0f}" if megabytes >= 10 else f"{megabytes:.1f}"
        raise ImportRefused(
            _l(
                "Le fichier dépasse la taille maximale de %(size)s Mo.",
                size=shown.replace(".", ","),
            )
        )


def sniff_container(data: bytes) -> ContainerKind:
    """Tell a ZIP, an XLSX workbook and text apart by content.

    :raises ImportRefused: empty file or a known non-text format (PDF, images…).
    """
    blank = b" \t\r\n\x00" + _UTF8_BOM
    if not data[:4096].strip(blank) and not data.strip(blank):
        raise refuse_empty()
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (
            zipfile.BadZipFile,
            OSError,
            ValueError,
            EOFError,
            NotImplementedError,  # a damaged header naming an unknown ZIP version
        ) as error:
            raise ImportRefused(
                _l("Archive ZIP ou fichier Excel illisible.")
            ) from error
        if "xl/workbook.xml" in names or "[Content_Types].xml" in names:
            return "xlsx"
        return "zip"
    if data.startswith((b"PK\x05\x06", b"PK\x07\x08")):
        raise ImportRefused(_l("Archive ZIP ou fichier Excel illisible."))
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise unsupported(kind)
    return "text"


# --------------------------------------------------------------------------- #
# Text decoding
# --------------------------------------------------------------------------- #


@dataclass(frozen=True, slots=True)
class DecodedText:
    """Text with ``\\n`` line ends; ``bad_lines`` could not be decoded (1-based)."""

    text: str
    encoding: str
    bad_lines: frozenset[int]


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:400]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.7 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.7 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _normalise_newlines(text: str) -> str:
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_text(data: bytes) -> DecodedText:
    """Decode UTF-8 (with or without BOM), UTF-16 (Matomo) or Windows-1252.

    A file mixing encodings keeps its good lines; the lines that cannot be decoded
    are listed in ``bad_lines`` (and shown with U+FFFD).
    :raises ImportRefused: binary content, or nothing decodes.
    """
    encoding: str | None = None
    body = data
    if data.startswith(_UTF8_BOM):
        encoding, body = "utf-8", data[3:]
    elif data.startswith(codecs.BOM_UTF16_LE):
        encoding, body = "utf-16-le", data[2:]
    elif data.startswith(codecs.BOM_UTF16_BE):
        encoding, body = "utf-16-be", data[2:]
    else:
        encoding = _utf16_without_bom(data)
    if encoding in ("utf-16-le", "utf-16-be"):
        text = _normalise_newlines(body.decode(encoding, errors="replace"))
        bad = frozenset(
            number
            for number, line in enumerate(text.split("\n"), start=1)
            if "\ufffd" in line
        )
        result = DecodedText(text.lstrip("\ufeff"), encoding, bad)
    else:
        if b"\x00" in body:
            raise unsupported(_l("un fichier binaire"))
        result = _decode_8bit(body, encoding or "")
    _refuse_binary_text(result.text)
    if result.bad_lines and len(result.bad_lines) >= sum(
        1 for line in result.text.split("\n") if line.strip()
    ):
        raise ImportRefused(
            _l(
                "Encodage illisible : aucune ligne du fichier n'a pu être décodée "
                "(enregistrez-le en UTF-8)."
            )
        )
    return result


def _decode_8bit(body: bytes, declared: str) -> DecodedText:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return DecodedText(_normalise_newlines(text), "utf-8", frozenset())
    raw_lines = body.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    failing: set[int] = set()
    utf8_accented = 0
    for number, raw in enumerate(raw_lines, start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            failing.add(number)
        else:
            utf8_accented += not raw.isascii()
    use_utf8 = declared == "utf-8" or utf8_accented >= len(failing)
    encoding = "utf-8" if use_utf8 else _legacy_encoding(raw_lines, failing)
    lines: list[str] = []
    bad: set[int] = set()
    for number, raw in enumerate(raw_lines, start=1):
        try:
            lines.append(raw.decode(encoding))
        except UnicodeDecodeError:
            bad.add(number)
            lines.append(raw.decode(encoding, errors="replace"))
    return DecodedText("\n".join(lines), encoding, frozenset(bad))


#: The 8-bit encodings a spreadsheet or an old tool saves Western text in:
#: Windows "ANSI" (Excel on Windows), Mac Roman (Excel for Mac "CSV (Macintosh)"),
#: DOS Latin-1 ("CSV (MS-DOS)"). Windows-1252 unless the text says otherwise.
LEGACY_ENCODINGS = ("cp1252", "mac_roman", "cp850")
_LEGACY_SAMPLE = 64 * 1024


def _legacy_encoding(raw_lines: list[bytes], failing: set[int]) -> str:
    """The 8-bit encoding of the lines that are not UTF-8, as charset-normalizer
    judges it (language coherence, mess ratio) among :data:`LEGACY_ENCODINGS`."""
    from charset_normalizer import from_bytes

    sample = bytearray()
    for number in sorted(failing):
        sample += raw_lines[number - 1] + b"\n"
        if len(sample) > _LEGACY_SAMPLE:
            break
    best = from_bytes(bytes(sample), cp_isolation=list(LEGACY_ENCODINGS)).best()
    if best is None or best.encoding not in LEGACY_ENCODINGS:
        return "cp1252"
    return str(best.encoding)


def _refuse_binary_text(text: str) -> None:
    sample = text[:4096]
    if not sample:
        return
    controls = sum(
        1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\f\v") or ch == "\x7f"
    )
    if controls > 0.05 * len(sample):
        raise unsupported(_l("un fichier binaire"))


# --------------------------------------------------------------------------- #
# Documents
# --------------------------------------------------------------------------- #


class Document:
    """A decoded text file or the first sheet of a workbook, read as rows."""

    def __init__(
        self,
        *,
        filename: str = "",
        decoded: DecodedText | None = None,
        sheet: list[Record] | None = None,
        source: bytes = b"",
    ) -> None:
        self.filename = filename
        self.decoded = decoded
        self.sheet = sheet
        self.source = source

    @property
    def is_sheet(self) -> bool:
        return self.sheet is not None

    @property
    def text(self) -> str:
        return self.decoded.text if self.decoded is not None else ""

    @property
    def bad_lines(self) -> frozenset[int]:
        return self.decoded.bad_lines if self.decoded is not None else frozenset()

    @cached_property
    def lines(self) -> list[str]:
        """Physical lines (text) or cells joined by tabs (sheet), 1-based by index+1."""
        if self.sheet is not None:
            last = self.sheet[-1].line if self.sheet else 0
            by_line = {record.line: "\t".join(record.cells) for record in self.sheet}
            return [by_line.get(number, "") for number in range(1, last + 1)]
        return self.text.split("\n")

    def records(
        self, delimiter: str, *, start: int = 1, stop: int | None = None
    ) -> Iterator[Record | RejectedRow]:
        """Rows from line ``start`` to ``stop`` (inclusive), split on ``delimiter``."""
        if self.sheet is not None:
            for record in self.sheet:
                if record.line >= start and (stop is None or record.line <= stop):
                    yield record
            return
        yield from read_records(
            self.lines, delimiter, start=start, stop=stop, bad_lines=self.bad_lines
        )

    def head(self, count: int = 30) -> list[str]:
        """The first ``count`` physical lines, whole (cheap even on a large file).

        Whole lines matter: a Jira "all fields" header is 379 columns long.
        """
        if self.sheet is not None:
            return self.lines[:count]
        text = self.text
        end = -1
        for _ in range(count):
            end = text.find("\n", end + 1)
            if end < 0:
                return text.split("\n")[:count]
        return text[:end].split("\n")

    @cached_property
    def delimiter(self) -> str:
        """The cell separator of a text file (``,``, ``;`` or a tab); a tab for a
        sheet, whose :attr:`lines` join the cells with tabs."""
        if self.sheet is not None:
            return "\t"
        return sniff_delimiter(self.head(12))


_DELIMITERS = ("\t", ";", ",")


def sniff_delimiter(lines: Sequence[str]) -> str:
    """``,``, ``;`` or a tab: the separator that splits the most lines into the same
    number (> 1) of cells; a comma when nothing splits."""
    sample = [line for line in lines if line.strip()]
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        widths = Counter(
            width
            for width in (len(split_line(line, delimiter)) for line in sample)
            if width > 1
        )
        if not widths:
            continue
        width, lines_of_width = max(widths.items(), key=lambda item: (item[1], item[0]))
        score = (lines_of_width, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def text_document(data: bytes, filename: str = "") -> Document:
    """Decode text bytes into a :class:`Document`.  :raises ImportRefused:"""
    return Document(filename=filename, decoded=decode_text(data), source=data)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Excel keeps 15 significant digits: 0.1 + 0.2 reads 0.3, as Excel shows.
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        return format(Decimal(f"{value:.15g}"), "f")
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value).replace("\r\n", "\n")


def _open_workbook(data: bytes) -> Any:
    """The workbook, read-only. Workbooks written by Google's exports (Search
    Console, Universal Analytics) have no default style: openpyxl warns and
    applies its own, which changes no value."""
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="Workbook contains no default style", category=UserWarning
        )
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)


def sheet_document(data: bytes, filename: str = "", *, max_bytes: int) -> Document:
    """Read the first worksheet of an XLSX workbook.  :raises ImportRefused:"""
    refused = ImportRefused(_l("Fichier Excel illisible ou endommagé."))
    try:
        check_archive(data, max_bytes=max_bytes, damaged=refused)
        workbook = _open_workbook(data)
        try:
            if not workbook.worksheets:
                raise refused
            worksheet = workbook.worksheets[0]
            worksheet.reset_dimensions()
            rows: list[Record] = []
            for number, values in enumerate(worksheet.iter_rows(values_only=True), 1):
                cells = [_cell_text(value) for value in values]
                while cells and not cells[-1].strip():
                    cells.pop()
                if cells:
                    rows.append(Record(number, cells, ";".join(cells)))
        finally:
            workbook.close()
    except ImportRefused:
        raise
    except Exception as error:  # openpyxl raises many types on damaged files
        raise refused from error
    return Document(filename=filename, sheet=rows, source=data)


def inflate_limit(compressed: int, max_bytes: int) -> int:
    """How many bytes an archive of ``compressed`` bytes may inflate to."""
    return min(
        INFLATE_FACTOR * max_bytes,
        max(RATIO_FREE_BYTES, MAX_INFLATE_RATIO * compressed),
    )


def check_archive(
    data: bytes, *, max_bytes: int, damaged: ImportRefused | None = None
) -> None:
    """Refuse a ZIP or XLSX that would inflate past a sane size, BEFORE anything
    parses it: first by the sizes it declares, then by its real bytes, read in
    chunks and never past the limit (declared sizes can lie).

    :raises ImportRefused: too large once inflated, or a damaged archive.
    """
    limit = inflate_limit(len(data), max_bytes)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if sum(info.file_size for info in infos) > limit:
                raise refuse_bomb(limit)
            inflated = 0
            for info in infos:
                with archive.open(info) as member:
                    while chunk := member.read(_READ_CHUNK):
                        inflated += len(chunk)
                        if inflated > limit:
                            raise refuse_bomb(limit)
    except ImportRefused:
        raise
    except Exception as error:  # zipfile/zlib raise many types on damaged archives
        raise (
            damaged or ImportRefused(_l("Archive ZIP illisible ou endommagée."))
        ) from error


def refuse_bomb(limit: int) -> ImportRefused:
    return ImportRefused(
        _l(
            "Fichier compressé refusé : il se décompresserait en plus de "
            "%(size)d Mo, bien plus qu'un export ordinaire. Rien n'a été importé ; "
            "exportez une période plus courte ou au format CSV.",
            size=max(1, limit // (1024 * 1024)),
        )
    )


def check_inflated(max_bytes: int) -> ImportRefused:
    return ImportRefused(
        _l(
            "Archive trop volumineuse une fois décompressée (plus de %(size)d Mo).",
            size=INFLATE_FACTOR * max_bytes // (1024 * 1024),
        )
    )


def read_zip_members(data: bytes, *, max_bytes: int) -> dict[str, bytes]:
    """Data members of a ZIP by base name (folders and hidden files skipped).

    :raises ImportRefused: damaged archive or too large once inflated.
    """
    members: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = [
                info
                for info in archive.infolist()
                if not info.is_dir()
                and not info.filename.rsplit("/", 1)[-1].startswith(".")
                and "__MACOSX" not in info.filename
            ]
            limit = inflate_limit(len(data), max_bytes)
            if sum(info.file_size for info in infos) > limit:
                raise refuse_bomb(limit)
            for info in infos:
                with archive.open(info) as member:
                    content = member.read(max_bytes + 1)
                if len(content) > max_bytes:
                    raise check_inflated(max_bytes)
                members[info.filename.rsplit("/", 1)[-1]] = content
    except ImportRefused:
        raise
    except Exception as error:  # zipfile/zlib raise many types on damaged archives
        raise ImportRefused(_l("Archive ZIP illisible ou endommagée.")) from error
    return members


def workbook_documents(
    data: bytes, filename: str = "", *, max_bytes: int
) -> dict[str, Document]:
    """Every worksheet of an XLSX workbook, by sheet title (exports that spread
    one report over several sheets, such as Search Console's).

    :raises ImportRefused: damaged workbook or too large once inflated.
    """
    try:
        check_archive(
            data,
            max_bytes=max_bytes,
            damaged=ImportRefused(_l("Fichier Excel illisible ou endommagé.")),
        )
        workbook = _open_workbook(data)
        documents: dict[str, Document] = {}
        try:
            for worksheet in workbook.worksheets:
                worksheet.reset_dimensions()
                rows: list[Record] = []
                for number, values in enumerate(
                    worksheet.iter_rows(values_only=True), 1
                ):
                    cells = [_cell_text(value) for value in values]
                    while cells and not cells[-1].strip():
                        cells.pop()
                    if cells:
                        rows.append(Record(number, cells, ";".join(cells)))
                documents[worksheet.title] = Document(
                    filename=f"{filename}/{worksheet.title}", sheet=rows, source=b""
                )
        finally:
            workbook.close()
    except ImportRefused:
        raise
    except Exception as error:  # openpyxl raises many types on damaged files
        raise ImportRefused(_l("Fichier Excel illisible ou endommagé.")) from error
    return documents
