"""Export and import of a center's service items as an Excel workbook (docs/catalog-excel.md)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import openpyxl
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from openpyxl.worksheet.worksheet import Worksheet

from accounts.models import User
from catalog.models import (
    Center,
    Department,
    Fee,
    ItemType,
    MaterialSpec,
    ProcessStep,
    Question,
    ServiceItem,
)
from catalog.services import item_refresh_derived, item_save

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# An xlsx is a zip: refuse archives that would inflate far beyond any real catalog.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024

ITEMS_SHEET = "事项"
MATERIALS_SHEET = "材料"
FEES_SHEET = "收费"
STEPS_SHEET = "流程"
QUESTIONS_SHEET = "常见问题"

ITEM_COLUMNS = (
    "基本编码",
    "事项名称",
    "事项类型",
    "层级",
    "上级事项基本编码",
    "办理项",
    "主管部门简称",
    "实施主体",
    "服务对象",
    "法定依据",
    "受理条件",
    "是否收费",
    "法定时限",
    "承诺时限",
    "到现场次数",
    "网办深度",
    "可预约",
    "办理地点",
    "办理时间",
    "咨询电话",
    "投诉电话",
    "状态",
)
MATERIAL_COLUMNS = (
    "基本编码",
    "办理项",
    "材料名称",
    "形式",
    "份数",
    "必要",
    "可由证照代替",
    "来源",
    "备注",
)
FEE_COLUMNS = ("基本编码", "办理项", "收费项目", "金额", "收费依据")
STEP_COLUMNS = ("基本编码", "办理项", "环节名称", "时限", "说明")
QUESTION_COLUMNS = ("基本编码", "办理项", "问题", "解答")

LEVELS = {
    ServiceItem.Level.MAIN: "主项",
    ServiceItem.Level.SUB: "子项",
    ServiceItem.Level.VARIANT: "办理项",
}
VARIANTS = {
    ServiceItem.Variant.NONE: "",
    ServiceItem.Variant.NEW: "新办",
    ServiceItem.Variant.CHANGE: "变更",
    ServiceItem.Variant.RENEWAL: "延续",
    ServiceItem.Variant.CANCELLATION: "注销",
}
SUBJECTS = {
    ServiceItem.Subject.PERSON: "个人",
    ServiceItem.Subject.LEGAL: "法人",
    ServiceItem.Subject.BOTH: "个人和法人",
}
STATUSES = {
    ServiceItem.Status.DRAFT: "草稿",
    ServiceItem.Status.PUBLISHED: "已发布",
    ServiceItem.Status.RETIRED: "已停用",
}
FORMS = {
    MaterialSpec.Form.ORIGINAL: "原件",
    MaterialSpec.Form.COPY: "复印件",
    MaterialSpec.Form.ORIGINAL_AND_COPY: "原件和复印件",
    MaterialSpec.Form.ELECTRONIC: "电子",
}
YES, NO = "是", "否"
_LEVEL_ORDER = {ServiceItem.Level.MAIN: 0, ServiceItem.Level.SUB: 1, ServiceItem.Level.VARIANT: 2}

ItemKey = tuple[str, str]  # (basic code, variant)


@dataclass(frozen=True)
class RowError:
    """One refused row: the sheet, its row number as Excel shows it, and what is wrong."""

    sheet: str
    row: int
    reason: str

    def __str__(self) -> str:
        return _("Sheet %(sheet)s, row %(row)s: %(reason)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "reason": self.reason,
        }


@dataclass
class ImportReport:
    """What an import did, or, when `errors` is not empty, why it saved nothing."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, sheet: str, row: int, reason: str) -> None:
        self.errors.append(RowError(sheet=sheet, row=row, reason=reason))


class ImportRefused(Exception):  # noqa: N818 - a refusal, not a programming error
    """The upload is not an importable workbook at all (too large, not an xlsx)."""


# --- export ------------------------------------------------------------------------------------


def _yes_no(value: bool) -> str:
    return YES if value else NO


