import io
import math
from dataclasses import dataclass

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from catalog.excel import ITEMS_SHEET, items_export_xlsx
from catalog.models import Center, Department, ServiceItem
from catalog.selectors import center_for_user, days_saved_total, items_not_compliant
from catalog.tests.factories import (
    make_center,
    make_department,
    make_item,
    make_staff,
    make_user,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/catalog/serviceitem/"
IMPORT = "/admin/catalog/serviceitem/import/"
EXPORT = "/admin/catalog/serviceitem/export/"


@dataclass
class Hall:
    center_a: Center
    center_b: Center
    department_a: Department
    department_b: Department
    item_a: ServiceItem
    item_b: ServiceItem
    admin_b: User


@pytest.fixture
def hall() -> Hall:
    center_a, center_b = make_center(name="甲中心"), make_center(name="乙中心")
    department_a = make_department(center_a, name="甲局", short_name="甲")
    department_b = make_department(center_b, name="乙局", short_name="乙")
    item_a = make_item(department_a, name="甲中心的事项")
    item_b = make_item(department_b, name="乙中心的事项")
    admin_b = make_user("admin_b", is_staff=True)
    make_staff(admin_b, center_b, Role.ADMINISTRATOR)
    return Hall(center_a, center_b, department_a, department_b, item_a, item_b, admin_b)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _item_form(center: Center, department: Department, **values: str) -> dict[str, str]:
    data = {
        "center": str(center.pk),
        "basic_code": "511A9999999999",
        "name": "新的事项",
        "item_type": "01",
        "level": "main",
        "variant": "",
        "department": str(department.pk),
        "implementing_body": "乙局",
        "subject": "both",
        "legal_basis": "《行政许可法》",
        "statutory_days": "20",
        "promised_days": "12",
        "visits": "1",
        "online_level": "2",
        "status": "draft",
    }
    for prefix in (
        "materials",
        "fields",
        "fees",
        "steps",
        "stage_specs",
        "auto_rules",
        "questions",
    ):
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    data.update(values)
    return data


def test_an_administrator_lists_only_the_items_of_their_center(hall: Hall) -> None:
    response = _client(hall.admin_b).get(CHANGELIST)
    assert response.status_code == 200
    assert "乙中心的事项" in response.text
    assert "甲中心的事项" not in response.text
    assert "甲中心" not in response.text  # not even in the list filters


def test_an_administrator_cannot_open_an_item_of_another_center(hall: Hall) -> None:
    client = _client(hall.admin_b)
    assert client.get(f"{CHANGELIST}{hall.item_b.pk}/change/").status_code == 200
    response = client.get(f"{CHANGELIST}{hall.item_a.pk}/change/")
    assert response.status_code in (302, 404)
    assert client.get(f"{CHANGELIST}{hall.item_a.pk}/history/").status_code == 404
    assert client.get(f"{CHANGELIST}nonsense/history/").status_code == 404


def test_an_administrator_cannot_read_the_change_history_of_another_center(hall: Hall) -> None:
    history_id = hall.item_a.history.get().history_id
    client = _client(hall.admin_b)
    response = client.get(f"{CHANGELIST}{hall.item_a.pk}/history/{history_id}/")
    assert response.status_code == 404


def test_a_citizen_is_sent_to_the_admin_login(hall: Hall) -> None:
    citizen = make_user("citizen")
    response = _client(citizen).get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert _client(citizen).get(EXPORT).status_code == 302


def test_staff_without_a_staff_profile_see_no_items(hall: Hall) -> None:
    stranger = make_user("stranger", is_staff=True)
    stranger.user_permissions.add(*Permission.objects.filter(codename__endswith="serviceitem"))
    response = _client(stranger).get(CHANGELIST)
    assert response.status_code == 200
    assert "乙中心的事项" not in response.text
    assert "甲中心的事项" not in response.text
    assert _client(stranger).get(f"{CHANGELIST}add/").status_code == 403


def test_center_for_user_reads_the_staff_profile(hall: Hall) -> None:
    assert center_for_user(hall.admin_b) == hall.center_b
    assert center_for_user(make_user()) is None


def test_the_add_form_offers_only_the_administrators_center_and_departments(hall: Hall) -> None:
    response = _client(hall.admin_b).get(f"{CHANGELIST}add/")
    assert response.status_code == 200
    assert "乙局" in response.text
    assert "甲局" not in response.text
    assert "甲中心" not in response.text


def test_an_item_added_in_the_admin_belongs_to_the_administrators_center(hall: Hall) -> None:
    # The posted center is another one: the disabled field keeps the administrator's own.
    data = _item_form(hall.center_a, hall.department_b)
    response = _client(hall.admin_b).post(f"{CHANGELIST}add/", data)
    assert response.status_code == 302, response.context["adminform"].errors
    item = ServiceItem.objects.get(basic_code="511A9999999999")
    assert item.center == hall.center_b
    assert item.implementation_code == item.compute_implementation_code()
    assert "xindeshixiang" in item.search_text
    assert item.history.get().history_user == hall.admin_b


def test_a_department_of_another_center_is_refused(hall: Hall) -> None:
    data = _item_form(hall.center_b, hall.department_a)
    response = _client(hall.admin_b).post(f"{CHANGELIST}add/", data)
    assert response.status_code == 200
    assert not ServiceItem.objects.filter(basic_code="511A9999999999").exists()


def test_a_promise_longer_than_the_statutory_limit_is_refused(hall: Hall) -> None:
    data = _item_form(hall.center_b, hall.department_b, promised_days="30")
    response = _client(hall.admin_b).post(f"{CHANGELIST}add/", data)
    assert response.status_code == 200
    assert not ServiceItem.objects.filter(basic_code="511A9999999999").exists()


def test_editing_an_item_refreshes_its_search_text(hall: Hall) -> None:
    data = _item_form(
        hall.center_b, hall.department_b, basic_code=hall.item_b.basic_code, name="营业执照"
    )
    response = _client(hall.admin_b).post(f"{CHANGELIST}{hall.item_b.pk}/change/", data)
    assert response.status_code == 302
    hall.item_b.refresh_from_db()
    assert "yyzz" in hall.item_b.search_text


def test_the_publish_and_retire_actions_change_the_status(hall: Hall) -> None:
    client = _client(hall.admin_b)
    client.post(CHANGELIST, {"action": "publish", "_selected_action": [hall.item_b.pk]})
    hall.item_b.refresh_from_db()
    assert hall.item_b.status == ServiceItem.Status.PUBLISHED
    client.post(CHANGELIST, {"action": "retire", "_selected_action": [hall.item_b.pk]})
    hall.item_b.refresh_from_db()
    assert hall.item_b.status == ServiceItem.Status.RETIRED
    # The other center's item is outside the action's queryset.
    client.post(CHANGELIST, {"action": "publish", "_selected_action": [hall.item_a.pk]})
    hall.item_a.refresh_from_db()
    assert hall.item_a.status == ServiceItem.Status.DRAFT


def test_retiring_a_draft_is_refused_with_a_message(hall: Hall) -> None:
    response = _client(hall.admin_b).post(
        CHANGELIST, {"action": "retire", "_selected_action": [hall.item_b.pk]}, follow=True
    )
    hall.item_b.refresh_from_db()
    assert hall.item_b.status == ServiceItem.Status.DRAFT
    assert "cannot become" in response.text or "不能" in response.text


def test_items_promising_more_than_the_rule_allows_are_flagged(hall: Hall) -> None:
    published = ServiceItem.Status.PUBLISHED
    slow = make_item(hall.department_b, name="承诺太长", statutory_days=20, promised_days=13)
    make_item(hall.department_b, name="刚好合规", statutory_days=20, promised_days=12)
    ServiceItem.objects.filter(center=hall.center_b).update(status=published)
    response = _client(hall.admin_b).get(CHANGELIST, {"promise": "over"})
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [slow]
    assert list(items_not_compliant(hall.center_b)) == [slow]


def test_the_compliance_query_agrees_with_the_model_rule_for_every_limit(hall: Hall) -> None:
    for statutory in range(0, 61):
        for promised in range(0, statutory + 1):
            make_item(
                hall.department_a,
                statutory_days=statutory,
                promised_days=promised,
                status=ServiceItem.Status.PUBLISHED,
            )
    expected = {
        item.pk
        for item in ServiceItem.objects.filter(center=hall.center_a)
        if not item.is_promise_compliant()
    }
    assert {item.pk for item in items_not_compliant(hall.center_a)} == expected
    assert all(
        item.promised_days > math.floor(item.statutory_days * 0.6)
        for item in items_not_compliant(hall.center_a)
    )


def test_days_saved_count_only_published_items_of_the_center(hall: Hall) -> None:
    published = ServiceItem.Status.PUBLISHED
    make_item(hall.department_b, statutory_days=20, promised_days=5, status=published)
    make_item(hall.department_b, statutory_days=10, promised_days=6, status=published)
    make_item(hall.department_a, statutory_days=30, promised_days=1, status=published)
    assert days_saved_total(hall.center_b) == 15 + 4
    assert days_saved_total(make_center()) == 0


def test_export_downloads_the_administrators_center_only(hall: Hall) -> None:
    response = _client(hall.admin_b).get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))[ITEMS_SHEET]
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["乙中心的事项"]


