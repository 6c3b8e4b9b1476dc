"""The catalog compliance report (事前): what it finds, who reads it, and its Excel export."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from accounts.roles import Role
from audit.models import AuditEntry
from catalog.models import Center, Department, Fee, MaterialSpec, ServiceItem, StageSpec
from catalog.tests.factories import make_center, make_department, make_item, make_staff, make_user
from supervision.compliance import compliance_report, stage_days_by_step


@dataclass
class Catalog:
    center: Center
    department: Department
    good: ServiceItem
    no_basis: ServiceItem
    over_rule: ServiceItem
    no_materials: ServiceItem
    fee_without_basis: Fee
    slow_stages: ServiceItem
    supervisor: User
    administrator: User
    head: User
    clerk: User
    citizen: User
    other_supervisor: User


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def published(department: Department, **fields: object) -> ServiceItem:
    item = make_item(department, status=ServiceItem.Status.PUBLISHED, **fields)
    MaterialSpec.objects.create(item=item, name="身份证", position=1)
    return item


@pytest.fixture
def catalog(db: None) -> Catalog:
    center = make_center()
    department = make_department(center)
    good = published(department, name="合规事项", statutory_days=20, promised_days=12)
    no_basis = published(department, name="无依据事项")
    # The form refuses a blank basis; an import or an old row can still hold one.
    ServiceItem.objects.filter(pk=no_basis.pk).update(legal_basis="  ")
    over_rule = published(department, name="超时限事项", statutory_days=20, promised_days=13)
    no_materials = published(department, name="无材料事项")
    no_materials.materials.all().delete()
    charged = published(department, name="收费事项", is_free=False)
    fee = Fee.objects.create(item=charged, name="工本费", amount=Decimal("10.00"), basis=" ")
    Fee.objects.create(
        item=charged, name="证书费", amount=Decimal("5.00"), basis="价格主管部门批复"
    )
    slow_stages = published(department, name="环节超时事项", statutory_days=20, promised_days=5)
    for position, days, group in ((1, 2, ""), (2, 3, "核查"), (2, 1, "核查"), (3, 1, "")):
        StageSpec.objects.create(
            item=slow_stages,
            position=position,
            name=f"环节{position}",
            days=days,
            parallel_group=group,
        )
    draft = make_item(department, name="草稿事项", statutory_days=20, promised_days=20)
    ServiceItem.objects.filter(pk=draft.pk).update(legal_basis="")

    def staff(role: Role, department: Department | None = None) -> User:
        user = make_user()
        make_staff(user, center, role, department=department)
        return user

    other_supervisor = make_user()
    other_center = make_center()
    make_staff(other_supervisor, other_center, Role.SUPERVISOR)
    elsewhere = published(make_department(other_center), name="他中心事项", promised_days=19)
    ServiceItem.objects.filter(pk=elsewhere.pk).update(legal_basis="")
    return Catalog(
        center=center,
        department=department,
        good=good,
        no_basis=no_basis,
        over_rule=over_rule,
        no_materials=no_materials,
        fee_without_basis=fee,
        slow_stages=slow_stages,
        supervisor=staff(Role.SUPERVISOR),
        administrator=staff(Role.ADMINISTRATOR),
        head=staff(Role.DEPARTMENT_HEAD, department),
        clerk=staff(Role.CLERK, department),
        citizen=make_user(),
        other_supervisor=other_supervisor,
    )


def test_each_kind_of_finding_names_its_published_items(catalog: Catalog) -> None:
    report = compliance_report(catalog.center)
    assert report.without_basis == [catalog.no_basis]
    assert report.promise_over_rule == [catalog.over_rule]
    assert report.fees_without_basis == [catalog.fee_without_basis]
    assert report.without_materials == [catalog.no_materials]
    assert [overrun.item for overrun in report.stages_over_promise] == [catalog.slow_stages]
    assert report.findings == 5


def test_parallel_stages_count_once_per_step_with_the_longest(catalog: Catalog) -> None:
    (overrun,) = compliance_report(catalog.center).stages_over_promise
    # 2, then max(3, 1) in parallel, then 1.
    assert overrun.stage_days == 6
    assert overrun.excess_days == 1


@pytest.mark.parametrize(
    ("stages", "days"),
    [
        ([], 0),
        ([("", 2), ("", 3)], 5),
        ([("a", 2), ("a", 4), ("", 1)], 5),
        ([("a", 2), ("b", 4)], 6),
        ([("a", 2), ("", 1), ("a", 4)], 7),
    ],
)
def test_stage_days_add_up_step_by_step(stages: list[tuple[str, int]], days: int) -> None:
    assert stage_days_by_step(stages) == days


def test_stages_within_the_promise_are_not_reported(catalog: Catalog) -> None:
    StageSpec.objects.filter(item=catalog.slow_stages, position=1).update(days=1)
    assert compliance_report(catalog.center).stages_over_promise == []


def test_the_report_gives_the_working_days_saved_over_the_catalog(catalog: Catalog) -> None:
    report = compliance_report(catalog.center)
    items = ServiceItem.objects.filter(center=catalog.center).published()
    assert report.figures.days_saved == sum(item.days_saved for item in items)


def login(user: User) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["supervisor", "administrator"])
def test_supervisors_and_administrators_read_the_report(catalog: Catalog, who: str) -> None:
    response = login(getattr(catalog, who)).get(reverse("supervision:compliance"))
    assert response.status_code == 200
    page = response.content.decode()
    for item in ("无依据事项", "超时限事项", "无材料事项", "工本费", "环节超时事项"):
        assert item in page
    assert "5 findings" in page
    assert "他中心事项" not in page


def test_a_supervisor_of_another_center_reads_his_own_catalog_only(catalog: Catalog) -> None:
    page = login(catalog.other_supervisor).get(reverse("supervision:compliance")).content.decode()
    assert "他中心事项" in page
    assert "无依据事项" not in page


@pytest.mark.parametrize("who", ["head", "clerk", "citizen"])
def test_everyone_else_is_refused(catalog: Catalog, who: str) -> None:
    client = login(getattr(catalog, who))
    assert client.get(reverse("supervision:compliance")).status_code == 403
    assert client.get(reverse("supervision:compliance_xlsx")).status_code == 403


def test_the_export_has_one_sheet_per_kind_of_finding(catalog: Catalog) -> None:
    response = login(catalog.supervisor).get(reverse("supervision:compliance_xlsx"))
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="export")
    assert (entry.actor_id, entry.target_type) == (catalog.supervisor.pk, "supervision.compliance")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "No legal basis",
        "Promise above the rule",
        "Fees without basis",
        "No materials",
        "Stages beyond the promise",
    ]
    rows = list(workbook["Promise above the rule"].iter_rows(values_only=True))
    assert rows[1][1:] == ("超时限事项", catalog.department.name, 20, 13, 12)
    assert list(workbook["Stages beyond the promise"].iter_rows(values_only=True))[1][-2:] == (
        5,
        6,
    )
