"""The roles of the center's users, kept as Django groups of the same name."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen or enterprise")
    CLERK = "clerk", _("Counter clerk")
    CHIEF_REPRESENTATIVE = "chief_representative", _("Chief representative")
    REVIEWER = "reviewer", _("Department reviewer")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    HALL_MANAGER = "hall_manager", _("Hall manager")
    SUPERVISOR = "supervisor", _("Supervisor")
    INSPECTOR = "inspector", _("Inspector")
    ASSESSOR = "assessor", _("Third-party assessor")
    ADMINISTRATOR = "administrator", _("Center administrator")


# Roles whose holders act for one department; the others act for the whole center.
DEPARTMENT_ROLES = frozenset(
    {Role.CLERK, Role.CHIEF_REPRESENTATIVE, Role.REVIEWER, Role.DEPARTMENT_HEAD}
)
