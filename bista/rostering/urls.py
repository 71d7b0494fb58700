from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import path

from bista.rostering.views import hours, jobs, my_schedule, needs, open_shifts, roster, shifts, sickcall

app_name = "rostering"


def indicators(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """The indicators page (views/indicators.py), imported when first asked for, so that the other pages
    do not depend on it."""
    from bista.rostering.views.indicators import indicator_page

    return indicator_page(request, *args, **kwargs)


urlpatterns = [
    # The roster: a client team's, one person's, and the signed-in employee's own
    path("", roster.roster, name="roster"),
    path("person/<int:pk>/", roster.person, name="person"),
    path("mitt/", my_schedule.my_schedule, name="my_schedule"),
    path("mitt/sjukanmalan/", my_schedule.sick_report, name="sick_report"),
    path("mitt/pass/<int:pk>/begar/", my_schedule.shift_request, name="shift_request"),
    # Hours against contracts and decisions
    path("timmar/", hours.hours, name="hours"),
    # Shifts
    path("pass/nytt/", shifts.shift_create, name="shift_create"),
    path("pass/<int:pk>/", shifts.shift_detail, name="shift"),
    path("pass/<int:pk>/andra/", shifts.shift_edit, name="shift_edit"),
    path("pass/<int:pk>/stall-in/", shifts.shift_cancel, name="shift_cancel"),
    # Sick calls and open shifts
    path("sjukanmalan/", shifts.sick_call, name="sick_call"),
    path("sjukanmalan/<int:pk>/", sickcall.sick_call_result, name="sick_call_result"),
    path("sjukanmalan/<int:pk>/pass/<int:shift_pk>/tilldela/", sickcall.sick_call_assign, name="sick_call_assign"),
    path("sjukanmalan/<int:pk>/pass/<int:shift_pk>/erbjud/", sickcall.sick_call_offer, name="sick_call_offer"),
    path("erbjudande/<str:token>/", sickcall.offer, name="offer"),
    path("oppna-pass/", open_shifts.open_shift_list, name="open_shifts"),
    path("oppna-pass/<int:pk>/", open_shifts.open_shift, name="open_shift"),
    path("oppna-pass/<int:pk>/tilldela/", open_shifts.open_shift_assign, name="open_shift_assign"),
    path("oppna-pass/begaran/<int:pk>/godkann/", sickcall.request_approve, name="request_approve"),
    path("oppna-pass/begaran/<int:pk>/avsla/", sickcall.request_decline, name="request_decline"),
    path("oppna-pass/installningar/", sickcall.roster_settings, name="roster_settings"),
    # Roster jobs
    path("optimering/", jobs.jobs, name="jobs"),
    path("optimering/<int:pk>/", jobs.job, name="job"),
    path("optimering/<int:pk>/status/", jobs.job_status, name="job_status"),
    path("optimering/<int:pk>/stoppa/", jobs.job_stop, name="job_stop"),
    path("optimering/<int:pk>/publicera/", jobs.job_publish, name="job_publish"),
    path("optimering/<int:pk>/forkasta/", jobs.job_discard, name="job_discard"),
    # Needs
    path("behov/", needs.needs_index, name="needs_index"),
    path("behov/brukare/<int:client_pk>/", needs.needs, name="needs"),
    path("behov/brukare/<int:client_pk>/monster/", needs.pattern_create, name="pattern_create"),
    path("behov/monster/<int:pk>/avsluta/", needs.pattern_end, name="pattern_end"),
    path("behov/brukare/<int:client_pk>/tillfallen/", needs.occasion_create, name="occasion_create"),
    path("behov/tillfallen/<int:pk>/avboka/", needs.occasion_cancel, name="occasion_cancel"),
    # Indicators (H6's page)
    path("nyckeltal/", indicators, name="indicators"),
]