def test_the_changelist_links_to_import_and_export(hall: Hall) -> None:
    response = _client(hall.admin_b).get(CHANGELIST)
    assert IMPORT in response.text
    assert EXPORT in response.text


def test_an_import_through_the_admin_reports_its_counts(hall: Hall) -> None:
    data = items_export_xlsx(center=hall.center_b)
    upload = SimpleUploadedFile("items.xlsx", data)
    response = _client(hall.admin_b).post(IMPORT, {"file": upload}, follow=True)
    assert response.status_code == 200
    assert "1 个未变化" in response.text


def test_a_failed_import_shows_the_bad_rows(hall: Hall) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(items_export_xlsx(center=hall.center_b)))
    workbook[ITEMS_SHEET]["M2"] = "twenty"
    out = io.BytesIO()
    workbook.save(out)
    upload = SimpleUploadedFile("items.xlsx", out.getvalue())
    response = _client(hall.admin_b).post(IMPORT, {"file": upload})
    assert response.status_code == 400
    assert response.context["report"].errors[0].row == 2
    assert "twenty" in response.text


def test_a_fake_workbook_upload_gets_a_clear_message(hall: Hall) -> None:
    upload = SimpleUploadedFile("items.xlsx", b"this is text, not a workbook")
    response = _client(hall.admin_b).post(IMPORT, {"file": upload})
    assert response.status_code == 400
    assert response.context["refusal"]


