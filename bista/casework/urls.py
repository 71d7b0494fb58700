from django.urls import path

from bista.casework import views

app_name = "casework"

urlpatterns = [
    path("arenden/", views.case_list, name="case_list"),
    path("arenden/aktualisering/", views.intake_create, name="intake_create"),
    path("arenden/arendebalans/", views.caseload, name="caseload"),
    path("arenden/ivo/", views.ivo_report, name="ivo_report"),
    path("arenden/ivo/rapportera/", views.ivo_report_keep, name="ivo_report_keep"),
    path("arenden/ivo/rapport.<str:fmt>", views.ivo_report_export, name="ivo_report_export"),
    path("arenden/statistik/", views.council_statistics, name="council_statistics"),
    path("arenden/<int:pk>/", views.case_detail, name="case_detail"),
    path("arenden/<int:pk>/fordela/", views.case_assign, name="case_assign"),
    path("arenden/<int:pk>/malgrupp/", views.case_target_group, name="case_target_group"),
    path("arenden/<int:pk>/utredning/", views.investigation_start, name="investigation_start"),
    path("arenden/<int:pk>/beslut/", views.decision_create, name="decision_create"),
    path("aktualiseringar/<int:pk>/forsta-kontakt/", views.intake_first_contact, name="intake_first_contact"),
    path("utredningar/<int:pk>/", views.investigation_edit, name="investigation_edit"),
    path("utredningar/<int:pk>/utkast/", views.investigation_draft, name="investigation_draft"),
    path("utredningar/<int:pk>/versioner/", views.investigation_versions, name="investigation_versions"),
    path("utredningar/<int:pk>/samtycke/", views.investigation_consent, name="investigation_consent"),
    path("utredningar/<int:pk>/kalla-kontaktad/", views.source_contacted, name="source_contacted"),
    path("utredningar/<int:pk>/kommunicering/", views.investigation_communicate, name="investigation_communicate"),
    path("utredningar/<int:pk>/avsluta/", views.investigation_complete, name="investigation_complete"),
    path("beslut/<int:pk>/beslut.docx", views.decision_docx, name="decision_docx"),
    path("beslut/<int:pk>/beslut.pdf", views.decision_pdf, name="decision_pdf"),
    path("beslut/<int:pk>/delgivning/", views.decision_received, name="decision_received"),
    path("beslut/<int:pk>/uppfoljning/", views.follow_up_create, name="follow_up_create"),
    path("beslut/<int:pk>/avsluta/", views.decision_end, name="decision_end"),
    path("beslut/<int:pk>/drojsmal/", views.decision_delay, name="decision_delay"),
    path("beslut/<int:pk>/bestall/", views.order_create, name="order_create"),
    path("beslut/<int:pk>/overklagande/", views.appeal_register, name="appeal_register"),
    path("overklaganden/<int:pk>/omprovning/", views.appeal_reconsider, name="appeal_reconsider"),
    path("overklaganden/<int:pk>/dom/", views.appeal_judgment, name="appeal_judgment"),
    path("overklaganden/<int:pk>/overlamnat/", views.appeal_forward, name="appeal_forward"),
    path("utforarbestallningar/<int:pk>/bestallning.pdf", views.order_pdf, name="order_pdf"),
    path("utforarbestallningar/<int:pk>/verkstalld/", views.order_executed, name="order_executed"),
]
