from django.urls import path

from bista.surveys import views

app_name = "surveys"

urlpatterns = [
    path("brukarundersokning/", views.index, name="index"),
    path("brukarundersokning/fragebank/", views.bank, name="bank"),
    path("brukarundersokning/ny/", views.create, name="create"),
    path("brukarundersokning/ar/", views.year, name="year"),
    path("brukarundersokning/<int:pk>/", views.detail, name="detail"),
    path("brukarundersokning/<int:pk>/status/<str:action>/", views.change_status, name="status"),
    path("brukarundersokning/<int:pk>/inbjudningar/ny/", views.invite, name="invite"),
    path("brukarundersokning/<int:pk>/resultat/", views.results, name="results"),
    path("brukarundersokning/<int:pk>/resultat.<str:fmt>", views.results_export, name="results_export"),
    # The respondent's pages: no sign-in, the one-time code is the key.
    path("enkat/", views.answer_start, name="answer_start"),
    path("enkat/<str:code>/", views.answer, name="answer"),
]
