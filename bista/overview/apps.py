from django.apps import AppConfig


class OverviewConfig(AppConfig):
    name = "bista.overview"
    label = "overview"
    verbose_name = "Översikt"
