import pytest
from django.test import Client

from catalog.models import MaterialSpec, ServiceItem
from catalog.services import item_save
from catalog.tests.factories import make_center, make_department, make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def item() -> ServiceItem:
    center = make_center(slug="qinghe")
    return make_item(make_department(center), name="营业执照核发", status="published")


def _guide(client: Client, item: ServiceItem) -> tuple[str, str]:
    response = client.get(f"/c/qinghe/items/{item.implementation_code}/")
    assert response.status_code == 200
    return response["X-Cache"], response.content.decode()


def test_a_second_visit_is_served_from_the_cache(client: Client, item: ServiceItem) -> None:
    assert _guide(client, item)[0] == "miss"
    cached, page = _guide(client, item)
    assert cached == "hit"
    assert "营业执照核发" in page


def test_cached_answers_keep_the_security_headers(client: Client, item: ServiceItem) -> None:
    _guide(client, item)
    response = client.get(f"/c/qinghe/items/{item.implementation_code}/")
    assert response["X-Cache"] == "hit"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_an_edited_item_shows_at_once(client: Client, item: ServiceItem) -> None:
    _guide(client, item)
    item.name = "营业执照核发（新）"
    item_save(item=item)
    cached, page = _guide(client, item)
    assert cached == "miss"
    assert "营业执照核发（新）" in page


def test_a_new_material_shows_at_once(client: Client, item: ServiceItem) -> None:
    _guide(client, item)
    MaterialSpec.objects.create(item=item, name="公司章程")
    assert "公司章程" in _guide(client, item)[1]


def test_the_api_answer_follows_the_catalog_too(client: Client, item: ServiceItem) -> None:
    assert client.get("/api/v1/items").json()["count"] == 1
    make_item(item.department, name="食品经营许可", status="published")
    assert client.get("/api/v1/items").json()["count"] == 2


def test_display_modes_and_languages_are_cached_apart(client: Client, item: ServiceItem) -> None:
    _guide(client, item)
    client.get("/mode/elder/", {"on": "1"})
    cached, page = _guide(client, item)
    assert cached == "miss" and 'class="elder' in page
    client.get("/lang/en/")
    cached, page = _guide(client, item)
    assert cached == "miss" and "Materials" in page


def test_the_kiosk_and_the_elder_friendly_mode_are_cached_apart(
    item: ServiceItem,
) -> None:
    kiosk, elder = Client(), Client()
    kiosk.get("/c/qinghe/kiosk/")
    assert 'class=" kiosk"' in _guide(kiosk, item)[1]
    elder.get("/mode/elder/", {"on": "1"})
    cached, page = _guide(elder, item)
    assert cached == "miss" and 'class="elder"' in page


def test_an_unknown_language_is_a_404(client: Client, item: ServiceItem) -> None:
    assert client.get("/lang/xx/").status_code == 404
