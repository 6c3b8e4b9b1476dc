from django.apps import AppConfig


class GovhallConfig(AppConfig):
    name = "govhall"
    verbose_name = "govhall"
