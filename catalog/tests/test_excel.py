import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from accounts.models import User
from catalog.excel import (
    ITEM_COLUMNS,
    ITEMS_SHEET,
    MATERIAL_COLUMNS,
    MATERIALS_SHEET,
    ImportRefused,
    items_export_xlsx,
    items_import_xlsx,
)
from catalog.models import (
    Center,
    Department,
    Fee,
    MaterialSpec,
    ProcessStep,
    Question,
    ServiceItem,
)
from catalog.tests.factories import make_center, make_department, make_item, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user() -> User:
    return make_user("importer", is_staff=True)


@pytest.fixture
def center() -> Center:
    center = make_center(name="清河区政务服务中心")
    market = make_department(center, name="市场监督管理局", short_name="市场监管")
    make_department(center, name="卫生健康局", short_name="卫健")
    licence = make_item(
        market,
        basic_code="511A0138000000",
        name="营业执照核发",
        status=ServiceItem.Status.PUBLISHED,
        conditions="第一行\n第二行",
        is_free=False,
    )
    MaterialSpec.objects.create(item=licence, position=0, name="身份证", certificate_type="ID")
    MaterialSpec.objects.create(
        item=licence, position=1, name="=租赁合同", form=MaterialSpec.Form.COPY, copies=2
    )
    Fee.objects.create(item=licence, name="工本费", amount=Decimal("10.50"), basis="物价文件")
    ProcessStep.objects.create(item=licence, position=0, name="受理", days=1)
    Question.objects.create(item=licence, position=0, question="要几天？", answer="三天")
    make_item(
        market,
        basic_code="511A0138000000",
        variant=ServiceItem.Variant.CHANGE,
        level=ServiceItem.Level.VARIANT,
        parent=licence,
        name="营业执照变更",
        statutory_days=10,
        promised_days=1,
    )
    return center


def _snapshot(center: Center) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for item in ServiceItem.objects.of_center(center).order_by("basic_code", "variant"):
        rows.append(
            (
                item.pk,
                item.implementation_code,
                item.name,
                item.parent_id,
                item.conditions,
                item.is_free,
                item.status,
                item.updated_at,
                [(m.pk, m.name, m.form, m.copies) for m in item.materials.all()],
                [(f.pk, f.amount) for f in item.fees.all()],
                [(s.pk, s.name) for s in item.steps.all()],
                [(q.pk, q.answer) for q in item.questions.all()],
            )
        )
    return rows


def _history_rows() -> int:
    return sum(
        model.history.count() for model in (ServiceItem, MaterialSpec, Fee, ProcessStep, Question)
    )


def _item_row(**values: Any) -> list[Any]:
    row: dict[str, Any] = {
        "基本编码": "511B0000000001",
        "事项名称": "新事项",
        "事项类型": "01",
        "层级": "主项",
        "上级事项基本编码": "",
        "办理项": "",
        "主管部门简称": "市场监管",
        "实施主体": "市场监督管理局",
        "服务对象": "个人",
        "法定依据": "《行政许可法》",
        "受理条件": "",
        "是否收费": "否",
        "法定时限": 20,
        "承诺时限": 10,
        "到现场次数": 1,
        "网办深度": 2,
        "可预约": "是",
        "办理地点": "",
        "办理时间": "",
        "咨询电话": "",
        "投诉电话": "",
        "状态": "草稿",
    }
    row.update(values)
    return [row[column] for column in ITEM_COLUMNS]


