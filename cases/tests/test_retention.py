"""Personal-data retention: closed cases past the period lose their applicants' personal data and
files, and still count in supervision's efficiency and the statistics."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from audit.models import AuditEntry
from cases.models import (
    BundleApplication,
    Case,
    CaseMaterial,
    CaseStatus,
    StageStatus,
    private_storage,
)
from cases.retention import cases_anonymise_expired
from cases.services import (
    Applicant,
    Decision,
    bundle_submit,
    case_decide,
    case_withdraw,
    material_upload,
    stage_complete,
)
from cases.tests.conftest import ID_NUMBER, PDF, World, accept, person, submit
from catalog.models import Bundle, BundleItem, ItemField, MaterialSpec
from catalog.search import bundle_form
from govhall.retention import ANONYMISED
from stats.selectors import Scope, totals
from stats.services import stats_rollup_rebuild
from supervision.efficiency import Period, efficiency_table
from supervision.models import Dimension
from workdays.selectors import calendar_current

SEPTEMBER = Period(dt.date(2026, 9, 1), dt.date(2026, 9, 30))


def concluded_with_material(world: World, key: str) -> Case:
    case = submit(world, key=key)
    material_upload(
        case=case, user=world.citizen, upload=SimpleUploadedFile("身份证.pdf", PDF), spec=None
    )
    accept(world, case)
    head = User.objects.filter(username="head").first() or person(
        world, "head", Role.DEPARTMENT_HEAD, world.item.department
    )
    while (stage := case.stages.filter(status=StageStatus.ACTIVE).first()) is not None:
        stage_complete(stage=stage, staff=head, result="Agreed.")
    case_decide(case=case, staff=head, decision=Decision(CaseStatus.CONCLUDED_APPROVED))
    return case


def efficiency(world: World) -> tuple[int, int, int]:
    total = efficiency_table(
        center=world.center,
        period=SEPTEMBER,
        dimension=Dimension.DEPARTMENT,
        calendar=calendar_current(),
    ).total
    return total.concluded, total.on_time, sum(total.days_used.values())


def years_after(years: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=365 * years + years // 4 + 1)


def test_an_old_concluded_case_loses_its_personal_data_and_still_counts(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    case = concluded_with_material(world, "old")
    running = accept(world, submit(world, key="running"))
    material = CaseMaterial.objects.get(case=case)
    path = Path(private_storage.path(material.file.name))
    assert path.exists()
    before = efficiency(world)
    assert before[0] == 1
    stats_rollup_rebuild()
    scope = Scope(center=world.center, department_id=None)
    counted = totals(scope=scope)

    # The files go once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        run = cases_anonymise_expired(now=years_after(31), years=30)

    assert run is not None and run.anonymised == 1 and run.files_deleted == 1
    case.refresh_from_db()
    assert case.anonymised_at is not None
    assert case.applicant_name == ANONYMISED
    assert (case.id_number, case.mobile, case.form_data, case.applicant_user) == ("", "", {}, None)
    # What the figures count stays.
    assert case.status == CaseStatus.CONCLUDED_APPROVED
    assert (case.department_id, case.item_id, case.channel) == (
        world.item.department_id,
        world.item.pk,
        "online",
    )
    assert not CaseMaterial.objects.filter(case=case).exists()
    assert not path.exists()
    assert not Case.objects.filter(id_number=ID_NUMBER).exclude(pk=running.pk).exists()
    assert efficiency(world) == before
    stats_rollup_rebuild()
    assert totals(scope=scope) == counted
    # The running case keeps everything.
    running.refresh_from_db()
    assert running.anonymised_at is None and running.id_number == ID_NUMBER
    entry = AuditEntry.objects.get(action="case.personal_data_removed")
    assert entry.data["cases"] == 1 and entry.data["years"] == 30


def test_a_case_inside_the_period_keeps_its_data(world: World) -> None:
    case = concluded_with_material(world, "recent")
    run = cases_anonymise_expired(now=years_after(29), years=30)
    assert run is not None and run.anonymised == 0
    case.refresh_from_db()
    assert case.anonymised_at is None and case.id_number == ID_NUMBER
    assert CaseMaterial.objects.filter(case=case).exists()


def test_a_second_run_finds_nothing_more(world: World) -> None:
    concluded_with_material(world, "old")
    now = years_after(31)
    first = cases_anonymise_expired(now=now, years=30)
    second = cases_anonymise_expired(now=now, years=30)
    assert first is not None and first.anonymised == 1
    assert second is not None and second.anonymised == 0
    assert AuditEntry.objects.filter(action="case.personal_data_removed").count() == 2


def test_retention_zero_removes_nothing(world: World) -> None:
    case = concluded_with_material(world, "old")
    assert cases_anonymise_expired(now=years_after(31), years=0) is None
    case.refresh_from_db()
    assert case.anonymised_at is None


def test_the_command_uses_the_setting(
    world: World, settings: Any, frozen: time_machine.Traveller
) -> None:
    case = concluded_with_material(world, "old")
    frozen.move_to(years_after(31))
    settings.CASE_RETENTION_YEARS = 0
    call_command("cases_retention", stdout=io.StringIO())
    case.refresh_from_db()
    assert case.anonymised_at is None
    settings.CASE_RETENTION_YEARS = 30
    out = io.StringIO()
    call_command("cases_retention", stdout=out)
    assert out.getvalue().startswith("1 cases")
    case.refresh_from_db()
    assert case.anonymised_at is not None


def test_a_file_shared_with_a_case_still_kept_stays_on_disk(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    case = concluded_with_material(world, "old")
    material = CaseMaterial.objects.get(case=case)
    # As a bundle's cases share one upload (`cases.services._material_share`).
    running = submit(world, key="running")
    CaseMaterial.objects.create(
        case=running,
        file=material.file.name,
        sha256=material.sha256,
        size=material.size,
        content_type=material.content_type,
        original_name=material.original_name,
        uploaded_at=material.uploaded_at,
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = cases_anonymise_expired(now=years_after(31), years=30)
    assert run is not None and run.anonymised == 1 and run.files_deleted == 0
    assert private_storage.exists(material.file.name)
    assert CaseMaterial.objects.filter(case=running).exists()


def bundle_of_two(world: World) -> BundleApplication:
    other = world.other_item
    ItemField.objects.create(item=other, key="shop", label="店名", position=1)
    MaterialSpec.objects.create(item=other, name="营业执照", position=1)
    bundle = Bundle.objects.create(
        center=world.center, code="open-shop", name="开店一件事", published=True
    )
    BundleItem.objects.create(bundle=bundle, item=world.item, position=1)
    BundleItem.objects.create(bundle=bundle, item=other, position=2)
    licence = next(m.key for m in bundle_form(bundle).materials if m.name == "营业执照")
    application, _created = bundle_submit(
        user=world.citizen,
        bundle=bundle,
        applicant=Applicant(kind="person", name="张小三", id_number=ID_NUMBER),
        form_data={"shop": "小三面馆", "kind": "餐饮"},
        idempotency_key="b1",
        uploads={licence: [SimpleUploadedFile("licence.pdf", PDF)]},
    )
    return application


def test_a_bundle_loses_its_applicant_and_shared_file_with_its_last_case(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    application = bundle_of_two(world)
    first, second = application.cases.order_by("pk")
    (name,) = set(CaseMaterial.objects.values_list("file", flat=True))
    # Withdrawn before acceptance: closed at the withdrawal, a case event.
    case_withdraw(case=first, user=world.citizen)
    with django_capture_on_commit_callbacks(execute=True):
        cases_anonymise_expired(now=years_after(31), years=30)
    application.refresh_from_db()
    assert application.applicant_name == "张小三"
    assert private_storage.exists(name)
    case_withdraw(case=second, user=world.citizen)
    with django_capture_on_commit_callbacks(execute=True):
        run = cases_anonymise_expired(now=years_after(31), years=30)
    assert run is not None and run.anonymised == 1 and run.files_deleted == 1
    application.refresh_from_db()
    assert application.applicant_name == ANONYMISED
    assert not private_storage.exists(name)
