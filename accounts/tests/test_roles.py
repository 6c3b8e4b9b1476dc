"""The center administrator's permissions: the catalog, calendar and hall, and the other apps'
settings, but not their records."""

import pytest
from django.contrib.auth.models import Group

from accounts.roles import Role
from accounts.services import roles_ensure


@pytest.mark.django_db
def test_the_administrator_keeps_the_settings_of_the_apps_but_not_their_records() -> None:
    roles_ensure()
    granted = set(
        Group.objects.get(name=Role.ADMINISTRATOR.value).permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    assert ("catalog", "change_serviceitem") in granted
    assert ("workdays", "add_holiday") in granted
    assert ("feedback", "change_feedbackpolicy") in granted
    assert ("workorders", "change_workorderpolicy") in granted
    assert ("sharing", "add_certificatetype") in granted
    assert ("feedback", "view_rating") not in granted
    assert ("workorders", "view_workorder") not in granted
    assert ("sharing", "change_certificate") not in granted