def _workbook(items: list[list[Any]], materials: list[list[Any]] | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = ITEMS_SHEET
    sheet.append(list(ITEM_COLUMNS))
    for row in items:
        sheet.append(row)
    if materials is not None:
        material_sheet = workbook.create_sheet(MATERIALS_SHEET)
        material_sheet.append(list(MATERIAL_COLUMNS))
        for row in materials:
            material_sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_export_writes_one_row_per_item_and_one_per_material(center: Center) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(items_export_xlsx(center=center)))
    items = list(workbook[ITEMS_SHEET].iter_rows(values_only=True))
    assert items[0] == ITEM_COLUMNS
    assert [row[1] for row in items[1:]] == ["营业执照核发", "营业执照变更"]
    assert items[2][4] == "511A0138000000"  # the variant's parent
    materials = list(workbook[MATERIALS_SHEET].iter_rows(values_only=True))
    assert [row[2] for row in materials[1:]] == ["身份证", "=租赁合同"]


def test_text_beginning_with_an_equals_sign_is_exported_as_text_not_a_formula(
    center: Center,
) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(items_export_xlsx(center=center)))
    cell = workbook[MATERIALS_SHEET]["C3"]
    assert cell.value == "=租赁合同"
    assert cell.data_type == "s"


def test_importing_an_export_into_the_same_center_changes_nothing(
    center: Center, admin_user: User
) -> None:
    before, history = _snapshot(center), _history_rows()
    report = items_import_xlsx(
        center=center, data=items_export_xlsx(center=center), user=admin_user
    )
    assert report.errors == []
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert _snapshot(center) == before
    assert _history_rows() == history


def test_importing_an_export_into_an_empty_center_creates_the_items(
    center: Center, admin_user: User
) -> None:
    other = make_center()
    make_department(other, name="市场监督管理局", short_name="市场监管")
    report = items_import_xlsx(center=other, data=items_export_xlsx(center=center), user=admin_user)
    assert report.errors == []
    assert report.created == 2
    variant = ServiceItem.objects.get(center=other, variant=ServiceItem.Variant.CHANGE)
    assert variant.parent is not None
    assert variant.parent.center == other
    assert variant.implementation_code.startswith(f"511A0138000000-{other.area_code}-")
    main = variant.parent
    assert [m.name for m in main.materials.all()] == ["身份证", "=租赁合同"]
    assert main.fees.get().amount == Decimal("10.50")
    assert main.conditions == "第一行\n第二行"
    assert not main.is_free
    assert main.history.get().history_user == admin_user


def test_an_import_updates_a_changed_item_and_replaces_its_materials(
    center: Center, admin_user: User
) -> None:
    data = _workbook(
        [
            _item_row(
                基本编码="511A0138000000",
                事项名称="营业执照核发（新）",
                法定时限=20,
                承诺时限=5,
                状态="已发布",
            )
        ],
        [["511A0138000000", "", "营业执照申请书", "原件", 1, "是", "", "", ""]],
    )
    report = items_import_xlsx(center=center, data=data, user=admin_user)
    assert report.errors == []
    assert (report.created, report.updated) == (0, 1)
    item = ServiceItem.objects.get(center=center, basic_code="511A0138000000", variant="")
    assert item.name == "营业执照核发（新）"
    assert item.promised_days == 5
    assert "xin" in item.search_text
    assert [m.name for m in item.materials.all()] == ["营业执照申请书"]
    # The sheets 收费, 流程 and 常见问题 are absent from the file: those rows stay.
    assert item.fees.count() == 1


def test_a_new_sub_item_may_name_a_parent_created_by_the_same_file(
    center: Center, admin_user: User
) -> None:
    data = _workbook(
        [
            _item_row(基本编码="511C01", 层级="子项", 上级事项基本编码="511C00", 事项名称="子"),
            _item_row(基本编码="511C00", 事项名称="主"),
        ]
    )
    report = items_import_xlsx(center=center, data=data, user=admin_user)
    assert report.errors == []
    sub = ServiceItem.objects.get(center=center, basic_code="511C01")
    assert sub.parent is not None
    assert sub.parent.name == "主"


