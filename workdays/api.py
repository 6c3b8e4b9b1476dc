"""API of the working-day calendar: add working days to a date, count them between two dates."""

from datetime import date

from django.http import HttpRequest
from ninja import P, QueryEx, Router, Schema
from pydantic import Field

from govhall.api import ErrorOut
from workdays.calendar import MAX_DAYS, Explanation, explain_add, explain_count
from workdays.selectors import calendar_current

router = Router(tags=["workdays"])


class NamedDayOut(Schema):
    date: date
    name: str


class ExplanationOut(Schema):
    provisional: bool = Field(
        description="True when a day counted lies in a year without an official schedule: "
        "the answer may change when that year's schedule is imported."
    )
    provisional_years: list[int]
    holidays_skipped: list[NamedDayOut]
    makeup_days: list[NamedDayOut] = Field(description="Make-up working days (调休上班) counted")
    weekend_days_skipped: int


class AddOut(ExplanationOut):
    start: date
    days: int
    result: date = Field(description="The day on which the working days are over")


class CountOut(ExplanationOut):
    start: date
    end: date
    working_days: int = Field(description="Working days after start, up to and including end")


def _explanation(explanation: Explanation) -> dict[str, object]:
    return {
        "provisional": explanation.provisional,
        "provisional_years": list(explanation.provisional_years),
        "holidays_skipped": explanation.holidays_skipped,
        "makeup_days": explanation.makeup_days,
        "weekend_days_skipped": explanation.weekend_days_skipped,
    }


@router.get("/add", response={200: AddOut, 422: ErrorOut}, summary="Add working days to a date")
def add(
    request: HttpRequest,
    start: date,
    days: QueryEx[int, P(ge=0, le=MAX_DAYS, description="Working days to add")],
) -> dict[str, object]:
    """The day on which `days` working days after `start` are over (counting starts the day after
    `start`; 0 days gives `start`)."""
    explanation = explain_add(calendar_current(), start, days)
    return {"start": start, "days": days, "result": explanation.end, **_explanation(explanation)}


@router.get(
    "/count", response={200: CountOut, 422: ErrorOut}, summary="Count working days between dates"
)
def count(request: HttpRequest, start: date, end: date) -> dict[str, object]:
    """The working days after `start` up to and including `end`; `end` must not be before
    `start`."""
    explanation = explain_count(calendar_current(), start, end)
    return {
        "start": start,
        "end": end,
        "working_days": explanation.working_days,
        **_explanation(explanation),
    }
