from django.urls import path

from bista.care.views import binders, exports, journal, orders, plans, selfchecks, todo

app_name = "care"

urlpatterns = [
    # "Att göra"
    path("att-gora/", todo.todo, name="todo"),
    # Orders
    path("bestallningar/", orders.order_list, name="order_list"),
    path("bestallningar/ny/", orders.order_create, name="order_create"),
    path("bestallningar/<int:pk>/", orders.order_detail, name="order_detail"),
    path("bestallningar/<int:pk>/andra/", orders.order_edit, name="order_edit"),
    path("bestallningar/<int:pk>/steg/", orders.order_step, name="order_step"),
    # Implementation plans
    path("bestallningar/<int:order_pk>/plan/ny/", plans.plan_create, name="plan_create"),
    path("planer/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("planer/<int:pk>/andra/", plans.plan_edit, name="plan_edit"),
    path("planer/<int:pk>/underteckna/", plans.plan_sign, name="plan_sign"),
    path("planer/<int:pk>/uppfoljning/", plans.plan_review, name="plan_review"),
    path("planer/<int:pk>/jamfor/", plans.plan_diff, name="plan_diff"),
    path("planer/<int:pk>/pdf/", plans.plan_pdf, name="plan_pdf"),
    # Journal
    path("brukare/<int:client_pk>/journal/", journal.journal, name="journal"),
    path("brukare/<int:client_pk>/journal/utkast/", journal.journal_draft, name="journal_draft"),
    path("brukare/<int:client_pk>/akt.pdf", journal.record_pdf, name="record_pdf"),
    path("journal/<int:pk>/", journal.journal_entry, name="journal_entry"),
    path("journal/<int:pk>/invandning/", journal.journal_objection, name="journal_objection"),
    # Home binders and deliveries
    path("brukare/<int:client_pk>/parmar/", binders.binder_index, name="binders"),
    path("brukare/<int:client_pk>/parmar/<str:kind>/", binders.binder_detail, name="binder"),
    path("brukare/<int:client_pk>/parmar/<str:kind>/andra/", binders.binder_edit, name="binder_edit"),
    path("brukare/<int:client_pk>/leveranser/ny/", binders.delivery_create, name="delivery_create"),
    path("leveranser/", binders.delivery_list, name="deliveries"),
    # Self-checks and the emergency export
    path("egenkontroller/", selfchecks.self_checks, name="self_checks"),
    path("egenkontroller/<str:check>/", selfchecks.self_check_detail, name="self_check_detail"),
    path("nodrutin/", selfchecks.emergency_export, name="emergency_export"),
    # Prints made in the background (the record, the emergency export)
    path("utskrifter/<int:pk>/", exports.export_detail, name="export"),
    path("utskrifter/<int:pk>/fil/", exports.export_download, name="export_download"),
]
