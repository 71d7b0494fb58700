from django.urls import path

from bista.clients import views

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("ny/", views.client_create, name="create"),
    path("export/", views.client_export, name="export"),
    path("<int:pk>/", views.client_card, name="card"),
    path("<int:pk>/andra/", views.client_edit, name="edit"),
    path("<int:pk>/kontakter/ny/", views.contact_add, name="contact_add"),
]
