from django.urls import path

from bista.quality.views import deviations, feedback, incidents, lex_sarah, register, vb

app_name = "quality"

urlpatterns = [
    # Deviations
    path("avvikelser/", deviations.deviation_list, name="deviation_list"),
    path("avvikelser/ny/", deviations.deviation_report, name="deviation_report"),
    path("avvikelser/<int:pk>/", deviations.deviation_detail, name="deviation_detail"),
    path("avvikelser/<int:pk>/handlagg/", deviations.deviation_edit, name="deviation_edit"),
    path("avvikelser/<int:pk>/atgarder/", deviations.deviation_action_add, name="deviation_action_add"),
    path("avvikelser/atgarder/<int:pk>/klar/", deviations.deviation_action_done, name="deviation_action_done"),
    path("avvikelser/<int:pk>/avsluta/", deviations.deviation_close, name="deviation_close"),
    path("avvikelser/<int:pk>/lex-sarah/", deviations.deviation_escalate, name="deviation_escalate"),
    # Lex Sarah
    path("lex-sarah/", lex_sarah.report_list, name="lex_sarah_list"),
    path("lex-sarah/ny/", lex_sarah.report_create, name="lex_sarah_report"),
    path("lex-sarah/<int:pk>/", lex_sarah.report_detail, name="lex_sarah_detail"),
    path("lex-sarah/<int:pk>/steg/<str:step>/", lex_sarah.report_step, name="lex_sarah_step"),
    path("lex-sarah/<int:pk>/ivo-anmalan.docx", lex_sarah.ivo_notification, name="lex_sarah_ivo_notification"),
    # Feedback
    path("synpunkter/", feedback.feedback_list, name="feedback_list"),
    path("synpunkter/ny/", feedback.feedback_create, name="feedback_create"),
    path("synpunkter/<int:pk>/", feedback.feedback_detail, name="feedback_detail"),
    path("synpunkter/<int:pk>/andra/", feedback.feedback_edit, name="feedback_edit"),
    path("synpunkter/<int:pk>/avsluta/", feedback.feedback_close, name="feedback_close"),
    # Personal data incidents
    path("personuppgiftsincidenter/", incidents.incident_list, name="incident_list"),
    path("personuppgiftsincidenter/ny/", incidents.incident_create, name="incident_create"),
    path("personuppgiftsincidenter/<int:pk>/", incidents.incident_detail, name="incident_detail"),
    path("personuppgiftsincidenter/<int:pk>/andra/", incidents.incident_edit, name="incident_edit"),
    path("personuppgiftsincidenter/<int:pk>/imy/", incidents.incident_imy, name="incident_imy"),
    # Routines and the self-check plan
    path("rutiner/", register.routine_list, name="routine_list"),
    path("rutiner/ny/", register.routine_create, name="routine_create"),
    path("rutiner/<int:pk>/andra/", register.routine_edit, name="routine_edit"),
    path("egenkontrollplan/", register.self_check_plan, name="self_check_plan"),
    path("egenkontrollplan/ny/", register.self_check_item_create, name="self_check_item_create"),
    path("egenkontrollplan/<int:pk>/resultat/", register.self_check_result, name="self_check_result"),
    # Trends, the VB table, the quality report
    path("kvalitet/trender/", vb.trends, name="trends"),
    path("kvalitet/vb-tabell/", vb.vb_table, name="vb_table"),
    path("kvalitet/vb-tabell/bedomning/", vb.vb_assessment, name="vb_assessment"),
    path("kvalitet/vb-tabell.<str:fmt>", vb.vb_table_export, name="vb_table_export"),
    path("kvalitet/kvalitetsberattelse.docx", vb.quality_report, name="quality_report"),
]
