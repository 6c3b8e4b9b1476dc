"""Many people booking the last places of a slot at once: exactly its capacity succeed."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from hall.models import Appointment, HallPolicy
from hall.services import booking as services
from hall.services.tickets import HallConflictError, policy_for
from hall.tests.factories import make_floor
from hall.tests.test_booking_services import MOBILE, MORNING, NINE, TUESDAY, resident_id
from workdays.services import calendar_seed

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = 12


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers by its IMMEDIATE transactions; the row lock is PostgreSQL's",
)
def test_twelve_people_booking_a_slot_of_three_places_get_exactly_three() -> None:
    calendar_seed(first_year=2026, last_year=2027)
    floor = make_floor(counters=2)
    policy = policy_for(floor.center)
    # 2 counters × 30 minutes ÷ 20 minutes = 3 places.
    HallPolicy.objects.filter(pk=policy.pk).update(average_service_minutes=20)
    barrier = threading.Barrier(PEOPLE)
    booked: list[str] = []
    refused: list[str] = []
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            barrier.wait()
            appointment = services.appointment_book(
                category=floor.general,
                day=TUESDAY,
                slot_start=NINE,
                id_number=resident_id(index + 1),
                name="张三",
                mobile=MOBILE,
                now=MORNING,
            )
            booked.append(appointment.code)
        except HallConflictError as error:
            refused.append(error.message)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(index,)) for index in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(booked) == 3
    assert len(refused) == PEOPLE - 3
    assert Appointment.objects.filter(day=TUESDAY, slot_start=NINE).count() == 3
