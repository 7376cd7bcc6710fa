"""CSV and XLSX files from the same tables the pages show (pandas + openpyxl)."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

from flask import Response

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM (Excel reads the accents), one header line."""
    csv: str = frame.to_csv(index=False)
    return csv.encode("utf-8-sig")


def to_xlsx(frame: pd.DataFrame, *, sheet: str) -> bytes:
    import pandas as pd

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=_sheet_name(sheet), index=False)
        worksheet = writer.sheets[_sheet_name(sheet)]
        for column in worksheet.columns:
            width = max(len(str(cell.value or "")) for cell in column)
            worksheet.column_dimensions[column[0].column_letter].width = min(
                60, width + 2
            )
    return buffer.getvalue()


def _sheet_name(name: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "data"


def download(frame: pd.DataFrame, *, name: str, fmt: str) -> Response:
    """The file as an attachment named ``<name>.<fmt>``."""
    if fmt == "xlsx":
        body, mimetype = to_xlsx(frame, sheet=name), XLSX_TYPE
    else:
        body, mimetype = to_csv(frame), "text/csv; charset=utf-8"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
