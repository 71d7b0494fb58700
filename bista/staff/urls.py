from django.urls import path

from bista.staff import views

app_name = "staff"

urlpatterns = [
    path("", views.employee_list, name="list"),
    path("ny/", views.employee_create, name="create"),
    path("<int:pk>/", views.employee_card, name="card"),
    path("<int:pk>/andra/", views.employee_edit, name="edit"),
]
