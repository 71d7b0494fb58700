from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bista.core"
    label = "core"
    verbose_name = "Organisation och behörigheter"
