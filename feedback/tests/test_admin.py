"""The admin shows ratings and rectifications of the administrator's own center, read-only."""

from __future__ import annotations

from django.contrib.auth.models import Permission

from accounts.models import User
from accounts.roles import Role
from cases.models import Case
from cases.tests.conftest import World, login, person
from catalog.tests.factories import make_center, make_staff, make_user


def test_the_administrator_reads_the_rectifications_of_the_center_only(
    world: World, concluded: Case
) -> None:
    login(world.citizen).post(
        f"/feedback/cases/{concluded.number}/", {"action": "rate", "level": 1}
    )
    admin = person(world, "admin", Role.ADMINISTRATOR)
    User.objects.filter(pk=admin.pk).update(is_staff=True)
    outsider = make_user("other-admin", is_staff=True)
    make_staff(outsider, make_center(), Role.ADMINISTRATOR)
    # The role groups carry no feedback permissions yet: a superuser grants reading.
    readable = Permission.objects.filter(
        content_type__app_label="feedback", codename__in=["view_rating", "view_rectification"]
    )
    for user in (admin, outsider):
        user.user_permissions.add(*readable)
    for path in ("/admin/feedback/rating/", "/admin/feedback/rectification/"):
        assert concluded.number in login(admin).get(path).content.decode()
        assert concluded.number not in login(outsider).get(path).content.decode()