def write_sheet(
    workbook: openpyxl.Workbook, title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(list(columns))
    for row in rows:
        sheet.append(list(row))
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            # Text that starts with "=" must stay text, not become a formula (CSV injection).
            if cell.data_type == "f":
                cell.data_type = "s"
    sheet.freeze_panes = "A2"


def items_export_xlsx(*, center: Center) -> bytes:
    """The center's items with their materials, fees, steps and questions as an xlsx workbook."""
    items = list(
        ServiceItem.objects.of_center(center)
        .select_related("department", "parent")
        .prefetch_related("materials", "fees", "steps", "questions")
        .order_by("basic_code", "variant", "pk")
    )
    workbook = openpyxl.Workbook()
    assert workbook.active is not None  # a new workbook has one sheet
    workbook.remove(workbook.active)
    write_sheet(
        workbook,
        ITEMS_SHEET,
        ITEM_COLUMNS,
        (
            (
                item.basic_code,
                item.name,
                item.item_type,
                LEVELS[ServiceItem.Level(item.level)],
                item.parent.basic_code if item.parent else "",
                VARIANTS[ServiceItem.Variant(item.variant)],
                item.department.short_name,
                item.implementing_body,
                SUBJECTS[ServiceItem.Subject(item.subject)],
                item.legal_basis,
                item.conditions,
                _yes_no(not item.is_free),
                item.statutory_days,
                item.promised_days,
                item.visits,
                item.online_level,
                _yes_no(item.appointment_allowed),
                item.place,
                item.hours,
                item.consult_phone,
                item.complaint_phone,
                STATUSES[ServiceItem.Status(item.status)],
            )
            for item in items
        ),
    )

    def key(item: ServiceItem) -> tuple[str, str]:
        return (item.basic_code, VARIANTS[ServiceItem.Variant(item.variant)])

    write_sheet(
        workbook,
        MATERIALS_SHEET,
        MATERIAL_COLUMNS,
        (
            (
                *key(item),
                m.name,
                FORMS[MaterialSpec.Form(m.form)],
                m.copies,
                _yes_no(m.required),
                m.certificate_type,
                m.source,
                m.note,
            )
            for item in items
            for m in item.materials.all()
        ),
    )
    write_sheet(
        workbook,
        FEES_SHEET,
        FEE_COLUMNS,
        ((*key(item), f.name, f.amount, f.basis) for item in items for f in item.fees.all()),
    )
    write_sheet(
        workbook,
        STEPS_SHEET,
        STEP_COLUMNS,
        ((*key(item), s.name, s.days, s.description) for item in items for s in item.steps.all()),
    )
    write_sheet(
        workbook,
        QUESTIONS_SHEET,
        QUESTION_COLUMNS,
        ((*key(item), q.question, q.answer) for item in items for q in item.questions.all()),
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- reading cells -----------------------------------------------------------------------------


class _CellError(Exception):
    pass


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _whole_number(value: Any, column: str, *, low: int = 0, high: int = 32767) -> int:
    text = _text(value)
    if not text:
        raise _CellError(_("%(column)s is empty: enter a whole number.") % {"column": column})
    try:
        number = int(text)
    except ValueError:
        raise _CellError(
            _("%(column)s must be a whole number, not “%(value)s”.")
            % {"column": column, "value": text}
        ) from None
    if not low <= number <= high:
        raise _CellError(
            _("%(column)s must lie between %(low)s and %(high)s, not %(value)s.")
            % {"column": column, "low": low, "high": high, "value": number}
        )
    return number


def _choice(value: Any, column: str, labels: dict[Any, str], *, default: Any = None) -> Any:
    text = _text(value)
    if not text and default is not None:
        return default
    for code, label in labels.items():
        if text in (label, str(code)):
            return code
    raise _CellError(
        _("%(column)s “%(value)s” is not one of: %(allowed)s.")
        % {
            "column": column,
            "value": text,
            "allowed": ", ".join(label for label in labels.values() if label),
        }
    )


def _yes_no_cell(value: Any, column: str, *, default: bool) -> bool:
    return bool(_choice(value, column, {True: YES, False: NO}, default=default))


def _required(value: Any, column: str, max_length: int | None = None) -> str:
    text = _text(value)
    if not text:
        raise _CellError(_("%(column)s is empty: it is required.") % {"column": column})
    return _limited(text, column, max_length)


def _limited(text: str, column: str, max_length: int | None) -> str:
    if max_length is not None and len(text) > max_length:
        raise _CellError(
            _("%(column)s is longer than %(max)s characters.")
            % {"column": column, "max": max_length}
        )
    return text


def _item_type(value: Any, column: str) -> str:
    text = _text(value)
    if text.isdigit():
        text = text.zfill(2)
    if text not in ItemType.values:
        raise _CellError(
            _("%(column)s “%(value)s” is not an item type code (01 to 10, or 20).")
            % {"column": column, "value": _text(value)}
        )
    return text


@dataclass
class _Sheet:
    name: str
    rows: list[tuple[int, dict[str, Any]]]


def _read_sheet(
    workbook: Any, name: str, columns: Sequence[str], report: ImportReport, *, required: bool
) -> _Sheet | None:
    if name not in workbook.sheetnames:
        if required:
            report.error(name, 1, _("The workbook has no sheet named “%(name)s”.") % {"name": name})
        return None
    sheet: Worksheet = workbook[name]
    rows = sheet.iter_rows(values_only=True)
    header = [_text(value) for value in next(rows, ())]
    missing = [column for column in columns if column not in header]
    if missing:
        report.error(
            name,
            1,
            _("The header row lacks the columns: %(columns)s.") % {"columns": ", ".join(missing)},
        )
        return None
    positions = {column: header.index(column) for column in columns}
    result = _Sheet(name=name, rows=[])
    for number, values in enumerate(rows, start=2):
        if all(_text(value) == "" for value in values):
            continue
        padded = list(values) + [None] * (len(header) - len(values))
        result.rows.append((number, {c: padded[i] for c, i in positions.items()}))
    return result


def _open_workbook(data: bytes) -> Any:
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportRefused(
            _("The file is larger than %(size)s MB: split the catalog or remove pictures.")
            % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    not_xlsx = _("The file is not an Excel workbook (.xlsx): save it as .xlsx and try again.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise ImportRefused(_("The workbook unpacks to more than 200 MB: it is refused."))
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportRefused:
        raise
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged file
        raise ImportRefused(not_xlsx) from exc


# --- import ------------------------------------------------------------------------------------


@dataclass
class _ItemRow:
    row: int
    key: ItemKey
    parent_code: str
    fields: dict[str, Any]


def _parse_item_row(
    row: int, cells: dict[str, Any], departments: dict[str, Department]
) -> _ItemRow:
    basic_code = _required(cells["基本编码"], "基本编码", 30)
    level = _choice(cells["层级"], "层级", LEVELS, default=ServiceItem.Level.MAIN)
    variant = _choice(cells["办理项"], "办理项", VARIANTS)
    parent_code = _text(cells["上级事项基本编码"])
    if level == ServiceItem.Level.MAIN and parent_code:
        raise _CellError(_("A main item (主项) has no parent: clear 上级事项基本编码."))
    if level != ServiceItem.Level.MAIN and not parent_code:
        raise _CellError(_("A sub item or handling variant needs 上级事项基本编码."))
    if level == ServiceItem.Level.VARIANT and not variant:
        raise _CellError(
            _("A handling variant (办理项 level) needs 办理项 (新办, 变更, 延续, 注销).")
        )
    department_name = _required(cells["主管部门简称"], "主管部门简称")
    department = departments.get(department_name)
    if department is None:
        raise _CellError(
            _("The center has no department called “%(name)s”: use a department's short name.")
            % {"name": department_name}
        )
    statutory = _whole_number(cells["法定时限"], "法定时限")
    promised = _whole_number(cells["承诺时限"], "承诺时限")
    if promised > statutory:
        raise _CellError(
            _("承诺时限 (%(promised)s) is longer than 法定时限 (%(statutory)s).")
            % {"promised": promised, "statutory": statutory}
        )
    fields = {
        "basic_code": basic_code,
        "name": _required(cells["事项名称"], "事项名称", 150),
        "item_type": _item_type(cells["事项类型"], "事项类型"),
        "level": level,
        "variant": variant,
        "department": department,
        "implementing_body": _required(cells["实施主体"], "实施主体", 100),
        "subject": _choice(
            cells["服务对象"], "服务对象", SUBJECTS, default=ServiceItem.Subject.BOTH
        ),
        "legal_basis": _required(cells["法定依据"], "法定依据"),
        "conditions": _text(cells["受理条件"]),
        "is_free": not _yes_no_cell(cells["是否收费"], "是否收费", default=False),
        "statutory_days": statutory,
        "promised_days": promised,
        "visits": _whole_number(cells["到现场次数"], "到现场次数", high=2),
        "online_level": _whole_number(cells["网办深度"], "网办深度", low=1, high=4),
        "appointment_allowed": _yes_no_cell(cells["可预约"], "可预约", default=True),
        "place": _limited(_text(cells["办理地点"]), "办理地点", 200),
        "hours": _limited(_text(cells["办理时间"]), "办理时间", 200),
        "consult_phone": _limited(_text(cells["咨询电话"]), "咨询电话", 40),
        "complaint_phone": _limited(_text(cells["投诉电话"]), "投诉电话", 40),
        "status": _choice(cells["状态"], "状态", STATUSES, default=ServiceItem.Status.DRAFT),
    }
    return _ItemRow(row=row, key=(basic_code, variant), parent_code=parent_code, fields=fields)


def _parse_material(cells: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": _required(cells["材料名称"], "材料名称", 150),
        "form": _choice(cells["形式"], "形式", FORMS, default=MaterialSpec.Form.ORIGINAL),
        "copies": _whole_number(cells["份数"], "份数"),
        "required": _yes_no_cell(cells["必要"], "必要", default=True),
        "certificate_type": _limited(_text(cells["可由证照代替"]), "可由证照代替", 40),
        "source": _limited(_text(cells["来源"]), "来源", 100),
        "note": _limited(_text(cells["备注"]), "备注", 300),
    }


def _parse_fee(cells: dict[str, Any]) -> dict[str, Any]:
    text = _text(cells["金额"])
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        raise _CellError(_("金额 must be an amount in yuan, not “%(value)s”.") % {"value": text})
    amount = amount.quantize(Decimal("0.01"))
    if amount < 0 or amount >= Decimal("1e8"):
        raise _CellError(_("金额 must lie between 0 and 99,999,999.99 yuan."))
    return {
        "name": _required(cells["收费项目"], "收费项目", 100),
        "amount": amount,
        "basis": _required(cells["收费依据"], "收费依据"),
    }


def _parse_step(cells: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": _required(cells["环节名称"], "环节名称", 60),
        "days": _whole_number(cells["时限"], "时限"),
        "description": _limited(_text(cells["说明"]), "说明", 300),
    }


def _parse_question(cells: dict[str, Any]) -> dict[str, Any]:
    return {
        "question": _required(cells["问题"], "问题", 300),
        "answer": _required(cells["解答"], "解答"),
    }


@dataclass(frozen=True)
class _ChildSheet:
    name: str
    columns: Sequence[str]
    model: type[models.Model]
    parse: Callable[[dict[str, Any]], dict[str, Any]]
    has_position: bool


CHILD_SHEETS = (
    _ChildSheet(MATERIALS_SHEET, MATERIAL_COLUMNS, MaterialSpec, _parse_material, True),
    _ChildSheet(FEES_SHEET, FEE_COLUMNS, Fee, _parse_fee, False),
    _ChildSheet(STEPS_SHEET, STEP_COLUMNS, ProcessStep, _parse_step, True),
    _ChildSheet(QUESTIONS_SHEET, QUESTION_COLUMNS, Question, _parse_question, True),
)


def _sync_children(
    *, item: ServiceItem, spec: _ChildSheet, wanted: list[dict[str, Any]], user: User | None
) -> bool:
    """Make the item's rows of one kind equal the wanted ones, in order; True if any changed."""
    order = ("position", "pk") if spec.has_position else ("pk",)
    existing = list(spec.model._default_manager.filter(item=item).order_by(*order))
    changed = False
    for position, values in enumerate(wanted):
        values = {**values, "position": position} if spec.has_position else values
        if position < len(existing):
            row = existing[position]
            if all(getattr(row, name) == value for name, value in values.items()):
                continue
            for name, value in values.items():
                setattr(row, name, value)
        else:
            row = spec.model(item=item, **values)
        row._history_user = user  # type: ignore[attr-defined]
        row.full_clean()
        row.save()
        changed = True
    for row in existing[len(wanted) :]:
        row._history_user = user  # type: ignore[attr-defined]
        row.delete()
        changed = True
    return changed


def items_import_xlsx(*, center: Center, data: bytes, user: User | None) -> ImportReport:
    """Create or update the center's items from a workbook laid out as items_export_xlsx writes.

    Items are matched by (基本编码, 办理项). Every row is checked; if any is wrong, nothing is
    saved and the report lists every wrong row. Raises ImportRefused for a file that is not an
    xlsx workbook or is too large.
    """
    report = ImportReport()
    workbook = _open_workbook(data)
    try:
        items_sheet = _read_sheet(workbook, ITEMS_SHEET, ITEM_COLUMNS, report, required=True)
        child_sheets = [
            (spec, _read_sheet(workbook, spec.name, spec.columns, report, required=False))
            for spec in CHILD_SHEETS
        ]
    finally:
        workbook.close()
    if items_sheet is None:
        return report

    departments = {d.short_name: d for d in Department.objects.filter(center=center)}
    existing = {
        (item.basic_code, item.variant): item
        for item in ServiceItem.objects.of_center(center).select_related("department", "parent")
    }
    parsed: dict[ItemKey, _ItemRow] = {}
    for row, cells in items_sheet.rows:
        try:
            item_row = _parse_item_row(row, cells, departments)
        except _CellError as exc:
            report.error(ITEMS_SHEET, row, str(exc))
            continue
        if item_row.key in parsed:
            report.error(
                ITEMS_SHEET,
                row,
                _("基本编码 %(code)s with this 办理项 already appears in row %(other)s.")
                % {"code": item_row.key[0], "other": parsed[item_row.key].row},
            )
            continue
        parsed[item_row.key] = item_row
    for item_row in parsed.values():
        parent_key = (item_row.parent_code, "")
        if item_row.parent_code and parent_key not in parsed and parent_key not in existing:
            report.error(
                ITEMS_SHEET,
                item_row.row,
                _("No item with 基本编码 %(code)s (and no 办理项) exists to be the parent.")
                % {"code": item_row.parent_code},
            )
        elif parent_key == item_row.key:
            report.error(ITEMS_SHEET, item_row.row, _("An item cannot be its own parent."))

    children: dict[str, dict[ItemKey, list[dict[str, Any]]]] = {}
    for spec, sheet in child_sheets:
        if sheet is None:
            continue
        per_item: dict[ItemKey, list[dict[str, Any]]] = {key: [] for key in parsed}
        for row, cells in sheet.rows:
            try:
                key = (
                    _required(cells["基本编码"], "基本编码"),
                    _choice(cells["办理项"], "办理项", VARIANTS),
                )
                values = spec.parse(cells)
            except _CellError as exc:
                report.error(spec.name, row, str(exc))
                continue
            if key not in per_item:
                report.error(
                    spec.name,
                    row,
                    _("Item %(code)s %(variant)s is not in sheet 事项 of this file.")
                    % {"code": key[0], "variant": VARIANTS[key[1]]},
                )
                continue
            per_item[key].append(values)
        children[spec.name] = per_item
    if report.errors:
        return report

    with transaction.atomic():
        _save_items(
            center=center,
            parsed=parsed,
            existing=existing,
            children=children,
            user=user,
            report=report,
        )
        if report.errors:
            transaction.set_rollback(True)
            report.created = report.updated = report.unchanged = 0
    return report


def _save_items(
    *,
    center: Center,
    parsed: dict[ItemKey, _ItemRow],
    existing: dict[ItemKey, ServiceItem],
    children: dict[str, dict[ItemKey, list[dict[str, Any]]]],
    user: User | None,
    report: ImportReport,
) -> None:
    saved: dict[ItemKey, ServiceItem] = {}
    # Parents first, so that a sub item can point at a main item created by the same file.
    for item_row in sorted(parsed.values(), key=lambda r: (_LEVEL_ORDER[r.fields["level"]], r.row)):
        item = existing.get(item_row.key) or ServiceItem(center=center)
        is_new = item.pk is None
        parent_key = (item_row.parent_code, "")
        fields: dict[str, Any] = {
            **item_row.fields,
            "parent": (saved.get(parent_key) or existing.get(parent_key))
            if item_row.parent_code
            else None,
        }
        changed = is_new or any(getattr(item, name) != value for name, value in fields.items())
        for name, value in fields.items():
            setattr(item, name, value)
        if not changed:
            # A department's new USCC changes the implementation code of its unchanged items.
            derived = (item.implementation_code, item.search_text)
            item_refresh_derived(item=item)
            changed = derived != (item.implementation_code, item.search_text)
        try:
            with transaction.atomic():
                if changed:
                    item._history_user = user  # type: ignore[attr-defined]
                    item_save(item=item)
                children_changed = False
                for spec in CHILD_SHEETS:
                    per_item = children.get(spec.name)
                    if per_item is not None:
                        children_changed |= _sync_children(
                            item=item, spec=spec, wanted=per_item[item_row.key], user=user
                        )
        except ValidationError as exc:
            report.error(ITEMS_SHEET, item_row.row, "; ".join(exc.messages))
            continue
        except IntegrityError:
            report.error(
                ITEMS_SHEET,
                item_row.row,
                _("The item clashes with another one (its implementation code is taken)."),
            )
            continue
        saved[item_row.key] = item
        if is_new:
            report.created += 1
        elif changed or children_changed:
            report.updated += 1
        else:
            report.unchanged += 1
