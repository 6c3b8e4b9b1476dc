from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("Staff assessment")

    def ready(self) -> None:
        from assessment.selectors import screen_titles
        from hall.hooks import counter_screen_titles

        counter_screen_titles.append(screen_titles)
