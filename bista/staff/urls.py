from django.urls import path

from bista.staff import views

app_name = "staff"

urlpatterns = [
    path("", views.employee_list, name="list"),
    path("ny/", views.employee_create, name="create"),
    path("<int:pk>/", views.employee_card, name="card"),
    path("<int:pk>/andra/", views.employee_edit, name="edit"),
    # The employee's details
    path("<int:pk>/villkor/", views.term_add, name="term_add"),
    path("<int:pk>/kompetenser/", views.competence_add, name="competence_add"),
    path("kompetenser/<int:pk>/aterkalla/", views.competence_revoke, name="competence_revoke"),
    path("<int:pk>/delegeringar/", views.delegation_add, name="delegation_add"),
    path("delegeringar/<int:pk>/aterkalla/", views.delegation_revoke, name="delegation_revoke"),
    path("<int:pk>/introduktioner/", views.introduction_add, name="introduction_add"),
    path("<int:pk>/medarbetarsamtal/", views.appraisal_add, name="appraisal_add"),
    # Absences
    path("franvaro/", views.absence_list, name="absences"),
    path("franvaro/ny/", views.absence_create, name="absence_create"),
    path("franvaro/<int:pk>/andra/", views.absence_edit, name="absence_edit"),
    path("franvaro/<int:pk>/avsluta/", views.absence_end, name="absence_end"),
    path("franvaro/<int:pk>/makulera/", views.absence_cancel, name="absence_cancel"),
    # A client's staffing
    path("brukare/<int:client_id>/personal/", views.client_staffing, name="client_staffing"),
    path("brukare/<int:client_id>/personal/val/", views.staff_choice_add, name="staff_choice_add"),
    path("brukare/<int:client_id>/personal/val/<int:pk>/avsluta/", views.staff_choice_end, name="staff_choice_end"),
    path("brukare/<int:client_id>/personal/krav/", views.competence_need_add, name="competence_need_add"),
    path(
        "brukare/<int:client_id>/personal/krav/<int:pk>/avsluta/", views.competence_need_end, name="competence_need_end"
    ),
]
