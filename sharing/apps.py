from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = _("Data sharing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Cases know no registry: they call back once a certificate record is committed (DESIGN §4).
        from cases.hooks import case_panels, certificate_issued
        from sharing.panels import case_panel
        from sharing.services import certificate_issue_for_case_hook

        if certificate_issue_for_case_hook not in certificate_issued:
            certificate_issued.append(certificate_issue_for_case_hook)
        # The case page shows the certificates that provide the case's materials.
        if case_panel not in case_panels:
            case_panels.append(case_panel)
