from django.apps import AppConfig


class RosteringConfig(AppConfig):
    name = "bista.rostering"
    label = "rostering"
    verbose_name = "Schemaläggning"
