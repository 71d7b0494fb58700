from django.urls import path

from bista.ownview import views

app_name = "ownview"

urlpatterns = [
    # The client's own view: no staff sign-in; an own-view session (bista.ownview.session) or a one-time code.
    path("min-sida/", views.home, name="home"),
    path("min-sida/tyck-till/", views.feedback, name="feedback"),
    path("min-sida/logga-in/", views.sign_in, name="sign_in"),
    path("min-sida/logga-in/kod/", views.sign_in_code, name="sign_in_code"),
    path("min-sida/logga-in/e-legitimation/", views.sign_in_sso, name="sign_in_sso"),
    path("min-sida/logga-ut/", views.sign_out, name="sign_out"),
    # Staff: the client's own-view settings and contacts.
    path("brukare/<int:pk>/min-sida/", views.manage, name="manage"),
]
