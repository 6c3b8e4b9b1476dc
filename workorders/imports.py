"""The import of 12345 work orders from a CSV or Excel file: all rows or none."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from accounts.models import User
from catalog.models import Center
from workorders.models import Channel, Kind
from workorders.selectors import work_order_scope
from workorders.services import WorkOrderInput, work_order_input_clean, work_order_receive

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

# Each column by its Chinese heading, which the 12345 platform's exports use, or its English key.
COLUMNS = {
    "hotline_id": ("工单编号", "hotline_id"),
    "kind": ("类型", "kind"),
    "content": ("内容", "content"),
    "name": ("姓名", "name"),
    "mobile": ("电话", "mobile"),
    "id_number": ("身份证号", "id_number"),
}
REQUIRED = ("hotline_id", "kind", "content")
KIND_NAMES = {
    "咨询": Kind.CONSULTATION,
    "求助": Kind.HELP,
    "投诉": Kind.COMPLAINT,
    "建议": Kind.SUGGESTION,
    **{kind.value: kind for kind in Kind},
}


class ImportRefused(ValidationError):  # noqa: N818 -- a refusal, as the page says
    """The file was refused as a whole; `rows` lists each faulty row's problems by row number."""

    def __init__(self, message: str, rows: list[tuple[int, str]] | None = None) -> None:
        super().__init__(message)
        self.rows = rows or []


@dataclass(frozen=True)
class ImportResult:
    created: int
    already: int


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Excel keeps long numbers (order numbers, phones) as floats.
        return str(int(value))
    return str(value).strip()


def _rows_csv(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    raise ImportRefused(_("The CSV file is neither UTF-8 nor GB18030 text: save it as CSV UTF-8."))


def _rows_xlsx(data: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ImportRefused(
            _("The file is not an Excel workbook (.xlsx) that can be read.")
        ) from None
    try:
        sheet = workbook.worksheets[0]
        return [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def file_rows(*, name: str, data: bytes) -> list[list[str]]:
    """The file's rows as text, the heading first: .csv or .xlsx by the file's name."""
    if len(data) > MAX_BYTES:
        raise ImportRefused(_("The file is larger than 5 MB: split it."))
    lowered = name.lower()
    if lowered.endswith(".csv"):
        return _rows_csv(data)
    if lowered.endswith(".xlsx"):
        return _rows_xlsx(data)
    raise ImportRefused(_("Upload a .csv or .xlsx file."))


def _header(row: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, heading in enumerate(row):
        for key, names in COLUMNS.items():
            if heading.strip() in names:
                positions[key] = index
    missing = [COLUMNS[key][0] for key in REQUIRED if key not in positions]
    if missing:
        raise ImportRefused(
            _("The first row must name the columns; missing: %(columns)s.")
            % {"columns": ", ".join(missing)}
        )
    return positions


def _parse(
    rows: list[list[str]], *, center: Center
) -> tuple[list[tuple[int, WorkOrderInput]], list[tuple[int, str]]]:
    if not rows:
        raise ImportRefused(_("The file is empty."))
    positions = _header(rows[0])
    if len(rows) - 1 > MAX_ROWS:
        raise ImportRefused(
            _("The file has more than %(limit)s work orders: split it.") % {"limit": MAX_ROWS}
        )
    parsed: list[tuple[int, WorkOrderInput]] = []
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        values = {key: (row[index] if index < len(row) else "") for key, index in positions.items()}
        if not any(values.values()):
            continue  # a blank line at the end of a sheet
        kind = KIND_NAMES.get(values.get("kind", ""))
        given = WorkOrderInput(
            kind=kind.value if kind is not None else "",
            channel=Channel.HOTLINE,
            content=values.get("content", ""),
            anonymous=not (values.get("name") or values.get("mobile") or values.get("id_number")),
            name=values.get("name", ""),
            mobile=values.get("mobile", ""),
            id_number=values.get("id_number", ""),
            hotline_id=values.get("hotline_id", ""),
        )
        messages: list[str] = []
        if kind is None:
            messages.append(_("The type must be 咨询, 求助, 投诉 or 建议."))
        try:
            given = work_order_input_clean(center=center, given=given)
        except ValidationError as exc:
            messages.extend(
                message
                for field, field_messages in exc.message_dict.items()
                if not (field == "kind" and kind is None)
                for message in field_messages
            )
        first = seen.get(given.hotline_id)
        if given.hotline_id and first is not None:
            messages.append(
                _("Order number %(id)s is already on row %(row)s.")
                % {"id": given.hotline_id, "row": first}
            )
        elif given.hotline_id:
            seen[given.hotline_id] = number
        if messages:
            problems.extend((number, message) for message in messages)
        else:
            parsed.append((number, given))
    return parsed, problems


@transaction.atomic
def work_orders_import(*, center: Center, actor: User, name: str, data: bytes) -> ImportResult:
    """Take in every 12345 order of the file, or none: a faulty row refuses the whole file and
    each faulty row is named by its row number. Orders already taken in are counted, not
    duplicated, so the same file imported twice changes nothing."""
    scope = work_order_scope(actor)
    if scope is None or scope.center_id != center.pk or not scope.dispatches:
        raise PermissionDenied(_("Only the hall manager's office imports work orders."))
    parsed, problems = _parse(file_rows(name=name, data=data), center=center)
    if problems:
        raise ImportRefused(
            _("Nothing was imported: correct these rows and upload the file again."), problems
        )
    if not parsed:
        raise ImportRefused(_("The file has no work orders below its heading row."))
    created = already = 0
    for _number, given in parsed:
        received = work_order_receive(center=center, given=given, actor=actor)
        if received.created:
            created += 1
        else:
            already += 1
    return ImportResult(created=created, already=already)
