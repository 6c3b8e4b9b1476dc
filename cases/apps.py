from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


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
