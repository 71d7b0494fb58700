from django.urls import path

from bista.governance import views

app_name = "governance"

urlpatterns = [
    path("mal/", views.index, name="index"),
    path("mal/plan/<int:pk>/", views.plan_detail, name="plan"),
    path("mal/plan/<int:pk>/uppgifter/", views.plan_edit, name="plan_edit"),
    path("mal/plan/<int:pk>/kopiera/", views.plan_copy, name="plan_copy"),
    path("mal/plan/<int:pk>/nytt-mal/", views.goal_create, name="goal_create"),
    path("mal/plan/<int:pk>/varden/", views.values, name="values"),
    path("mal/plan/<int:pk>/avsnitt/<str:document>/<str:key>/", views.section_edit, name="section"),
    path("mal/plan/<int:pk>/dokument/", views.document_create, name="document_create"),
    path("mal/plan/<int:pk>/tidigare-ar/", views.history_recompute, name="history_recompute"),
    path("mal/plan/<int:pk>/forhandsvisning/<str:kind>.pdf", views.preview, name="preview"),
    path("mal/mal/<int:pk>/", views.goal_detail, name="goal"),
    path("mal/mal/<int:pk>/andra/", views.goal_edit, name="goal_edit"),
    path("mal/mal/<int:pk>/indikator/", views.goal_indicator_add, name="goal_indicator_add"),
    path("mal/mal/<int:pk>/aktivitet/", views.activity_create, name="activity_create"),
    path("mal/mal/<int:pk>/uppfoljning/<str:period>/", views.follow_up_save, name="follow_up_save"),
    path("mal/mal/<int:pk>/uppfoljning/<str:period>/utkast/", views.follow_up_draft, name="follow_up_draft"),
    path("mal/mal/<int:pk>/uppfoljning/<str:period>/versioner/", views.follow_up_history, name="follow_up_history"),
    path("mal/indikator/<int:pk>/analys/<str:period>/", views.indicator_analysis, name="indicator_analysis"),
    path("mal/aktivitet/<int:pk>/", views.activity_edit, name="activity_edit"),
    path(
        "mal/enhet/<int:unit_pk>/indikator/<str:code>/<int:year>/<str:period>/",
        views.drilldown,
        name="drilldown",
    ),
    path("mal/enhet/<int:unit_pk>/diagram/<str:code>/<int:year>.png", views.chart, name="chart"),
    path("mal/dokument/<int:pk>/", views.document_detail, name="document"),
    path("mal/dokument/<int:pk>/fil/", views.document_download, name="document_download"),
    path("mal/oppna-data.<str:fmt>", views.open_data, name="open_data"),
]
