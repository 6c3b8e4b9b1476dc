"""The screen above a counter: who may open it, and what it shows."""

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from accounts.roles import Role
from catalog.models import StaffProfile
from catalog.tests.factories import make_staff, make_user
from hall.auth import device_create
from hall.models import Device
from hall.services.tickets import counter_sign_in, ticket_call_next, ticket_issue
from hall.tests.factories import Floor, make_floor
from hall.views_screens import DEVICE_COOKIE

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def floor() -> Floor:
    floor = make_floor()
    StaffProfile.objects.filter(user=floor.clerks[0]).update(
        badge_number="QH-0815",
        party_member=True,
        commitment="微笑服务，一次办好。",
        commitment_signed_on=datetime.date(2026, 1, 5),
    )
    counter_sign_in(counter=floor.counters[0], staff=floor.clerks[0])
    return floor


def test_the_counter_screen_shows_the_clerks_badge_party_mark_and_ticket(
    client: Client, floor: Floor
) -> None:
    ticket_issue(category=floor.general)
    ticket_call_next(counter=floor.counters[0], staff=floor.clerks[0])
    client.force_login(floor.clerks[1])
    response = client.get(f"/hall/counter-screen/{floor.counters[0].pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "QH-0815" in page
    assert "窗口1" in page
    assert "微笑服务，一次办好。" in page
    assert "A001" in page
    assert "photo-placeholder.svg" in page
    assert 'class="party-mark" data-part="party">' in page


def test_the_counter_screen_state_follows_the_counter(client: Client, floor: Floor) -> None:
    client.force_login(floor.clerks[0])
    state = client.get(f"/hall/counter-screen/{floor.counters[0].pk}/state/").json()
    assert state["status"] == "free"
    assert state["ticket"] is None
    assert state["staff"]["badge_number"] == "QH-0815"
    assert state["staff"]["party_member"] is True
    closed = client.get(f"/hall/counter-screen/{floor.counters[1].pk}/state/").json()
    assert closed["status"] == "closed"
    assert closed["staff"] is None


def test_a_counter_device_link_is_kept_in_a_cookie(client: Client, floor: Floor) -> None:
    counter = floor.counters[0]
    token = device_create(
        center=floor.center, kind=Device.Kind.COUNTER, name="屏1", counter=counter
    )
    response = client.get(f"/hall/counter-screen/{counter.pk}/", {"device": token})
    assert response.status_code == 302
    assert response["Location"] == f"/hall/counter-screen/{counter.pk}/"
    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert client.get(f"/hall/counter-screen/{counter.pk}/").status_code == 200
    assert client.get(f"/hall/counter-screen/{floor.counters[1].pk}/").status_code == 403


def test_a_display_token_or_a_stranger_cannot_open_the_counter_screen(
    client: Client, floor: Floor
) -> None:
    counter = floor.counters[0]
    display_token = device_create(center=floor.center, kind=Device.Kind.DISPLAY, name="大屏")
    url = f"/hall/counter-screen/{counter.pk}/"
    assert client.get(url, {"device": display_token}).status_code == 403
    assert client.get(url).status_code == 403
    citizen = make_user("citizen")
    client.force_login(citizen)
    assert client.get(url).status_code == 403
    other = make_floor(slug="other")
    outsider = make_user("outsider")
    make_staff(outsider, other.center, Role.CLERK)
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    assert client.get(f"{url}state/").status_code == 403


def test_the_screen_shows_the_photo_of_the_clerk_signed_in_and_nobody_elses(
    client: Client, floor: Floor, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    profile = StaffProfile.objects.get(user=floor.clerks[0])
    profile.photo.save("clerk.png", ContentFile(PNG))
    client.force_login(floor.clerks[1])
    photo = client.get(f"/hall/counter-screen/{floor.counters[0].pk}/state/").json()["staff"][
        "photo"
    ]
    assert photo.startswith(f"/hall/counter-screen/{floor.counters[0].pk}/photo/?v=")
    response = client.get(photo)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.getvalue() == PNG
    # The second counter is closed: no photo, and a stranger sees none at all.
    assert client.get(f"/hall/counter-screen/{floor.counters[1].pk}/photo/").status_code == 404
    client.logout()
    assert client.get(photo).status_code == 403


def test_a_photo_gone_from_the_disk_is_not_found_rather_than_an_error(
    client: Client, floor: Floor, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    profile = StaffProfile.objects.get(user=floor.clerks[0])
    profile.photo.save("clerk.png", ContentFile(PNG))
    Path(profile.photo.path).unlink()
    client.force_login(floor.clerks[1])
    assert client.get(f"/hall/counter-screen/{floor.counters[0].pk}/photo/").status_code == 404
