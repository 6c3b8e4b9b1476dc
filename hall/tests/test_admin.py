import re
from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.roles import Role
from catalog.tests.factories import make_staff, make_user
from hall.auth import device_for_token
from hall.models import Device
from hall.tests.factories import Floor, make_floor

pytestmark = pytest.mark.django_db


@pytest.fixture
def floor() -> Floor:
    return make_floor()


def _administrator(floor: Floor, name: str) -> Client:
    client = Client()
    user = make_user(name, is_staff=True)
    make_staff(user, floor.center, Role.ADMINISTRATOR)
    client.force_login(user)
    return client


def test_an_administrator_registers_a_kiosk_and_sees_its_token_once(floor: Floor) -> None:
    client = _administrator(floor, "admin")
    response = client.post(
        "/admin/hall/device/add/",
        {"center": floor.center.pk, "kind": "kiosk", "name": "一楼取号机", "counter": ""},
        follow=True,
    )
    assert response.status_code == 200
    shown = " ".join(str(message) for message in get_messages(response.wsgi_request))
    device = Device.objects.get()
    words = [word for word in re.split(r"[\s：:，,—]+", shown) if len(word) > 20]
    assert device in [device_for_token(word) for word in words]
    assert all(word not in device.token_hash for word in words)


def test_a_revoked_device_is_refused(floor: Floor) -> None:
    client = _administrator(floor, "admin")
    client.post(
        "/admin/hall/device/add/",
        {"center": floor.center.pk, "kind": "display", "name": "大厅屏", "counter": ""},
    )
    device = Device.objects.get()
    client.post(
        "/admin/hall/device/",
        {"action": "revoke", "_selected_action": [device.pk]},
    )
    device.refresh_from_db()
    assert device.revoked_at is not None


def test_another_centers_administrator_sees_no_devices(floor: Floor) -> None:
    _administrator(floor, "admin").post(
        "/admin/hall/device/add/",
        {"center": floor.center.pk, "kind": "kiosk", "name": "一楼取号机", "counter": ""},
    )
    other = make_floor(slug="other", counters=1)
    client = _administrator(other, "other-admin")
    page = client.get("/admin/hall/device/").content.decode()
    assert "一楼取号机" not in page
    device = Device.objects.get()
    assert client.get(f"/admin/hall/device/{device.pk}/change/").status_code in (302, 404)


def test_a_device_is_registered_from_the_command_line(floor: Floor) -> None:
    out = StringIO()
    number = str(floor.counters[0].number)
    call_command(
        "device_token",
        "--center",
        "qinghe",
        "--kind",
        "counter",
        "--name",
        "终端",
        "--counter",
        number,
        stdout=out,
    )
    device = device_for_token(out.getvalue().strip())
    assert device is not None and device.counter == floor.counters[0]
    with pytest.raises(CommandError):
        call_command("device_token", "--center", "qinghe", "--kind", "counter", "--name", "x")


def test_an_announcement_naming_anything_else_is_refused(floor: Floor) -> None:
    from hall.admin import HallPolicyForm
    from hall.services.tickets import policy_for

    policy = policy_for(floor.center)
    data = {
        field.name: getattr(policy, field.attname)
        for field in policy._meta.concrete_fields
        if field.name != "id"
    }
    for template, valid in (
        ("请{number}号到{counter}号窗口", True),
        ("请{name}号", False),
        ("{", False),
    ):
        form = HallPolicyForm({**data, "call_template": template}, instance=policy)
        assert form.is_valid() is valid, (template, form.errors)
