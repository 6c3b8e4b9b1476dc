"""Inspection findings: recorded by an inspector from the scale, with checked private photos,
read by those they concern, answered once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Message
from assessment.models import Category, DeductionRule, Finding
from assessment.services import deduction_scale_ensure, finding_answer, finding_record
from assessment.tests.conftest import JPEG, PDF, PNG, Hall, login
from audit.models import AuditEntry
from govhall.errors import ConflictError


def _photo(content: bytes = JPEG, name: str = "p.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def deduction(hall: Hall, **fields: object) -> Finding:
    values: dict[str, object] = {
        "inspector": hall.inspector,
        "kind": Finding.Kind.DEDUCTION,
        "category": Category.PHONE,
        "staff": hall.first,
        "note": "窗口工作时间玩手机",
    }
    values.update(fields)
    return finding_record(**values)  # type: ignore[arg-type]


def test_a_deduction_takes_the_scale_points_and_the_staff_members_counter(hall: Hall) -> None:
    finding = deduction(hall)
    assert finding.points == Decimal("1.00")
    assert finding.counter == hall.counters[0]
    assert finding.department == hall.department
    assert Message.objects.filter(user=hall.first, kind="assessment.finding").count() == 1
    assert AuditEntry.objects.filter(action="assessment.finding.deduction").count() == 1


def test_the_centers_own_scale_replaces_the_default(hall: Hall) -> None:
    rules = deduction_scale_ensure(center=hall.floor.center)
    assert len(rules) == len(Category.values)
    DeductionRule.objects.filter(center=hall.floor.center, category=Category.PHONE).update(
        points=Decimal("3")
    )
    assert deduction(hall).points == Decimal("3.00")
    assert deduction(hall, points="0.5").points == Decimal("0.50")


def test_praise_carries_no_points_nor_category(hall: Hall) -> None:
    finding = deduction(hall, kind=Finding.Kind.PRAISE, category=Category.ATTITUDE, points="5")
    assert (finding.points, finding.category) == (Decimal("0"), "")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"category": ""}, "category"),
        ({"kind": "reward"}, "kind"),
        ({"note": "  "}, "note"),
        ({"staff": None}, "staff"),
        ({"points": "lots"}, "points"),
        ({"points": "-1"}, "points"),
        ({"photos": [_photo(), _photo(), _photo(), _photo()]}, "photos"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(
    hall: Hall, fields: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        deduction(hall, **fields)
    assert field in refused.value.message_dict
    assert not Finding.objects.exists()


def test_a_photo_is_checked_by_content_not_name(hall: Hall) -> None:
    with pytest.raises(ValidationError, match="not a JPEG or PNG"):
        deduction(hall, photos=[_photo(PDF, "photo.jpg")])
    finding = deduction(hall, photos=[_photo(), _photo(PNG, "b.png")])
    assert [photo.content_type for photo in finding.photos.all()] == ["image/jpeg", "image/png"]


def test_only_inspectors_of_the_center_record_and_only_its_staff(hall: Hall) -> None:
    with pytest.raises(PermissionDenied):
        deduction(hall, inspector=hall.manager)
    # Another center's inspector finds no one of this center on its own staff.
    with pytest.raises(ValidationError) as refused:
        deduction(hall, inspector=hall.outsider)
    assert "staff" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        deduction(hall, staff=hall.outsider)
    assert "staff" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        deduction(
            hall,
            staff=None,
            counter=hall.outsider.staff_profile.center.counters.first() or hall.counters[0],
            inspector=hall.outsider,
        )
    assert "counter" in refused.value.message_dict


def test_the_photo_is_served_to_those_the_finding_concerns_only(hall: Hall) -> None:
    finding = deduction(hall, photos=[_photo()])
    photo = finding.photos.get()
    url = f"/assessment/findings/{finding.pk}/photos/{photo.pk}/"
    for reader in (hall.first, hall.inspector, hall.head, hall.manager, hall.supervisor):
        answer = login(reader).get(url)
        assert answer.status_code == 200, reader
        assert b"".join(answer.streaming_content) == JPEG  # type: ignore[attr-defined]
    for outsider in (hall.second, hall.other_head, hall.outsider):
        assert login(outsider).get(url).status_code in (403, 404), outsider
    assert AuditEntry.objects.filter(action="assessment.photo.read").count() == 5


def test_the_person_answers_once(hall: Hall) -> None:
    finding = deduction(hall)
    with pytest.raises(PermissionDenied):
        finding_answer(finding=finding, user=hall.second, text="不是我")
    with pytest.raises(ValidationError):
        finding_answer(finding=finding, user=hall.first, text=" ")
    finding_answer(finding=finding, user=hall.first, text="已整改")
    with pytest.raises(ConflictError):
        finding_answer(finding=finding, user=hall.first, text="再说一次")
    finding.refresh_from_db()
    assert finding.answer == "已整改"


def test_the_inspector_records_through_the_form_and_the_person_answers_on_the_page(
    hall: Hall,
) -> None:
    inspector = login(hall.inspector)
    assert inspector.get("/assessment/findings/new/").status_code == 200
    answer = inspector.post(
        "/assessment/findings/new/",
        {
            "kind": "deduction",
            "category": "attitude",
            "staff": str(hall.first.pk),
            "note": "态度生硬",
            "photos": [_photo()],
        },
    )
    assert answer.status_code == 302
    finding = Finding.objects.get()
    assert finding.photos.count() == 1
    bad = inspector.post("/assessment/findings/new/", {"kind": "deduction", "staff": "x"})
    assert bad.status_code == 400
    assert b"Choose from the list." in bad.content
    person = login(hall.first)
    page = person.get(f"/assessment/findings/{finding.pk}/")
    assert b"Your answer (given once)" in page.content
    person.post(f"/assessment/findings/{finding.pk}/", {"answer": "接受批评"})
    again = person.post(f"/assessment/findings/{finding.pk}/", {"answer": "再答"})
    assert again.status_code == 409
    assert login(hall.second).get(f"/assessment/findings/{finding.pk}/").status_code == 404
    assert login(hall.second).get("/assessment/findings/new/").status_code == 403


def test_lists_show_each_reader_what_they_may_read(hall: Hall) -> None:
    deduction(hall)
    deduction(hall, staff=hall.second, category=Category.APPEARANCE)
    assert len(login(hall.first).get("/assessment/findings/").context["findings"]) == 1
    assert len(login(hall.head).get("/assessment/findings/").context["findings"]) == 2
    assert len(login(hall.other_head).get("/assessment/findings/").context["findings"]) == 0
    assert login(hall.outsider).get("/assessment/findings/").status_code == 200
    assert len(login(hall.outsider).get("/assessment/findings/").context["findings"]) == 0
