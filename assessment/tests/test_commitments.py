"""Service commitments (承诺书): the administrator records the day one was signed; only a signed
commitment reaches the counter screen; the staff member reads theirs on their record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessment.services import commitment_sign
from assessment.tests.conftest import Hall, login
from audit.models import AuditEntry
from catalog.models import StaffProfile
from hall.services.tickets import counter_sign_in
from hall.views_screens import counter_screen_data

pytestmark = pytest.mark.usefixtures("_english")

COMMITMENT = "微笑服务，一次办好。"


def _profile(hall: Hall) -> StaffProfile:
    StaffProfile.objects.filter(user=hall.first).update(commitment=COMMITMENT)
    return StaffProfile.objects.get(user=hall.first)


def test_the_administrator_records_the_signing_of_a_written_commitment(hall: Hall) -> None:
    profile = _profile(hall)
    for refused in (hall.manager, hall.first, hall.outsider):
        with pytest.raises(PermissionDenied):
            commitment_sign(profile=profile, actor=refused, signed_on=dt.date(2026, 11, 2))
    with pytest.raises(ValidationError, match="future"):
        commitment_sign(profile=profile, actor=hall.administrator, signed_on=dt.date(2026, 12, 1))
    unwritten = StaffProfile.objects.get(user=hall.second)
    with pytest.raises(ValidationError, match="no commitment"):
        commitment_sign(profile=unwritten, actor=hall.administrator, signed_on=dt.date(2026, 11, 2))
    commitment_sign(profile=profile, actor=hall.administrator, signed_on=dt.date(2026, 11, 2))
    profile.refresh_from_db()
    assert profile.commitment_signed_on == dt.date(2026, 11, 2)
    assert profile.commitment_recorded_by == hall.administrator
    assert AuditEntry.objects.filter(action="assessment.commitment.sign").count() == 1


def test_only_a_signed_commitment_is_on_the_counter_screen(hall: Hall) -> None:
    profile = _profile(hall)
    counter = hall.counters[0]
    counter_sign_in(counter=counter, staff=hall.first)
    screen = counter_screen_data(counter)["staff"]
    assert screen["commitment"] == ""
    commitment_sign(profile=profile, actor=hall.administrator, signed_on=dt.date(2026, 11, 2))
    screen = counter_screen_data(counter)["staff"]
    assert (screen["commitment"], screen["commitment_signed_on"]) == (COMMITMENT, "2026-11-02")


def test_the_commitment_pages(hall: Hall) -> None:
    _profile(hall)
    record = login(hall.first).get("/assessment/mine/").content.decode()
    assert COMMITMENT in record
    assert "Not signed yet" in record
    assert login(hall.first).get("/assessment/commitments/").status_code == 403
    refused = login(hall.manager).post(
        f"/assessment/commitments/{hall.first.pk}/sign/", {"signed_on": "2026-11-02"}
    )
    assert refused.status_code == 403
    administrator = login(hall.administrator)
    assert COMMITMENT in administrator.get("/assessment/commitments/").content.decode()
    other = login(hall.outsider)
    assert other.post(f"/assessment/commitments/{hall.first.pk}/sign/").status_code == 403
    signed = administrator.post(
        f"/assessment/commitments/{hall.first.pk}/sign/", {"signed_on": "2026-11-02"}
    )
    assert signed.status_code == 302
    assert "Signed on 2026-11-02" in login(hall.first).get("/assessment/mine/").content.decode()
