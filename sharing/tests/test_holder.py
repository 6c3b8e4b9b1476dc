"""The holder's certificates: listed by the IDs of their accepted applications, PDFs with the
verification QR code; nobody else's."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from cases.models import Case
from cases.services import Applicant, case_submit
from cases.tests.conftest import ID_NUMBER, login
from sharing.models import Certificate
from sharing.pdf import verification_path
from sharing.selectors import certificates_of_holder
from sharing.tests.conftest import Registry
from tests.pdf import pdf_text


def test_the_holder_sees_and_downloads_their_certificate(
    registry: Registry, certificate: Certificate
) -> None:
    client = login(registry.world.citizen)
    page = client.get("/certificates/").content.decode()
    assert certificate.number in page and "营业执照" in page and "Valid" in page
    answer = client.get(f"/certificates/{certificate.identifier}/certificate.pdf")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    text = pdf_text(answer.content)
    assert "营业执照" in text and certificate.number in text and "小三面馆" in text
    # The printed verification address is the QR code's target.
    assert f"http://testserver{verification_path(certificate)}" in text.replace("\n", "")


def test_a_neighbour_sees_none_and_gets_404(registry: Registry, certificate: Certificate) -> None:
    client = login(registry.world.neighbour)
    page = client.get("/certificates/").content.decode()
    assert certificate.number not in page
    assert client.get(f"/certificates/{certificate.identifier}/certificate.pdf").status_code == 404
    answer = client.post(f"/certificates/{certificate.identifier}/disclosure/", {"field": "shop"})
    assert answer.status_code == 404
    assert client.get("/certificates/manage/").status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(certificate: Certificate) -> None:
    answer = Client().get(f"/certificates/{certificate.identifier}/certificate.pdf")
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


def test_an_id_typed_into_an_application_no_person_accepted_does_not_make_it_yours(
    registry: Registry, certificate: Certificate
) -> None:
    """Staff check the applicant's ID at acceptance; an application not accepted, or accepted
    by automatic approval (秒批, no person), proves nothing."""
    world = registry.world
    case, _created = case_submit(
        user=world.neighbour,
        item=world.item,
        applicant=Applicant(
            kind="person", name="张小三", id_number=ID_NUMBER, mobile="13800000002"
        ),
        form_data={"shop": "冒名面馆", "kind": "餐饮"},
        idempotency_key="n1",
    )
    assert not certificates_of_holder(world.neighbour).exists()
    Case.objects.filter(pk=case.pk).update(accepted_at=timezone.now(), handled_by=None)
    assert not certificates_of_holder(world.neighbour).exists()
    assert list(certificates_of_holder(world.citizen)) == [certificate]


def test_the_holder_chooses_what_verification_shows(
    registry: Registry, certificate: Certificate
) -> None:
    client = login(registry.world.citizen)
    client.post(f"/certificates/{certificate.identifier}/disclosure/", {"field": ["kind"]})
    certificate.refresh_from_db()
    assert certificate.disclosed_fields == ["kind"]
    answer = client.post(
        f"/certificates/{certificate.identifier}/disclosure/", {"field": ["secret"]}, follow=True
    )
    assert "no data fields secret" in answer.content.decode()


def test_the_department_head_lists_and_opens_the_departments_certificates(
    registry: Registry, certificate: Certificate
) -> None:
    client = login(registry.head)
    page = client.get("/certificates/manage/").content.decode()
    assert certificate.number in page and "张*三" in page and ID_NUMBER not in page
    found = client.get("/certificates/manage/", {"q": certificate.number}).content.decode()
    assert certificate.identifier in found
    other = login(registry.other_head).get("/certificates/manage/").content.decode()
    assert certificate.number not in other
    assert client.get(f"/certificates/{certificate.identifier}/certificate.pdf").status_code == 200
