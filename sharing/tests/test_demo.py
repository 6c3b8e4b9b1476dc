"""The demo: its certificate types, and the certificates of cases concluded before the registry."""

from __future__ import annotations

from django.core.management import call_command

from sharing.models import Certificate, CertificateType
from sharing.tests.conftest import ConcludeFn


def test_seed_demo_makes_the_demo_types_once_and_enters_pending_records(
    conclude: ConcludeFn,
) -> None:
    conclude(hooks=False)  # a case concluded while the registry was not listening
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    demo = CertificateType.objects.filter(issuer__center__slug="demo")
    assert sorted(demo.values_list("code", flat=True)) == [
        "BUSINESS_LICENCE",
        "EMPLOYMENT_CARD",
        "FOOD_BUSINESS_LICENCE",
    ]
    food = demo.get(code="FOOD_BUSINESS_LICENCE")
    assert (food.name, food.valid_years, food.issuer.short_name) == (
        "食品经营许可证",
        5,
        "市场监管局",
    )
    assert "manager_id" not in food.field_keys()
    assert Certificate.objects.count() == 1
