"""The catalog compliance report (事前监察): reads of the published catalog that break its rules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from catalog.models import Center, Fee, MaterialSpec, ServiceItem, StageSpec
from catalog.search import CatalogFigures, catalog_figures
from catalog.selectors import items_not_compliant

# Blank or only whitespace: a basis that says nothing.
_BLANK = r"^\s*$"


@dataclass(frozen=True)
class StageOverrun:
    """An item whose approval stages take longer, step after step, than its promised limit."""

    item: ServiceItem
    stage_days: int

    @property
    def excess_days(self) -> int:
        return self.stage_days - self.item.promised_days


@dataclass(frozen=True)
class ComplianceReport:
    without_basis: list[ServiceItem]
    promise_over_rule: list[ServiceItem]
    fees_without_basis: list[Fee]
    without_materials: list[ServiceItem]
    stages_over_promise: list[StageOverrun]
    figures: CatalogFigures

    @property
    def findings(self) -> int:
        return (
            len(self.without_basis)
            + len(self.promise_over_rule)
            + len(self.fees_without_basis)
            + len(self.without_materials)
            + len(self.stages_over_promise)
        )


def stage_days_by_step(stages: Iterable[tuple[str, int]]) -> int:
    """The working days a run of stages takes: parallel stages count once per step, the longest.

    `stages` are (parallel group, days) in position order. Consecutive stages sharing a non-blank
    group form one step, as cases build their stages (cases.services._stages_create).
    """
    total, step_longest, previous_group = 0, 0, ""
    for group, days in stages:
        if group and group == previous_group:
            step_longest = max(step_longest, days)
        else:
            total += step_longest
            step_longest = days
        previous_group = group
    return total + step_longest


def _published(center: Center) -> Q:
    return Q(item__center=center, item__status=ServiceItem.Status.PUBLISHED)


def items_stages_over_promise(center: Center) -> list[StageOverrun]:
    """Published items whose stage definitions add up beyond the promised limit."""
    stages: dict[int, list[tuple[str, int]]] = {}
    for item_id, group, days in (
        StageSpec.objects.filter(_published(center))
        .order_by("item_id", "position", "pk")
        .values_list("item_id", "parallel_group", "days")
    ):
        stages.setdefault(item_id, []).append((group, days))
    totals = {item_id: stage_days_by_step(rows) for item_id, rows in stages.items()}
    items = ServiceItem.objects.filter(pk__in=totals).select_related("department")
    return [
        StageOverrun(item=item, stage_days=totals[item.pk])
        for item in items
        if totals[item.pk] > item.promised_days
    ]


def compliance_report(center: Center) -> ComplianceReport:
    """Every finding of the 事前 check over the center's published items."""
    published = ServiceItem.objects.of_center(center).published().select_related("department")
    return ComplianceReport(
        without_basis=list(published.filter(legal_basis__regex=_BLANK)),
        promise_over_rule=list(items_not_compliant(center).select_related("department")),
        fees_without_basis=list(
            Fee.objects.filter(_published(center), basis__regex=_BLANK)
            .select_related("item", "item__department")
            .order_by("item__department__sort_order", "item__basic_code", "pk")
        ),
        without_materials=list(
            published.filter(~Exists(MaterialSpec.objects.filter(item=OuterRef("pk"))))
        ),
        stages_over_promise=items_stages_over_promise(center),
        figures=catalog_figures(center=center),
    )
