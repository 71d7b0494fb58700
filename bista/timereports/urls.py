from __future__ import annotations

from django.urls import path

from bista.timereports import views

app_name = "timereports"

urlpatterns = [
    # The person who worked: Min tid (from Mitt schema)
    path("min/", views.my_time, name="my_time"),
    path("pass/<int:pk>/bekrafta/", views.confirm, name="confirm"),
    path("pass/<int:pk>/justera/", views.adjust, name="adjust"),
    path("oplanerad/", views.unplanned, name="unplanned"),
    path("arbetad/<int:pk>/andra/", views.revise, name="revise"),
    # The manager: the unit's month, one person's month, the attestation
    path("attest/", views.unit_month, name="unit_month"),
    path("attest/medarbetare/<int:pk>/", views.person, name="person"),
    path("attest/medarbetare/<int:pk>/attestera/", views.attest, name="attest"),
    # The unit's month close: the checklist, the lock, a reopening for a correction
    path("manadsavslut/", views.month_close, name="month_close"),
    path("manadsavslut/<int:unit_pk>/stang/", views.month_lock, name="month_lock"),
    path("manadsavslut/<int:unit_pk>/oppna/", views.month_reopen, name="month_reopen"),
    # Försäkringskassan's time reports: the month's list and reconciliation, one report, its downloads
    path("fk/", views.fk_reports, name="fk_reports"),
    path("fk/<int:unit_pk>/ta-fram/", views.fk_produce, name="fk_produce"),
    path("fk/<int:unit_pk>/anordnare/", views.fk_provider, name="fk_provider"),
    path("fk/redovisning/<int:pk>/", views.fk_report, name="fk_report"),
    path("fk/redovisning/<int:pk>/attestera/", views.fk_report_attest, name="fk_report_attest"),
    path("fk/redovisning/<int:pk>/skickad/", views.fk_report_sent, name="fk_report_sent"),
    path("fk/redovisning/<int:pk>/ratta/", views.fk_report_correct, name="fk_report_correct"),
    path("fk/redovisning/<int:pk>/xml/", views.fk_report_xml, name="fk_report_xml"),
    path("fk/redovisning/<int:pk>/pdf/", views.fk_report_pdf, name="fk_report_pdf"),
]
