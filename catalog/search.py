"""Reads of the published catalog for the public site and the API: search, guides, lists."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Sum, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from catalog.models import (
    Bundle,
    BundleItem,
    Center,
    Department,
    ItemField,
    ItemType,
    LifeEvent,
    MaterialSpec,
    ServiceItem,
)


def center_get(slug: str | None = None) -> Center:
    """The center named by `slug`, or the deployment's default center; 404 if there is none."""
    if slug:
        center = Center.objects.filter(slug=slug).first()
        if center is None:
            raise Http404(_("There is no service center with the code %(code)s.") % {"code": slug})
        return center
    default_slug = settings.GOVHALL_DEFAULT_CENTER
    queryset = Center.objects.filter(slug=default_slug) if default_slug else Center.objects.all()
    center = queryset.order_by("pk").first()
    if center is None:
        raise Http404(_("No service center has been set up yet."))
    return center


@dataclass(frozen=True)
class ItemFilter:
    """What a visitor asked for; every field is optional."""

    query: str = ""
    department_id: int | None = None
    item_type: str = ""
    subject: str = ""
    life_event: str = ""


def items_search(*, center: Center, item_filter: ItemFilter) -> QuerySet[ServiceItem]:
    """Published items of the center matching the filter, best matches first.

    The query matches Chinese substrings of the item's and its department's names, their full
    pinyin and their pinyin initials (`yyzz` finds 营业执照); every word must match.
    """
    items = ServiceItem.objects.published().of_center(center).select_related("department")
    terms = item_filter.query.lower().split()
    for term in terms:
        items = items.filter(search_text__contains=term)
    if item_filter.department_id is not None:
        items = items.filter(department_id=item_filter.department_id)
    if item_filter.item_type:
        items = items.filter(item_type=item_filter.item_type)
    if item_filter.subject:
        subjects = [item_filter.subject, ServiceItem.Subject.BOTH]
        items = items.filter(subject__in=subjects)
    if item_filter.life_event:
        items = items.filter(life_events__slug=item_filter.life_event)
    if terms:
        name_match = Q()
        for term in terms:
            name_match &= Q(name__contains=term)
        items = items.annotate(
            rank=Case(
                When(name_match, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        ).order_by("rank", "department__sort_order", "basic_code", "pk")
    return items


def _published_or_404(items: QuerySet[ServiceItem], code: str) -> ServiceItem:
    item = items.filter(implementation_code=code).first()
    if item is None:
        raise Http404(
            _("There is no published service item with the code %(code)s.") % {"code": code}
        )
    return item


def item_published(*, code: str, center: Center) -> ServiceItem:
    """A published item of the center by implementation code, without its guide; 404 otherwise."""
    return _published_or_404(ServiceItem.objects.published().filter(center=center), code)


def item_get_published(*, code: str, center: Center | None = None) -> ServiceItem:
    """A published item by implementation code, with everything its guide shows; 404 otherwise."""
    items = ServiceItem.objects.published().select_related("department", "center", "parent")
    if center is not None:
        items = items.filter(center=center)
    return _published_or_404(
        items.prefetch_related(
            "materials",
            "fees",
            "steps",
            "questions",
            "life_events",
            Prefetch("counters"),
            Prefetch("children", queryset=ServiceItem.objects.published().order_by("basic_code")),
        ),
        code,
    )


def departments_with_counts(*, center: Center) -> QuerySet[Department]:
    published = Q(items__status=ServiceItem.Status.PUBLISHED)
    return Department.objects.filter(center=center).annotate(
        item_count=Count("items", filter=published)
    )


def life_events_with_counts(*, center: Center) -> QuerySet[LifeEvent]:
    published = Q(items__status=ServiceItem.Status.PUBLISHED, items__center=center)
    return LifeEvent.objects.annotate(item_count=Count("items", filter=published)).filter(
        item_count__gt=0
    )


@dataclass(frozen=True)
class ListSection:
    """One type of power on the power and responsibility list, by department."""

    item_type: str
    label: str
    departments: list[tuple[Department, list[ServiceItem]]]
    count: int


def power_lists(*, center: Center) -> list[ListSection]:
    """The power and responsibility lists (权责清单) and the public-service list, grouped."""
    items = list(
        ServiceItem.objects.published()
        .of_center(center)
        .select_related("department")
        .order_by("item_type", "department__sort_order", "basic_code", "pk")
    )
    sections: list[ListSection] = []
    for item_type in ItemType:
        of_type = [item for item in items if item.item_type == item_type.value]
        if not of_type:
            continue
        by_department: dict[int, tuple[Department, list[ServiceItem]]] = {}
        for item in of_type:
            by_department.setdefault(item.department_id, (item.department, []))[1].append(item)
        sections.append(
            ListSection(
                item_type=item_type.value,
                label=str(item_type.label),
                departments=list(by_department.values()),
                count=len(of_type),
            )
        )
    return sections


@dataclass(frozen=True)
class CatalogFigures:
    items: int
    statutory_days: int
    promised_days: int
    instant_items: int
    fully_online_items: int

    @property
    def days_saved(self) -> int:
        return self.statutory_days - self.promised_days

    @property
    def saved_percent(self) -> int:
        if not self.statutory_days:
            return 0
        return round(100 * self.days_saved / self.statutory_days)


def catalog_figures(*, center: Center) -> CatalogFigures:
    """Totals of the published catalog: working days promised against the statutory ones."""
    totals = (
        ServiceItem.objects.published()
        .of_center(center)
        .aggregate(
            items=Count("pk"),
            statutory=Sum("statutory_days"),
            promised=Sum("promised_days"),
            instant=Count("pk", filter=Q(promised_days=0)),
            online=Count("pk", filter=Q(online_level=ServiceItem.OnlineLevel.FULLY_ONLINE)),
        )
    )
    return CatalogFigures(
        items=totals["items"],
        statutory_days=totals["statutory"] or 0,
        promised_days=totals["promised"] or 0,
        instant_items=totals["instant"],
        fully_online_items=totals["online"],
    )


# --- bundles (一件事一次办) ------------------------------------------------------------------


def bundles_published(*, center: Center) -> QuerySet[Bundle]:
    """The center's published bundles with their items in order."""
    entries = BundleItem.objects.select_related("item").order_by("position", "pk")
    return (
        Bundle.objects.published()
        .filter(center=center)
        .select_related("life_event")
        .prefetch_related(Prefetch("entries", queryset=entries))
    )


def bundle_get_published(*, code: str, center: Center) -> Bundle:
    bundle = bundles_published(center=center).filter(code=code).first()
    if bundle is None:
        raise Http404(_("There is no published bundle with the code %(code)s.") % {"code": code})
    return bundle


@dataclass
class BundleMaterial:
    """One document of a bundle: the materials of its items that are the same paper.

    Materials are the same when they share a `shared_key`, or, without one, their name.
    """

    key: str
    name: str
    required: bool
    specs: list[MaterialSpec]

    @property
    def item_names(self) -> list[str]:
        return [spec.item.name for spec in self.specs]


@dataclass
class BundleForm:
    """The bundle's one form: its items, their fields asked once per key, and its documents."""

    items: list[ServiceItem]
    fields: list[ItemField]
    materials: list[BundleMaterial]

    @property
    def subject(self) -> str:
        """Whom the whole bundle is for: one kind when any item is only for it."""
        subjects = {item.subject for item in self.items} - {ServiceItem.Subject.BOTH}
        return subjects.pop() if len(subjects) == 1 else ServiceItem.Subject.BOTH


def bundle_form(bundle: Bundle) -> BundleForm:
    """The union of the items' fields (a key asked once, required if any item requires it) and
    of their materials (the same document listed once, with every item that needs it)."""
    items = [entry.item for entry in bundle.entries.all()]
    ids = [item.pk for item in items]
    order = {pk: index for index, pk in enumerate(ids)}
    fields: dict[str, ItemField] = {}
    for field in sorted(
        ItemField.objects.filter(item_id__in=ids),
        key=lambda field: (order[field.item_id], field.position, field.pk),
    ):
        first = fields.setdefault(field.key, field)
        first.required = first.required or field.required
    specs = sorted(
        MaterialSpec.objects.filter(item_id__in=ids).select_related("item"),
        key=lambda spec: (order[spec.item_id], spec.position, spec.pk),
    )
    materials: dict[str, BundleMaterial] = {}
    for spec in specs:
        key = f"key:{spec.shared_key}" if spec.shared_key else f"name:{spec.name}"
        document = materials.setdefault(key, BundleMaterial(key, spec.name, False, []))
        document.required = document.required or spec.required
        document.specs.append(spec)
    return BundleForm(items=items, fields=list(fields.values()), materials=list(materials.values()))
