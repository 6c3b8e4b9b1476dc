"""The demo center's certificate types, and its concluded cases' certificates in the registry."""

from __future__ import annotations

from django.db import transaction

from catalog.demo_data import DEMO_CERTIFICATES
from catalog.models import Center, ServiceItem
from sharing.models import CertificateType
from sharing.services import certificates_issue_pending

# Certificate name → (type code, data fields as (key, label, required)); the keys are those of the
# issuing item's application form, whose values the certificate carries.
DEMO_TYPES: dict[str, tuple[str, list[tuple[str, str, bool]]]] = {
    "营业执照": (
        "BUSINESS_LICENCE",
        [
            ("company_name", "名称", True),
            ("company_type", "类型", True),
            ("registered_capital", "注册资本（万元）", False),
            ("business_scope", "经营范围", True),
            ("premises", "住所", True),
        ],
    ),
    "食品经营许可证": (
        "FOOD_BUSINESS_LICENCE",
        [
            ("shop_name", "经营者名称", True),
            ("premises", "经营场所", True),
            ("food_categories", "经营项目", True),
        ],
    ),
    "就业创业证": ("EMPLOYMENT_CARD", [("employment_status", "就业状态", False)]),
}


@transaction.atomic
def demo_types_ensure(center: Center) -> int:
    """The demo's certificate types, issued by the departments of the items that issue them;
    running it again changes nothing. Returns how many were made."""
    made = 0
    for item_name, (certificate_name, years) in DEMO_CERTIFICATES.items():
        item = (
            ServiceItem.objects.filter(center=center, name=item_name)
            .exclude(level=ServiceItem.Level.VARIANT)
            .select_related("department")
            .first()
        )
        if item is None or certificate_name not in DEMO_TYPES:
            continue
        code, fields = DEMO_TYPES[certificate_name]
        _type, created = CertificateType.objects.get_or_create(
            issuer=item.department,
            name=certificate_name,
            defaults={
                "code": code,
                "valid_years": years,
                "fields": [
                    {"key": key, "label": label, "required": required}
                    for key, label, required in fields
                ],
            },
        )
        made += created
    return made


def demo_registry_ensure(center: Center) -> tuple[int, int]:
    """The demo's types, then the registry certificates of every concluded case's record."""
    return demo_types_ensure(center), certificates_issue_pending(limit=100_000)
