from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "bista.clients"
    label = "clients"
    verbose_name = "Brukare"
