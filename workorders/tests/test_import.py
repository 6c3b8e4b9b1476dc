"""The 12345 import: a CSV or Excel file is taken in whole or not at all, and only once."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from workorders.imports import ImportRefused, work_orders_import
from workorders.models import Channel, WorkOrder
from workorders.tests.conftest import ID_NUMBER, People, login

HEADING = ["工单编号", "类型", "内容", "姓名", "电话", "身份证号"]
GOOD = [
    ["12345-0001", "投诉", "办证窗口排队太久", "王先生", "13700000003", ""],
    ["12345-0002", "咨询", "社保卡补办要带什么", "", "", ""],
]
BAD = [
    ["12345-0003", "表扬", "窗口服务好", "赵女士", "", ""],
    ["12345-0004", "建议", "", "钱先生", "", "110105194912310021"],
]


def _csv(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(row) for row in rows).encode("utf-8-sig")


def _xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "build"), [("orders.csv", _csv), ("orders.xlsx", _xlsx)])
def test_a_malformed_row_is_reported_by_number_and_nothing_is_saved(
    people: People, name: str, build: object
) -> None:
    assert callable(build)
    data = build([HEADING, *GOOD, *BAD])
    with pytest.raises(ImportRefused) as refused:
        work_orders_import(center=people.world.center, actor=people.manager, name=name, data=data)
    rows = refused.value.rows
    assert {number for number, _message in rows} == {4, 5}
    assert any(number == 4 and "咨询, 求助, 投诉 or 建议" in message for number, message in rows)
    assert any(number == 5 and "Say what the work order" in message for number, message in rows)
    assert any(number == 5 and "check digit" in message for number, message in rows)
    assert not WorkOrder.objects.exists()


def test_importing_the_same_file_twice_takes_each_order_in_once(people: People) -> None:
    data = _xlsx([HEADING, *GOOD])
    center, manager = people.world.center, people.manager
    first = work_orders_import(center=center, actor=manager, name="a.xlsx", data=data)
    second = work_orders_import(center=center, actor=manager, name="b.xlsx", data=data)
    assert (first.created, first.already) == (2, 0)
    assert (second.created, second.already) == (0, 2)
    anonymous = WorkOrder.objects.get(hotline_id="12345-0002")
    assert anonymous.anonymous and anonymous.channel == Channel.HOTLINE
    assert anonymous.kind == "consultation"


def test_the_same_order_twice_in_one_file_is_refused(people: People) -> None:
    data = _csv([HEADING, GOOD[0], GOOD[0]])
    with pytest.raises(ImportRefused) as refused:
        work_orders_import(
            center=people.world.center, actor=people.manager, name="x.csv", data=data
        )
    assert refused.value.rows == [(3, "Order number 12345-0001 is already on row 2.")]


def test_a_file_without_the_columns_or_of_another_kind_is_refused(people: People) -> None:
    center, manager = people.world.center, people.manager
    with pytest.raises(ImportRefused, match="missing: 工单编号"):
        work_orders_import(center=center, actor=manager, name="x.csv", data=b"a,b\n1,2\n")
    with pytest.raises(ImportRefused, match="not an Excel workbook"):
        work_orders_import(center=center, actor=manager, name="x.xlsx", data=b"PK nothing")
    with pytest.raises(ImportRefused, match=r"\.csv or \.xlsx"):
        work_orders_import(center=center, actor=manager, name="x.pdf", data=b"%PDF")


def test_a_gbk_csv_from_excel_is_read(people: People) -> None:
    data = "\n".join(",".join(row) for row in [HEADING, GOOD[0]]).encode("gb18030")
    result = work_orders_import(
        center=people.world.center, actor=people.manager, name="gbk.csv", data=data
    )
    assert result.created == 1
    assert WorkOrder.objects.get().complainant_name == "王先生"


def test_the_import_page_lists_the_faulty_rows(people: People) -> None:
    upload = SimpleUploadedFile("orders.csv", _csv([HEADING, *GOOD, *BAD]))
    page = login(people.manager).post("/workorders/import/", {"file": upload})
    assert page.status_code == 422
    text = page.content.decode()
    assert "Nothing was imported" in text and "<td>4</td>" in text and "<td>5</td>" in text
    assert not WorkOrder.objects.exists()
    refused = login(people.head).post(
        "/workorders/import/", {"file": SimpleUploadedFile("o.csv", _csv([HEADING, *GOOD]))}
    )
    assert refused.status_code == 403


def test_the_api_takes_an_order_in_once_and_checks_csrf(people: People) -> None:
    body = {"hotline_id": "12345-0009", "kind": "complaint", "content": "大厅空调不制冷"}
    client = login(people.manager)
    created = client.post("/api/v1/workorders", json.dumps(body), content_type="application/json")
    assert created.status_code == 201
    number = created.json()["number"]
    again = client.post("/api/v1/workorders", json.dumps(body), content_type="application/json")
    assert again.status_code == 200 and again.json()["number"] == number
    assert WorkOrder.objects.count() == 1
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(people.manager)
    refused = strict.post("/api/v1/workorders", json.dumps(body), content_type="application/json")
    assert refused.status_code in (401, 403)
    head = login(people.head).post(
        "/api/v1/workorders", json.dumps(body), content_type="application/json"
    )
    assert head.status_code == 403
    bad = client.post(
        "/api/v1/workorders",
        json.dumps({**body, "hotline_id": "12345-0010", "id_number": ID_NUMBER[:-1] + "0"}),
        content_type="application/json",
    )
    assert bad.status_code == 422 and "check digit" in bad.json()["message"]
