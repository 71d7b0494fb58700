from __future__ import annotations

from django.urls import path

from bista.economy import views

app_name = "economy"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("manad/", views.month, name="month"),
    path("kostnad/", views.other_cost_add, name="other_cost_add"),
    path("budget/", views.budget, name="budget"),
    path("budget/import/", views.budget_import, name="budget_import"),
    path("brukare/", views.clients, name="clients"),
    path("fakturor/", views.invoices, name="invoices"),
    path("fakturor/ta-fram/", views.invoice_produce, name="invoice_produce"),
    path("fakturor/export/", views.invoice_export, name="invoice_export"),
    path("lon/", views.payroll, name="payroll"),
    path("lon/export/", views.payroll_export, name="payroll_export"),
    path("lonevillkor/", views.wage_terms, name="wage_terms"),
]
