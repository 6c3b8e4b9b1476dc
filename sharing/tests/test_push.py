"""Certificates pushed by a department system: checked, numbered, signed, or refused clearly."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from cases.tests.conftest import USCC
from sharing.models import Certificate, CertificateSource
from sharing.selectors import GENUINE, certificate_verify
from sharing.services import CertificateConflictError, certificate_push
from sharing.tests.conftest import Registry


def push(registry: Registry, **changes: Any) -> Certificate:
    fields: dict[str, Any] = {
        "issuer": registry.licence.issuer,
        "type_code": "BUSINESS_LICENCE",
        "number": "91510000MA0001",
        "holder_kind": "legal",
        "holder_identifier": USCC.lower(),
        "holder_name": "清河小馆餐饮有限公司",
        "issued_on": dt.date(2026, 9, 1),
        "data": {"shop": "清河小馆"},
        "actor": registry.head,
    }
    fields.update(changes)
    return certificate_push(**fields)


def test_a_pushed_certificate_is_entered_with_the_types_validity(registry: Registry) -> None:
    certificate = push(registry)
    assert certificate.holder_identifier == USCC
    assert certificate.expires_on == dt.date(2031, 8, 31)
    assert certificate.source == CertificateSource.PUSH
    assert certificate.created_by == registry.head
    assert certificate.data == {"shop": "清河小馆"}
    result = certificate_verify(
        identifier=certificate.identifier, token=certificate.token, today=dt.date(2026, 9, 28)
    )
    assert result.verdict == GENUINE and result.currently_valid


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"holder_identifier": "91511301000000421X"}, "check character"),
        ({"holder_kind": "person", "holder_identifier": "110105194912310021"}, "check digit"),
        ({"holder_kind": "robot"}, "person or a legal entity"),
        ({"type_code": "FOOD_LICENCE"}, "issues no certificate type FOOD_LICENCE"),
        ({"data": {"shop": "x", "colour": "red"}}, "no data fields colour"),
        ({"data": {"kind": "餐饮"}}, "required: shop"),
        ({"number": "  "}, "certificate number"),
        ({"holder_name": ""}, "holder's name"),
        ({"issued_on": dt.date(2026, 10, 1)}, "future"),
        ({"expires_on": dt.date(2026, 8, 1)}, "expire before"),
    ],
)
def test_bad_pushes_are_refused_with_the_reason(
    registry: Registry, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        push(registry, **changes)
    assert message in " ".join(raised.value.messages)
    assert not Certificate.objects.exists()


def test_another_departments_type_is_not_the_pushers(registry: Registry) -> None:
    with pytest.raises(ValidationError, match="issues no certificate type"):
        push(registry, issuer=registry.world.other_item.department)


def test_a_number_already_entered_is_a_conflict(registry: Registry) -> None:
    push(registry)
    with pytest.raises(CertificateConflictError, match="already in the registry"):
        push(registry)
    assert Certificate.objects.count() == 1
