from django.urls import path  # noqa: F401

app_name = "governance"

urlpatterns: list = []  # type: ignore[type-arg]
