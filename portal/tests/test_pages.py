import pytest
from django.test import Client

from catalog.models import ItemType, LifeEvent, ServiceItem
from catalog.tests.factories import make_center, make_department, make_item
from tests.pdf import pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def licence() -> ServiceItem:
    center = make_center(slug="qinghe", name="清河区政务服务中心")
    market = make_department(center, name="市场监督管理局", short_name="市场监管")
    item = make_item(
        market, name="营业执照核发", subject=ServiceItem.Subject.LEGAL, status="published"
    )
    event = LifeEvent.objects.create(name="开办企业", slug="open-business", subject="legal")
    item.life_events.add(event)
    make_item(
        market,
        name="婚姻家庭辅导预约",
        item_type=ItemType.PUBLIC_SERVICE,
        subject=ServiceItem.Subject.PERSON,
        status="published",
    )
    return item


def test_root_opens_the_default_center(client: Client, licence: ServiceItem) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/c/qinghe/"


def test_home_shows_the_center_and_its_departments(client: Client, licence: ServiceItem) -> None:
    response = client.get("/c/qinghe/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "清河区政务服务中心" in page
    assert "市场监管" in page
    assert "开办企业" in page


def test_an_unknown_center_is_a_404(client: Client, licence: ServiceItem) -> None:
    assert client.get("/c/nowhere/").status_code == 404


def test_search_by_initials_lists_the_business_licence(
    client: Client, licence: ServiceItem
) -> None:
    page = client.get("/c/qinghe/items/", {"q": "yyzz"}).content.decode()
    assert "营业执照核发" in page
    assert "婚姻家庭辅导预约" not in page


def test_browsing_by_subject_event_and_type(client: Client, licence: ServiceItem) -> None:
    person = client.get("/c/qinghe/items/", {"subject": "person"}).content.decode()
    assert "婚姻家庭辅导预约" in person and "营业执照核发" not in person
    event = client.get("/c/qinghe/items/", {"event": "open-business"}).content.decode()
    assert "营业执照核发" in event and "婚姻家庭辅导预约" not in event
    public = client.get("/c/qinghe/items/", {"type": "20"}).content.decode()
    assert "婚姻家庭辅导预约" in public and "营业执照核发" not in public


def test_nonsense_filters_are_ignored_with_a_note(client: Client, licence: ServiceItem) -> None:
    response = client.get("/c/qinghe/items/", {"type": "99", "department": "abc", "page": "x"})
    assert response.status_code == 200
    assert "营业执照核发" in response.content.decode()


def test_the_guide_page_shows_every_element(client: Client, licence: ServiceItem) -> None:
    page = client.get(f"/c/qinghe/items/{licence.implementation_code}/").content.decode()
    for text in (
        "营业执照核发",
        licence.implementation_code,
        "《中华人民共和国行政许可法》",
        "市场监督管理局",
    ):
        assert text in page


def test_an_item_of_another_center_is_not_shown_under_this_one(
    client: Client, licence: ServiceItem
) -> None:
    other = make_center(slug="other")
    foreign = make_item(make_department(other), status="published")
    assert client.get(f"/c/qinghe/items/{foreign.implementation_code}/").status_code == 404


def test_the_power_lists_group_items_and_show_days_saved(
    client: Client, licence: ServiceItem
) -> None:
    response = client.get("/c/qinghe/lists/")
    assert "营业执照核发" in response.content.decode()
    figures = response.context["figures"]
    assert (figures.statutory_days, figures.promised_days, figures.days_saved) == (40, 24, 16)
    assert [section.item_type for section in response.context["sections"]] == ["01", "20"]


def test_the_guide_pdf_embeds_a_chinese_font(client: Client, licence: ServiceItem) -> None:
    response = client.get(f"/c/qinghe/items/{licence.implementation_code}/guide.pdf")
    assert response.status_code == 200
    assert "营业执照核发" in pdf_text(response.content)
    assert "CJK" in pdf_fonts(response.content)


def test_elder_mode_is_switched_on_and_off(client: Client, licence: ServiceItem) -> None:
    response = client.get("/mode/elder/", {"on": "1", "next": "/c/qinghe/"})
    assert response.status_code == 302 and response["Location"] == "/c/qinghe/"
    assert 'class="elder' in client.get("/c/qinghe/").content.decode()
    client.get("/mode/elder/", {"on": "0", "next": "/c/qinghe/"})
    assert 'class="elder' not in client.get("/c/qinghe/").content.decode()


def test_elder_mode_never_redirects_off_site(client: Client, licence: ServiceItem) -> None:
    response = client.get("/mode/elder/", {"on": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_kiosk_mode_sets_the_idle_return(client: Client, licence: ServiceItem) -> None:
    client.get("/c/qinghe/kiosk/")
    page = client.get("/c/qinghe/items/").content.decode()
    assert 'data-kiosk-home="/c/qinghe/"' in page
    client.get("/c/qinghe/kiosk/exit/")
    assert "data-kiosk-home" not in client.get("/c/qinghe/items/").content.decode()


def test_pages_carry_a_content_security_policy(client: Client, licence: ServiceItem) -> None:
    response = client.get("/c/qinghe/")
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_english_can_be_switched_on(client: Client, licence: ServiceItem) -> None:
    assert "全部事项" in client.get("/c/qinghe/").content.decode()
    client.get("/lang/en/", {"next": "/c/qinghe/"})
    assert "All services" in client.get("/c/qinghe/").content.decode()