def test_every_bad_row_is_reported_and_nothing_is_saved(center: Center, admin_user: User) -> None:
    before, count = _snapshot(center), ServiceItem.objects.count()
    data = _workbook(
        [
            _item_row(基本编码="511D01"),  # row 2 is fine
            _item_row(基本编码="511D02", 主管部门简称="公安"),
            _item_row(基本编码="511D03", 事项类型="11"),
            _item_row(基本编码="511D04", 法定时限=5, 承诺时限=8),
            _item_row(基本编码="511D05", 事项名称=""),
            _item_row(基本编码="511D06", 承诺时限="三天"),
            _item_row(基本编码="511D07", 状态="作废"),
            _item_row(基本编码="511D08", 层级="子项", 上级事项基本编码="999"),
            _item_row(基本编码="511D01"),
            _item_row(基本编码="511A0138000000", 事项名称="改名"),  # fine, but not saved
        ],
        [["511D09", "", "身份证", "原件", 1, "是", "", "", ""]],
    )
    report = items_import_xlsx(center=center, data=data, user=admin_user)
    assert [(error.sheet, error.row) for error in report.errors] == [
        ("事项", 3),
        ("事项", 4),
        ("事项", 5),
        ("事项", 6),
        ("事项", 7),
        ("事项", 8),
        ("事项", 10),
        ("事项", 9),
        ("材料", 2),
    ]
    reasons = [error.reason for error in report.errors]
    assert "公安" in reasons[0]
    assert "承诺时限" in reasons[2]
    assert "999" in reasons[7]
    assert "第 2 行" in reasons[6]
    assert ServiceItem.objects.count() == count
    assert _snapshot(center) == before
    assert (report.created, report.updated) == (0, 0)


def test_an_error_found_only_while_saving_rolls_back_the_rows_saved_before_it(
    center: Center, admin_user: User
) -> None:
    # Another center with the same area code and department code takes the implementation code.
    twin = make_center(area_code=center.area_code)
    department = Department.objects.get(center=center, short_name="市场监管")
    twin_department = make_department(twin, uscc=department.uscc, short_name="市场监管")
    make_item(twin_department, basic_code="511E02")
    count = ServiceItem.objects.count()
    data = _workbook([_item_row(基本编码="511E01"), _item_row(基本编码="511E02")])
    report = items_import_xlsx(center=center, data=data, user=admin_user)
    assert [(error.sheet, error.row) for error in report.errors] == [("事项", 3)]
    assert ServiceItem.objects.count() == count


def test_a_workbook_without_the_items_sheet_is_refused_with_a_reason(
    center: Center, admin_user: User
) -> None:
    workbook = openpyxl.Workbook()
    out = io.BytesIO()
    workbook.save(out)
    report = items_import_xlsx(center=center, data=out.getvalue(), user=admin_user)
    assert not report.ok
    assert "事项" in report.errors[0].reason


def test_a_missing_column_is_named(center: Center, admin_user: User) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = ITEMS_SHEET
    sheet.append([column for column in ITEM_COLUMNS if column != "承诺时限"])
    out = io.BytesIO()
    workbook.save(out)
    report = items_import_xlsx(center=center, data=out.getvalue(), user=admin_user)
    assert "承诺时限" in report.errors[0].reason


def test_a_text_file_renamed_to_xlsx_is_refused(center: Center, admin_user: User) -> None:
    with pytest.raises(ImportRefused, match="不是 Excel 工作簿"):
        items_import_xlsx(center=center, data="基本编码,事项名称\n".encode(), user=admin_user)


def test_a_zip_that_is_no_workbook_is_refused(center: Center, admin_user: User) -> None:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hello")
    with pytest.raises(ImportRefused, match="不是 Excel 工作簿"):
        items_import_xlsx(center=center, data=out.getvalue(), user=admin_user)


def test_a_file_over_ten_megabytes_is_refused(center: Center, admin_user: User) -> None:
    with pytest.raises(ImportRefused, match="10 MB"):
        items_import_xlsx(center=center, data=b"0" * (10 * 1024 * 1024 + 1), user=admin_user)
