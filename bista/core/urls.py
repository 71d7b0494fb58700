from django.urls import path

from bista.core import views

app_name = "core"

urlpatterns = [
    path("konto/logga-in/", views.LoginView.as_view(), name="login"),
    path("konto/logga-ut/", views.logout_view, name="logout"),
    path("konto/tvafaktor/", views.two_factor, name="two_factor"),
    path("konto/engangskoder-tvafaktor/", views.two_factor_codes, name="two_factor_codes"),
    path("konto/byt-losenord/", views.password_change, name="password_change"),
    path("konto/api-nycklar/", views.api_tokens, name="api_tokens"),
    path("konto/api-nycklar/<int:pk>/aterkalla/", views.api_token_revoke, name="api_token_revoke"),
    path("sok/<slug:kind>/", views.picker_search, name="picker_search"),
    path("referensdata/tidsfrister/", views.duty_rules, name="duty_rules"),
    path("referensdata/tidsfrister/<str:code>/ny-version/", views.duty_rule_new_version, name="duty_rule_new_version"),
]
