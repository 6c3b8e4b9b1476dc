"""Certificate types: their data fields schema and codes are checked before they are saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from cases.tests.conftest import login
from catalog.tests.factories import make_user
from sharing.models import Certificate, CertificateType
from sharing.tests.conftest import Registry


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"key": "shop"}, "a list"),
        ([{"label": "店名"}], "needs a key"),
        ([{"key": "shop"}, {"key": "shop"}], "appears twice"),
        ([{"key": "shop", "required": "yes"}], "true or false"),
        ([{"key": "shop", "label": "x" * 61}], "at most 60"),
    ],
)
def test_a_malformed_fields_schema_is_refused(
    registry: Registry, fields: Any, message: str
) -> None:
    kind = CertificateType(
        code="SHOP_SIGN", name="招牌", issuer=registry.licence.issuer, fields=fields
    )
    with pytest.raises(ValidationError) as raised:
        kind.full_clean()
    assert message in " ".join(raised.value.messages)


def test_codes_are_capitals_and_differ_by_more_than_underscores(registry: Registry) -> None:
    issuer = registry.licence.issuer
    with pytest.raises(ValidationError, match="capital letters"):
        CertificateType(code="shop-sign", name="招牌", issuer=issuer).full_clean()
    with pytest.raises(ValidationError, match="but for underscores"):
        CertificateType(code="BUSINESSLICENCE", name="执照", issuer=issuer).full_clean()
    # Another department may issue a type of the same national code.
    CertificateType(
        code="BUSINESS_LICENCE", name="营业执照", issuer=registry.world.other_item.department
    ).full_clean()


def test_the_admin_locks_the_code_of_a_type_with_certificates(
    registry: Registry, certificate: Certificate
) -> None:
    superuser = make_user("root", is_staff=True, is_superuser=True)
    url = f"/admin/sharing/certificatetype/{registry.licence.pk}/change/"
    page = login(superuser).get(url).content.decode()
    assert 'name="name"' in page and 'name="code"' not in page
    unused = CertificateType.objects.create(
        code="SHOP_SIGN", name="招牌", issuer=registry.licence.issuer
    )
    answer = login(superuser).get(f"/admin/sharing/certificatetype/{unused.pk}/change/")
    assert 'name="code"' in answer.content.decode()
