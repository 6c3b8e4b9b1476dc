"""The big screen opens for a hall display device (its link, then a cookie) or a leader."""

from __future__ import annotations

from django.test import Client

from cases.tests.conftest import login
from hall.auth import device_create
from hall.models import Device
from stats.tests.conftest import Stats


def test_a_display_device_link_opens_the_screen_and_its_figures(stats: Stats) -> None:
    token = device_create(center=stats.hall.center, kind=Device.Kind.DISPLAY, name="LED wall")
    client = Client()
    linked = client.get(f"/stats/screen/?device={token}")
    assert linked.status_code == 302
    assert linked["Location"] == "/stats/screen/"
    assert linked.cookies["govhall_display"]["httponly"]
    page = client.get("/stats/screen/")
    assert page.status_code == 200
    assert b'data-refresh="30"' in page.content
    data = client.get("/stats/screen/data/")
    assert data.status_code == 200
    assert data.json()["totals"]["cases"] == 4
    api = Client().get("/api/v1/stats/dashboard", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 200
    assert api.json()["department"] is None


def test_a_department_head_sees_his_department_on_the_screen(stats: Stats) -> None:
    data = login(stats.hall.head).get("/stats/screen/data/")
    assert data.status_code == 200
    assert data.json()["totals"]["cases"] == 3


def test_strangers_kiosks_and_bad_links_are_refused(stats: Stats) -> None:
    kiosk = device_create(center=stats.hall.center, kind=Device.Kind.KIOSK, name="kiosk")
    assert Client().get(f"/stats/screen/?device={kiosk}").status_code == 403
    assert Client().get("/stats/screen/?device=nonsense").status_code == 403
    assert Client().get("/stats/screen/").status_code == 403
    assert Client().get("/stats/screen/data/").status_code == 403
    assert login(stats.citizen).get("/stats/screen/data/").status_code == 403
    kiosk_api = Client().get("/api/v1/stats/dashboard", HTTP_AUTHORIZATION=f"Bearer {kiosk}")
    assert kiosk_api.status_code == 401
