"""API of the service catalog: departments, the item list and every item's whole guide."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router, Schema
from pydantic import Field

from catalog.models import ItemType, ServiceItem
from catalog.pdf import guide_pdf_response
from catalog.search import (
    ItemFilter,
    center_get,
    departments_with_counts,
    item_get_published,
    items_search,
)
from govhall.api import ErrorOut

router = Router(tags=["catalog"])

MAX_PAGE_SIZE = 100


class DepartmentOut(Schema):
    id: int
    name: str
    short_name: str
    uscc: str
    item_count: int


class ItemSummaryOut(Schema):
    code: str = Field(description="Implementation code (实施编码), the item's key in the API")
    basic_code: str
    name: str
    item_type: str
    item_type_label: str
    department_id: int
    department: str
    subject: str
    statutory_days: int
    promised_days: int
    online_level: int
    visits: int


class ItemPageOut(Schema):
    count: int = Field(description="How many items match, over all pages")
    page: int
    page_size: int
    items: list[ItemSummaryOut]


class MaterialOut(Schema):
    name: str
    form: str
    copies: int
    required: bool
    certificate_type: str
    note: str


class FeeOut(Schema):
    name: str
    amount: Decimal
    basis: str


class StepOut(Schema):
    name: str
    days: int
    description: str


class QuestionOut(Schema):
    question: str
    answer: str


class ItemOut(ItemSummaryOut):
    center: str
    level: str
    parent_code: str | None
    variant: str
    implementing_body: str
    legal_basis: str
    conditions: str
    is_free: bool
    days_saved: int
    appointment_allowed: bool
    place: str
    hours: str
    consult_phone: str
    complaint_phone: str
    counters: list[int]
    life_events: list[str]
    materials: list[MaterialOut]
    fees: list[FeeOut]
    steps: list[StepOut]
    questions: list[QuestionOut]
    guide_pdf: str


class ItemListQuery(Schema):
    search: str = Field("", max_length=100, description="Chinese words, pinyin or initials")
    department: int | None = Field(None, ge=1, le=2**31 - 1, description="Department id")
    type: ItemType | None = Field(None, description="Item type code, 01-10 or 20")
    center: str | None = Field(None, max_length=50, description="Center code; default center")
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


def _summary(item: ServiceItem) -> dict[str, object]:
    return {
        "code": item.implementation_code,
        "basic_code": item.basic_code,
        "name": item.name,
        "item_type": item.item_type,
        "item_type_label": item.get_item_type_display(),
        "department_id": item.department_id,
        "department": item.department.name,
        "subject": item.subject,
        "statutory_days": item.statutory_days,
        "promised_days": item.promised_days,
        "online_level": item.online_level,
        "visits": item.visits,
    }


@router.get(
    "/departments",
    response={200: list[DepartmentOut], 404: ErrorOut, 422: ErrorOut},
    summary="Departments of a center",
)
def list_departments(request: HttpRequest, center: str | None = None) -> list[DepartmentOut]:
    return [
        DepartmentOut(
            id=department.pk,
            name=department.name,
            short_name=department.short_name,
            uscc=department.uscc,
            item_count=department.item_count,  # type: ignore[attr-defined]
        )
        for department in departments_with_counts(center=center_get(center))
    ]


@router.get(
    "/items",
    response={200: ItemPageOut, 404: ErrorOut, 422: ErrorOut},
    summary="Published service items, searched and paginated",
)
def list_items(request: HttpRequest, filters: Query[ItemListQuery]) -> ItemPageOut:
    items = items_search(
        center=center_get(filters.center),
        item_filter=ItemFilter(
            query=filters.search.strip(),
            department_id=filters.department,
            item_type=filters.type.value if filters.type else "",
        ),
    )
    start = (filters.page - 1) * filters.page_size
    page = list(items[start : start + filters.page_size])
    return ItemPageOut(
        count=items.count(),
        page=filters.page,
        page_size=filters.page_size,
        items=[ItemSummaryOut(**_summary(item)) for item in page],  # type: ignore[arg-type]
    )


@router.get(
    "/items/{code}",
    response={200: ItemOut, 404: ErrorOut},
    summary="The whole guide of one item",
)
def get_item(request: HttpRequest, code: str) -> ItemOut:
    item = item_get_published(code=code)
    return ItemOut(
        **_summary(item),  # type: ignore[arg-type]
        center=item.center.slug,
        level=item.level,
        parent_code=item.parent.implementation_code if item.parent else None,
        variant=item.variant,
        implementing_body=item.implementing_body,
        legal_basis=item.legal_basis,
        conditions=item.conditions,
        is_free=item.is_free,
        days_saved=item.days_saved,
        appointment_allowed=item.appointment_allowed,
        place=item.place or item.center.address,
        hours=item.hours or item.center.hours,
        consult_phone=item.consult_phone or item.center.phone,
        complaint_phone=item.complaint_phone or item.center.complaint_phone,
        counters=[counter.number for counter in item.counters.all()],
        life_events=[event.name for event in item.life_events.all()],
        materials=[MaterialOut.from_orm(material) for material in item.materials.all()],
        fees=[FeeOut.from_orm(fee) for fee in item.fees.all()],
        steps=[StepOut.from_orm(step) for step in item.steps.all()],
        questions=[QuestionOut.from_orm(question) for question in item.questions.all()],
        guide_pdf=request.build_absolute_uri(
            reverse("api:guide_pdf", kwargs={"code": item.implementation_code})
        ),
    )


@router.get(
    "/items/{code}/guide.pdf",
    response={200: bytes, 404: ErrorOut},
    url_name="guide_pdf",
    summary="The printable guide as PDF",
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def get_item_guide_pdf(request: HttpRequest, code: str) -> HttpResponse:
    return guide_pdf_response(request, item_get_published(code=code), download=False)
