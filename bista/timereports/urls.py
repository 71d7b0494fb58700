from __future__ import annotations

app_name = "timereports"
urlpatterns: list[object] = []
