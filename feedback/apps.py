from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Ratings and rectification")

    def ready(self) -> None:
        # The hall and supervision sit below feedback and never import it (DESIGN §4): feedback
        # hooks into them here, once.
        from feedback.rules import rectifications_late
        from feedback.services import pad_rating_received
        from hall.hooks import pad_rated
        from supervision.rules import register_state_rule

        if pad_rating_received not in pad_rated:
            pad_rated.append(pad_rating_received)
        register_state_rule(rectifications_late)
