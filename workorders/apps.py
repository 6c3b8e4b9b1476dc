from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkOrdersConfig(AppConfig):
    name = "workorders"
    verbose_name = _("Complaints and 12345 work orders")

    def ready(self) -> None:
        from supervision.rules import register_state_rule
        from workorders.rules import work_orders_late

        register_state_rule(work_orders_late)
