from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "bista.staff"
    label = "staff"
    verbose_name = "Personal"
