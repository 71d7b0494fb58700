from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "bista.staff"
    label = "staff"
    verbose_name = "Personal"

    def ready(self) -> None:
        from bista.staff import duties  # noqa: F401  (registers the staff duty sources)
