from django.urls import path

from bista.overview import views

app_name = "overview"

urlpatterns = [
    path("", views.start, name="start"),
    path("enheter/<int:pk>/", views.unit_detail, name="unit"),
    path("arbetsgrupper/<int:pk>/", views.team_detail, name="team"),
]
