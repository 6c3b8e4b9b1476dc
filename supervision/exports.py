"""Excel exports of supervision's lists (openpyxl: what Chinese offices exchange)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

import openpyxl
from django.http import HttpResponse
from django.utils.functional import Promise

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: Any) -> Any:
    if isinstance(value, Promise):  # a lazily translated label
        value = str(value)
    # Text that starts with "=" must stay text, not become a formula (CSV injection).
    if isinstance(value, str) and value.startswith("="):
        return f"'{value}"
    return value


def xlsx_response(
    *, filename: str, title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    """One sheet: a header row, then the rows, as a download."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(list(columns))
    for row in rows:
        sheet.append([_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
