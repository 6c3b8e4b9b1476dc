"""Verification by anyone: the API and the page answer genuine, not genuine or unknown, and show
no more than the holder chose: never the ID number, the name masked."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from django.test import Client

from cases.tests.conftest import ID_NUMBER
from sharing.models import Certificate
from sharing.services import certificate_disclosure_set, certificate_status_change
from sharing.tests.conftest import Registry

API = "/api/v1/certificates/verify"


def ask(identifier: str, sig: str) -> dict[str, object]:
    client = Client()
    client.cookies["django_language"] = "en"
    answer = client.get(API, {"id": identifier, "sig": sig})
    assert answer.status_code == 200
    assert ID_NUMBER not in answer.content.decode()
    body: dict[str, object] = answer.json()
    return body


def test_a_valid_certificate_is_genuine_and_valid_with_the_name_masked(
    certificate: Certificate,
) -> None:
    body = ask(certificate.identifier, certificate.token)
    assert body["verdict"] == "genuine" and body["genuine"] is True
    assert body["currently_valid"] is True
    assert (body["status"], body["holder_name"], body["type"]) == ("01", "张*三", "营业执照")
    assert body["expires_on"] == "2031-09-27"
    assert body["disclosed"] == []
    assert "小三面馆" not in str(body)
    # The whole signature works as well as the QR code's token.
    assert ask(certificate.identifier, certificate.signature)["verdict"] == "genuine"


def test_a_revoked_certificate_is_genuine_but_not_valid(
    registry: Registry, certificate: Certificate
) -> None:
    certificate_status_change(
        action="revoke", certificate=certificate, actor=registry.head, reason="错误核发"
    )
    body = ask(certificate.identifier, certificate.token)
    assert (body["verdict"], body["currently_valid"], body["status"]) == ("genuine", False, "03")
    assert body["message"] == "Genuine, but not valid today: Revoked."


def test_a_forged_token_is_not_genuine_and_shows_nothing(certificate: Certificate) -> None:
    forged = ("A" if certificate.token[0] != "A" else "B") + certificate.token[1:]
    for sig in (forged, certificate.token[:10], ""):
        body = ask(certificate.identifier, sig)
        assert body["verdict"] == "not_genuine" and body["genuine"] is False
        assert body["holder_name"] is None and body["type"] is None


def test_an_unknown_identifier_says_so(certificate: Certificate) -> None:
    other = certificate.identifier[:-3] + "99.X"
    for identifier in (other, "", "x" * 200, "1.2.156.3005.2.'; DROP TABLE"):
        body = ask(identifier, certificate.token)
        assert body["verdict"] == "unknown"


def test_missing_or_oversized_parameters_get_422_not_500(certificate: Certificate) -> None:
    client = Client()
    assert client.get(API).status_code == 422
    assert client.get(API, {"id": certificate.identifier}).status_code == 422
    assert client.get(API, {"id": "x" * 201, "sig": "y"}).status_code == 422


def test_the_holder_chooses_which_data_fields_verification_shows(
    certificate: Certificate,
) -> None:
    certificate_disclosure_set(
        certificate=certificate, holder_identifiers={ID_NUMBER}, fields=["shop"]
    )
    body = ask(certificate.identifier, certificate.token)
    assert body["disclosed"] == [{"label": "店名", "value": "小三面馆"}]


def test_the_page_says_valid_revoked_not_genuine_and_unknown(
    registry: Registry, certificate: Certificate
) -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    url = f"/verify/{certificate.identifier}/"
    page = client.get(url, {"s": certificate.token}).content.decode()
    assert "Genuine and valid" in page and "张*三" in page and ID_NUMBER not in page
    assert "Not genuine" in client.get(url, {"s": "forged" * 4}).content.decode()
    assert "Unknown certificate" in client.get("/verify/nothing/").content.decode()
    certificate_status_change(
        action="revoke", certificate=certificate, actor=registry.head, reason="错误核发"
    )
    page = client.get(url, {"s": certificate.token}).content.decode()
    assert "Genuine, but Revoked" in page


def test_anyone_verifies_offline_with_the_published_key(certificate: Certificate) -> None:
    """The canonical serialisation of docs/sharing.md and the published key suffice."""
    published = Client().get("/api/v1/certificates/public-key").json()
    assert published["key_id"] == certificate.key_id
    key = load_pem_public_key(published["public_key_pem"].encode())
    assert isinstance(key, Ed25519PublicKey)
    signature = base64.urlsafe_b64decode(certificate.signature + "==")
    key.verify(signature, certificate.signed_payload())  # raises when it does not hold
    pem = Client().get("/certificates/public-key.pem").content.decode()
    assert pem == published["public_key_pem"]


def test_the_openapi_document_lists_the_registrys_operations() -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    verify = paths["/api/v1/certificates/verify"]["get"]
    assert {"200", "422"} <= set(verify["responses"])
    assert "/api/v1/certificates/public-key" in paths
