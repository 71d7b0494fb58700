from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data generator (`bista demo`); it has no models of its own."""

    name = "bista.demo"
    label = "demo"
    verbose_name = "Demodata"
