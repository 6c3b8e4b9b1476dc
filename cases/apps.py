from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from hall.models import Ticket


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The calendar knows no app: it calls back when its days change (DESIGN §4).
        from cases.services import case_deadlines_recompute
        from workdays.hooks import calendar_changed

        if case_deadlines_recompute not in calendar_changed:
            calendar_changed.append(case_deadlines_recompute)
        # The hall's workstation offers to open a case for the ticket being served.
        from hall.hooks import ticket_actions

        if _open_case_action not in ticket_actions:
            ticket_actions.append(_open_case_action)


def _open_case_action(ticket: "Ticket") -> tuple[str, str] | None:
    from django.urls import reverse

    from hall.models import Ticket

    if ticket.status not in (Ticket.Status.CALLED, Ticket.Status.SERVING):
        return None
    return str(_("Open a case for this ticket")), reverse("cases:new")
