from django.urls import include, path

from bista.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("bista.core.urls")),
    path("", include("bista.overview.urls")),
    path("brukare/", include("bista.clients.urls")),
    path("medarbetare/", include("bista.staff.urls")),
    path("schema/", include("bista.rostering.urls")),
    path("tid/", include("bista.timereports.urls")),
    path("ekonomi/", include("bista.economy.urls")),
    path("loggkontroll/", include("bista.clients.log_urls")),
    path("", include("bista.care.urls")),
    path("", include("bista.casework.urls")),
    path("", include("bista.quality.urls")),
    path("", include("bista.governance.urls")),
    path("", include("bista.surveys.urls")),
    path("", include("bista.ownview.urls")),
]

handler403 = "bista.core.views.permission_denied"
handler404 = "bista.core.views.page_not_found"
