from datetime import date
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from workdays.calendar import Calendar
from workdays.models import CalendarYear, Holiday, Source, YearStatus
from workdays.selectors import calendar_version
from workdays.tests.conftest import CSV_2027

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

IMPORT_URL = "/admin/workdays/calendaryear/import-csv/"


def login(client: Client, username: str, *, staff: bool = False, superuser: bool = False) -> None:
    user = get_user_model().objects.create_user(
        username, password="x", is_staff=staff or superuser, is_superuser=superuser
    )
    if staff and not superuser:
        user.user_permissions.add(Permission.objects.get(codename="view_calendaryear"))
    client.force_login(user)


def upload(client: Client, text: str = CSV_2027, year: int = 2027) -> "TestResponse":
    return client.post(
        IMPORT_URL,
        {
            "year": year,
            "source": "official",
            "file": SimpleUploadedFile("2027.csv", text.encode(), content_type="text/csv"),
        },
    )


def test_a_logged_in_outsider_cannot_reach_the_upload(client: Client, calendar: Calendar) -> None:
    login(client, "citizen")
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    upload(client)
    assert CalendarYear.objects.get(year=2027).status == YearStatus.PROVISIONAL


def test_staff_without_the_permission_are_refused(client: Client, calendar: Calendar) -> None:
    login(client, "clerk", staff=True)
    assert client.get(IMPORT_URL).status_code == 403
    assert upload(client).status_code == 403
    assert "Import CSV" not in client.get("/admin/workdays/calendaryear/").content.decode()
    assert CalendarYear.objects.get(year=2027).status == YearStatus.PROVISIONAL


def test_a_superuser_uploads_a_year(client: Client, calendar: Calendar) -> None:
    login(client, "root", superuser=True)
    assert "Import CSV" in client.get("/admin/workdays/calendaryear/").content.decode()
    assert client.get(IMPORT_URL).status_code == 200
    assert upload(client).status_code == 302
    assert CalendarYear.objects.get(year=2027).status == YearStatus.OFFICIAL


def test_a_bad_upload_shows_the_line_and_saves_nothing(client: Client, calendar: Calendar) -> None:
    login(client, "root", superuser=True)
    response = upload(client, CSV_2027 + "2027-13-01,holiday,x\n")
    assert response.status_code == 200
    assert "Line 13" in response.content.decode()
    assert CalendarYear.objects.get(year=2027).status == YearStatus.PROVISIONAL


def test_the_upload_needs_a_csrf_token(calendar: Calendar) -> None:
    client = Client(enforce_csrf_checks=True)
    login(client, "root", superuser=True)
    assert upload(client).status_code == 403


def test_a_day_added_in_the_admin_is_manual_and_changes_the_version(
    client: Client, calendar: Calendar
) -> None:
    login(client, "root", superuser=True)
    before = calendar_version()
    response = client.post(
        "/admin/workdays/holiday/add/",
        {"date": "2026-11-27", "kind": "holiday", "name": "本地节日"},
    )
    assert response.status_code == 302
    assert Holiday.objects.get(date=date(2026, 11, 27)).source == Source.MANUAL
    assert calendar_version() != before


def test_the_holiday_list_filters_by_year_and_kind(client: Client, calendar: Calendar) -> None:
    login(client, "root", superuser=True)
    content = client.get("/admin/workdays/holiday/?year=2026&kind=workday").content.decode()
    assert "国庆节调休上班" in content
    assert "元旦</td>" not in content
    assert client.get("/admin/workdays/holiday/?year=2026&source=package").status_code == 200


def test_deleting_a_year_in_the_admin_takes_it_out_of_the_calendar(
    client: Client, calendar: Calendar
) -> None:
    login(client, "root", superuser=True)
    year = CalendarYear.objects.get(year=2028)
    response = client.post(f"/admin/workdays/calendaryear/{year.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarYear.objects.filter(year=2028).exists()
    assert not Holiday.objects.filter(date__year=2028).exists()
