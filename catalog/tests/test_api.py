import pytest
from django.test import Client

from catalog.models import ItemType, MaterialSpec, ServiceItem
from catalog.tests.factories import make_center, make_department, make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def licence() -> ServiceItem:
    center = make_center(slug="qinghe")
    market = make_department(center, name="市场监督管理局", short_name="市场监管")
    item = make_item(market, name="营业执照核发", status=ServiceItem.Status.PUBLISHED)
    MaterialSpec.objects.create(item=item, name="身份证", certificate_type="ID_CARD")
    make_item(market, name="食品经营许可", status=ServiceItem.Status.PUBLISHED)
    make_item(market, name="草稿事项", status=ServiceItem.Status.DRAFT)
    return item


def test_items_are_listed_with_a_total_count(client: Client, licence: ServiceItem) -> None:
    response = client.get("/api/v1/items", {"page_size": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert len(body["items"]) == 1


def test_search_finds_items_by_chinese_words_and_pinyin_initials(
    client: Client, licence: ServiceItem
) -> None:
    for search in ("营业执照", "yyzz", "YYZZ", "yingyezhizhao"):
        names = [
            item["name"] for item in client.get("/api/v1/items", {"search": search}).json()["items"]
        ]
        assert names == ["营业执照核发"], search


def test_drafts_are_not_published(client: Client, licence: ServiceItem) -> None:
    names = [item["name"] for item in client.get("/api/v1/items").json()["items"]]
    assert "草稿事项" not in names
    draft = ServiceItem.objects.get(name="草稿事项")
    assert client.get(f"/api/v1/items/{draft.implementation_code}").status_code == 404


def test_items_filter_by_department_and_type(client: Client, licence: ServiceItem) -> None:
    other = make_department(licence.center)
    make_item(other, name="社保参保登记", item_type=ItemType.PUBLIC_SERVICE, status="published")
    by_department = client.get("/api/v1/items", {"department": other.pk}).json()
    assert [item["name"] for item in by_department["items"]] == ["社保参保登记"]
    by_type = client.get("/api/v1/items", {"type": "20"}).json()
    assert by_type["count"] == 1


def test_a_bad_type_or_page_is_a_422_with_a_message(client: Client, licence: ServiceItem) -> None:
    for params in ({"type": "99"}, {"page": "0"}, {"page_size": "1000"}, {"department": "x"}):
        response = client.get("/api/v1/items", params)
        assert response.status_code == 422, params
        assert response.json()["message"]


def test_the_whole_guide_is_returned_by_code(client: Client, licence: ServiceItem) -> None:
    response = client.get(f"/api/v1/items/{licence.implementation_code}")
    assert response.status_code == 200
    guide = response.json()
    assert guide["name"] == "营业执照核发"
    assert guide["statutory_days"] == 20
    assert guide["days_saved"] == 8
    assert guide["materials"][0]["certificate_type"] == "ID_CARD"
    assert guide["guide_pdf"].endswith("/guide.pdf")


def test_an_unknown_code_is_a_404_with_a_message(client: Client, licence: ServiceItem) -> None:
    response = client.get("/api/v1/items/NO-SUCH-CODE")
    assert response.status_code == 404
    assert "NO-SUCH-CODE" in response.json()["message"]


def test_an_unknown_center_is_a_404(client: Client, licence: ServiceItem) -> None:
    response = client.get("/api/v1/items", {"center": "nowhere"})
    assert response.status_code == 404


def test_centers_do_not_share_items(client: Client, licence: ServiceItem) -> None:
    other_center = make_center(slug="other")
    make_item(make_department(other_center), name="别处的事项", status="published")
    names = [
        item["name"] for item in client.get("/api/v1/items", {"center": "other"}).json()["items"]
    ]
    assert names == ["别处的事项"]


def test_departments_are_listed_with_item_counts(client: Client, licence: ServiceItem) -> None:
    departments = client.get("/api/v1/departments").json()
    assert departments == [
        {
            "id": licence.department_id,
            "name": "市场监督管理局",
            "short_name": "市场监管",
            "uscc": licence.department.uscc,
            "item_count": 2,
        }
    ]


def test_the_guide_pdf_contains_the_item_name(client: Client, licence: ServiceItem) -> None:
    from tests.pdf import pdf_text

    response = client.get(f"/api/v1/items/{licence.implementation_code}/guide.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "营业执照核发" in text
    assert "身份证" in text


def test_the_openapi_document_declares_the_error_answers(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    items = schema["paths"]["/api/v1/items"]["get"]["responses"]
    assert {"200", "404", "422"} <= set(items)