def test_an_upload_over_ten_megabytes_is_refused(hall: Hall) -> None:
    upload = SimpleUploadedFile("items.xlsx", b"0" * (10 * 1024 * 1024 + 1))
    response = _client(hall.admin_b).post(IMPORT, {"file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_import_needs_the_add_and_change_permissions(hall: Hall) -> None:
    viewer = make_user("viewer", is_staff=True)
    make_staff(viewer, hall.center_b)
    viewer.user_permissions.add(Permission.objects.get(codename="view_serviceitem"))
    assert _client(viewer).get(CHANGELIST).status_code == 200
    assert _client(viewer).get(IMPORT).status_code == 403


def test_an_import_without_the_csrf_token_is_refused(hall: Hall) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(hall.admin_b)
    upload = SimpleUploadedFile("items.xlsx", items_export_xlsx(center=hall.center_b))
    assert client.post(IMPORT, {"file": upload}).status_code == 403


def test_a_superuser_chooses_the_center_to_import_into_and_export(hall: Hall) -> None:
    root = User.objects.create_superuser("root", password="password")
    client = _client(root)
    assert client.get(EXPORT).status_code == 200  # the page to choose a center
    response = client.get(EXPORT, {"center": hall.center_a.pk})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))[ITEMS_SHEET]
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["甲中心的事项"]
    target = make_center()
    make_department(target, short_name="甲")
    upload = SimpleUploadedFile("items.xlsx", response.content)
    response = client.post(IMPORT, {"file": upload, "center": target.pk})
    assert response.status_code == 302
    assert ServiceItem.objects.filter(center=target).count() == 1


def test_a_superuser_sees_every_center(hall: Hall) -> None:
    root = User.objects.create_superuser("root", password="password")
    response = _client(root).get(CHANGELIST)
    assert "乙中心的事项" in response.text
    assert "甲中心的事项" in response.text


def test_the_user_admin_shows_full_name_and_mobile() -> None:
    root = User.objects.create_superuser("root", password="password")
    person = make_user("zhang", full_name="张三", mobile="13800000000")
    response = _client(root).get(f"/admin/accounts/user/{person.pk}/change/")
    assert response.status_code == 200
    assert "张三" in response.text
    assert "13800000000" in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/admin/catalog/center/",
        "/admin/catalog/department/",
        "/admin/catalog/queuecategory/",
        "/admin/catalog/counter/",
        "/admin/catalog/staffprofile/",
        "/admin/catalog/lifeevent/",
        "/admin/catalog/itemtypemapping/",
        "/admin/catalog/serviceitem/add/",
        "/admin/catalog/department/add/",
        "/admin/catalog/counter/add/",
    ],
)
def test_every_catalog_page_opens_for_an_administrator(hall: Hall, path: str) -> None:
    assert _client(hall.admin_b).get(path).status_code == 200


def test_an_administrator_sees_only_their_own_departments(hall: Hall) -> None:
    response = _client(hall.admin_b).get("/admin/catalog/department/")
    assert "乙局" in response.text
    assert "甲局" not in response.text
    assert "甲中心" not in response.text
    page = f"/admin/catalog/department/{hall.department_a.pk}/change/"
    assert _client(hall.admin_b).get(page).status_code in (302, 404)


def test_reverse_names_of_the_excel_pages_exist() -> None:
    assert reverse("admin:catalog_serviceitem_import") == IMPORT
    assert reverse("admin:catalog_serviceitem_export") == EXPORT


def test_an_administrator_sees_only_the_bundles_of_their_center(hall: Hall) -> None:
    from catalog.models import Bundle, BundleItem

    own = Bundle.objects.create(center=hall.center_b, code="own", name="乙中心一件事")
    BundleItem.objects.create(bundle=own, item=hall.item_b, position=1)
    other = Bundle.objects.create(center=hall.center_a, code="other", name="甲中心一件事")
    client = _client(hall.admin_b)
    listing = client.get("/admin/catalog/bundle/").content.decode()
    assert "乙中心一件事" in listing and "甲中心一件事" not in listing
    assert client.get(f"/admin/catalog/bundle/{other.pk}/change/").status_code == 302
    page = client.get(f"/admin/catalog/bundle/{own.pk}/change/").content.decode()
    assert hall.item_b.name in page and "甲中心的事项" not in page
