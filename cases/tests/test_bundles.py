"""Bundles (一件事一次办): one form, one set of documents, linked cases followed together."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases.models import BundleApplication, Case, CaseMaterial, CaseStatus
from cases.services import Applicant, bundle_submit
from cases.tests.conftest import ID_NUMBER, PDF, World, login
from catalog.models import Bundle, BundleItem, ItemField, MaterialSpec
from catalog.search import bundle_form


@pytest.fixture
def bundle(world: World) -> Bundle:
    """The market item and the health item: both ask for the shop's name and the licence."""
    other = world.other_item
    ItemField.objects.create(item=other, key="shop", label="店名", position=1)
    ItemField.objects.create(item=other, key="seats", label="座位数", kind=ItemField.Kind.NUMBER)
    MaterialSpec.objects.create(item=other, name="营业执照", position=1)
    MaterialSpec.objects.create(item=other, name="卫生许可申请书", position=2)
    bundle = Bundle.objects.create(
        center=world.center, code="open-shop", name="开店一件事", published=True
    )
    BundleItem.objects.create(bundle=bundle, item=world.item, position=1)
    BundleItem.objects.create(bundle=bundle, item=other, position=2)
    return bundle


APPLICANT = Applicant(kind="person", name="张小三", id_number=ID_NUMBER, mobile="13800000001")
FIELDS = {"shop": "小三面馆", "kind": "餐饮", "seats": "20"}


def licence_key(bundle: Bundle) -> str:
    return next(m.key for m in bundle_form(bundle).materials if m.name == "营业执照")


def test_the_combined_form_asks_each_field_and_document_once(bundle: Bundle) -> None:
    form = bundle_form(bundle)
    assert [field.key for field in form.fields] == ["kind", "opened", "shop", "seats"]
    documents = {m.name: len(m.specs) for m in form.materials}
    assert documents == {"营业执照": 2, "照片": 1, "卫生许可申请书": 1}


def test_one_submission_makes_linked_cases_sharing_one_upload(world: World, bundle: Bundle) -> None:
    upload = SimpleUploadedFile("licence.pdf", PDF)
    application, created = bundle_submit(
        user=world.citizen,
        bundle=bundle,
        applicant=APPLICANT,
        form_data=FIELDS,
        idempotency_key="b1",
        uploads={licence_key(bundle): [upload]},
    )
    assert created and application.number.startswith("YJ20260928-")
    cases = list(application.cases.order_by("item__pk"))
    assert [case.item for case in cases] == [world.item, world.other_item]
    assert [case.status for case in cases] == [CaseStatus.RECEIVED] * 2
    assert cases[0].form_data == {"shop": "小三面馆", "kind": "餐饮"}
    assert cases[1].form_data == {"shop": "小三面馆", "seats": 20}
    materials = list(CaseMaterial.objects.order_by("case__item__pk"))
    assert [m.spec.name for m in materials if m.spec] == ["营业执照", "营业执照"]
    assert len({m.file.name for m in materials}) == 1  # stored once
    again, created = bundle_submit(
        user=world.citizen,
        bundle=bundle,
        applicant=APPLICANT,
        form_data=FIELDS,
        idempotency_key="b1",
    )
    assert (again, created) == (application, False)
    assert Case.objects.count() == 2


def test_a_bad_field_is_reported_once_and_nothing_is_created(world: World, bundle: Bundle) -> None:
    with pytest.raises(ValidationError) as raised:
        bundle_submit(
            user=world.citizen,
            bundle=bundle,
            applicant=APPLICANT,
            form_data={**FIELDS, "shop": ""},
            idempotency_key="b2",
        )
    assert raised.value.message_dict["shop"] == ["店名 is required."]
    assert not BundleApplication.objects.exists() and not Case.objects.exists()


def test_an_unpublished_bundle_cannot_be_applied_for(world: World, bundle: Bundle) -> None:
    bundle.published = False
    bundle.save()
    with pytest.raises(ValidationError):
        bundle_submit(
            user=world.citizen,
            bundle=bundle,
            applicant=APPLICANT,
            form_data=FIELDS,
            idempotency_key="b3",
        )
    response = login(world.citizen).get(f"/cases/bundles/{world.center.slug}/open-shop/apply/")
    assert response.status_code == 404


def test_the_citizen_applies_on_the_page_and_follows_the_bundle(
    world: World, bundle: Bundle
) -> None:
    client = login(world.citizen)
    url = f"/cases/bundles/{world.center.slug}/open-shop/apply/"
    page = client.get(url).content.decode()
    assert page.count('name="field-shop"') == 1 and "营业执照" in page
    index = [m.name for m in bundle_form(bundle).materials].index("营业执照")
    form = {
        "token": "t1",
        "applicant_kind": "person",
        "applicant_name": "张小三",
        "id_number": ID_NUMBER,
        **{f"field-{key}": value for key, value in FIELDS.items()},
        f"document-{index}": SimpleUploadedFile("licence.pdf", PDF),
    }
    response = client.post(url, form)
    application = BundleApplication.objects.get()
    assert response["Location"] == f"/cases/bundles/{application.number}/"
    detail = client.get(response["Location"]).content.decode()
    numbers = [case.number for case in application.cases.all()]
    assert all(number in detail for number in numbers)
    case_page = client.get(f"/cases/{numbers[0]}/").content.decode()
    assert application.number in case_page
    assert application.number in client.get("/cases/mine/").content.decode()


def test_the_api_applies_for_a_bundle_and_reads_it_back(world: World, bundle: Bundle) -> None:
    client = login(world.citizen)
    body = {
        "applicant_kind": "person",
        "applicant_name": "张小三",
        "id_number": ID_NUMBER,
        "fields": {"shop": "小三面馆", "kind": "餐饮", "seats": 20},
    }
    answers = [
        client.post(
            "/api/v1/bundles/open-shop/applications",
            body,
            content_type="application/json",
            headers={"Idempotency-Key": "api-1"},
        )
        for _attempt in range(2)
    ]
    assert [answer.status_code for answer in answers] == [201, 200]
    number = answers[0].json()["number"]
    read = client.get(f"/api/v1/bundle-applications/{number}").json()
    assert [case["status"] for case in read["cases"]] == [1, 1]
    assert (
        client.get(f"/api/v1/cases/{read['cases'][0]['number']}").json()["bundle_application"]
        == number
    )
    missing = client.post(
        "/api/v1/bundles/no-such/applications",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": "api-2"},
    )
    assert missing.status_code == 404


def test_another_citizen_gets_404_for_someone_elses_bundle_application(
    world: World, bundle: Bundle
) -> None:
    application, _created = bundle_submit(
        user=world.citizen,
        bundle=bundle,
        applicant=APPLICANT,
        form_data=FIELDS,
        idempotency_key="b4",
    )
    neighbour = login(world.neighbour)
    assert neighbour.get(f"/cases/bundles/{application.number}/").status_code == 404
    assert neighbour.get(f"/api/v1/bundle-applications/{application.number}").status_code == 404
    assert Client().get(f"/cases/bundles/{application.number}/").status_code == 302


def test_the_public_site_lists_the_bundle_and_shows_its_guide(world: World, bundle: Bundle) -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    home = client.get(f"/c/{world.center.slug}/").content.decode()
    assert "开店一件事" in home
    guide = client.get(f"/c/{world.center.slug}/bundles/open-shop/").content.decode()
    assert "Documents, each handed in once" in guide and "营业执照" in guide
    bundle.published = False
    bundle.save()
    assert client.get(f"/c/{world.center.slug}/bundles/open-shop/").status_code == 404
