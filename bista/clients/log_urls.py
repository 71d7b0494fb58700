from django.urls import path

from bista.clients import views

app_name = "log"

urlpatterns = [
    path("", views.log_index, name="index"),
    path("urval/", views.log_sample, name="sample"),
    path("<int:pk>/", views.log_review, name="review"),
]
