"""Pages of the client survey.

Staff (signed in): the surveys of the units one may see (surveys.view), composing a survey and the question
bank, sending invitations (surveys.manage), the results (aggregates only) with charts and exports.

The respondent (not signed in): `/enkat/` to type a code, `/enkat/<code>/` to answer — one question per
screen, the answers so far carried in the form itself (hidden fields), so nothing is stored until the last
screen's "Skicka" and a half-answered questionnaire leaves no trace. Works without JavaScript; a small
local script only adds the read-aloud buttons (the browser's speech synthesis)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bista.core import charts
from bista.core.access import require_any_unit
from bista.core.errors import ConflictError
from bista.core.format import antal
from bista.core.forms import apply_service_errors
from bista.surveys import exports, rules, selectors, sending, services
from bista.surveys.forms import CodeForm, InviteForm, QuestionForm, SurveyForm
from bista.surveys.models import Question

# --- Staff --------------------------------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    require_any_unit(request.user, [services.SURVEY_VIEW])
    surveys = selectors.visible_surveys(request.user).order_by("-year", "unit__name", "-pk")[:200]
    can_create = selectors.manageable_units(request.user).exists()
    return render(request, "surveys/index.html", {"surveys": surveys, "can_create": can_create})


@login_required
@require_http_methods(["GET", "POST"])
def bank(request: HttpRequest) -> HttpResponse:
    require_any_unit(request.user, [services.SURVEY_VIEW])
    units = selectors.manageable_units(request.user)
    form = QuestionForm(request.POST or None, units=units) if units.exists() else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.question_create(
                    actor=request.user,
                    unit=data["enhet"],
                    text=data["text"],
                    easy_text=data["easy_text"],
                    scale=data["scale"],
                    pictogram=data["pictogram"],
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, "Frågan är tillagd i frågebanken.")
                return redirect("surveys:bank")
    visible_units = require_any_unit(request.user, [services.SURVEY_VIEW])
    active = Question.objects.filter(is_active=True).select_related("scale", "unit")
    questions = [q for q in active if q.unit_id is None or q.unit_id in visible_units]
    return render(request, "surveys/bank.html", {"questions": questions, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    units = selectors.manageable_units(request.user)
    if not units.exists():
        raise PermissionDenied
    unit_id = str(request.POST.get("enhet") or request.GET.get("enhet") or "")
    unit = (units.filter(pk=int(unit_id)).first() if unit_id.isdigit() and len(unit_id) < 10 else None) or units.first()
    assert unit is not None
    questions = services.bank_for(unit).order_by("unit_id", "code")
    form = SurveyForm(request.POST or None, units=units, questions=questions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = services.survey_create(
                actor=request.user,
                unit=data["enhet"],
                name=data["name"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                audience=data["audience"],
                questions=data["questions"],
                services=data["services"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Undersökningen är skapad som utkast.")
            return redirect("surveys:detail", pk=survey.pk)
    return render(request, "surveys/create.html", {"form": form})


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_for(request.user, pk)
    manage = selectors.can_manage(request.user, survey)
    context = {
        "survey": survey,
        "questions": selectors.questions_of(survey),
        "counts": selectors.invitation_counts(survey),
        "manage": manage,
        # Who has been asked and whether they answered (never what): for reminders, to the unit's managers.
        "invitations": selectors.invitations(survey) if manage else None,
        "services": list(survey.services.all()),
    }
    return render(request, "surveys/detail.html", context)


@login_required
@require_POST
def change_status(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    survey = selectors.survey_for(request.user, pk)
    if not selectors.can_manage(request.user, survey):
        raise PermissionDenied
    step = {"oppna": services.survey_open, "avsluta": services.survey_close}.get(action)
    if step is None:
        return HttpResponseBadRequest("Okänd åtgärd.")
    version = request.POST.get("version", "")
    try:
        step(actor=request.user, survey=survey, expected_version=int(version) if version.isdigit() else None)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except ConflictError:
        messages.error(request, "Någon annan har just ändrat undersökningen. Försök igen.")
    else:
        messages.success(request, "Undersökningen är öppnad." if action == "oppna" else "Undersökningen är avslutad.")
    return redirect("surveys:detail", pk=survey.pk)


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_for(request.user, pk)
    if not selectors.can_manage(request.user, survey):
        raise PermissionDenied
    answered = set(survey.invitations.filter(used=True).values_list("client_id", flat=True))
    asked = [a for a in services.audience(survey) if a.client.pk not in answered]
    choices = [(a.client.pk, a.client.full_name) for a in asked]
    form = InviteForm(request.POST or None, clients=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_pk = {a.client.pk: a.client for a in asked}
        letters: list[services.Issued] = []
        try:
            letters = services.invitations_issue(
                actor=request.user,
                survey=survey,
                clients=[by_pk[client_pk] for client_pk in data["clients"]],
                channel=data["channel"],
                respondent=data["respondent"],
                respondent_name=data["respondent_name"],
                address=data["address"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if data["channel"] == "letter":
                return render(request, "surveys/letters.html", {"survey": survey, "letters": _letters(letters)})
            messages.success(request, f"{antal(len(letters), 'inbjudan,inbjudningar')} är skickade.")
            return redirect("surveys:detail", pk=survey.pk)
    return render(request, "surveys/invite.html", {"survey": survey, "form": form})


def _letters(issued: list[services.Issued]) -> list[dict[str, Any]]:
    import segno

    letters = []
    for item in issued:
        url = sending.answer_url(item.code)
        qr = segno.make(url, error="m")
        letters.append(
            {
                "name": item.invitation.client.full_name,
                "respondent": item.invitation.get_respondent_display(),
                "respondent_name": item.invitation.respondent_name,
                "code": rules.display_code(item.code),
                "url": url,
                "qr": qr.svg_inline(scale=4, title="QR-kod till enkäten"),
            }
        )
    return letters


def _rounded(share: Decimal | None) -> int | None:
    return None if share is None else round(share)


def _grouping(request: HttpRequest) -> str:
    value = request.GET.get("grupp", "")
    return value if value in selectors.GROUPINGS else ""


@login_required
@require_GET
def results(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_for(request.user, pk)
    grouping = _grouping(request)
    found = selectors.survey_results(request.user, survey, grouping)
    trend = selectors.trend(survey)
    years = [str(year) for year, _ in trend]
    trend_series = [
        charts.Series(
            label=q.question.easy_text[:40],
            # A year without a result (no closed survey, or the group too small) is a gap, never 0.
            values=[_rounded(shares.get(q.question.pk)) for _, shares in trend],
        )
        for q in found.questions
    ]
    trend_chart = charts.line_chart(
        chart_id="trend",
        title="Andel positiva svar per år (%)",
        description="Andelen positiva svar per fråga de senaste fem åren. Samma siffror finns i tabellen.",
        periods=years,
        series=trend_series,
        empty_message="Inga resultat att visa.",
    )
    rows = []
    for index, q in enumerate(found.questions):
        groups = [("Alla", q.total)] + [(g.label, q.groups[g.key]) for g in found.groups if g.key in q.groups]
        chart = charts.bar_chart(
            chart_id=f"q{index}",
            title=q.question.easy_text,
            description="Antal svar per svarsalternativ. Grupper med för få svar visas inte.",
            periods=[label for label, _ in groups],
            series=[
                charts.Series(label=label, values=[d.counts[i] for _, d in groups]) for i, label in enumerate(q.labels)
            ],
            empty_message="För få svar för att visa.",
        )
        rows.append({"result": q, "groups": groups, "chart": chart})
    context = {
        "survey": survey,
        "results": found,
        "rows": rows,
        "grouping": grouping,
        "groupings": selectors.GROUPINGS,
        "trend": trend,
        "trend_chart": trend_chart,
    }
    return render(request, "surveys/results.html", context)


@login_required
@require_GET
def results_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    survey = selectors.survey_for(request.user, pk)
    found = selectors.survey_results(request.user, survey, _grouping(request) or "gender")
    if fmt == "xlsx":
        response = HttpResponse(
            exports.results_xlsx(found),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="brukarundersokning-{survey.pk}.xlsx"'
        return response
    if fmt == "json":
        body = json.dumps({"values": selectors.kolada_rows(found)}, ensure_ascii=False, indent=2)
        return HttpResponse(body, content_type="application/json; charset=utf-8")
    return HttpResponseBadRequest("Okänt format.")


@login_required
@require_GET
def year(request: HttpRequest) -> HttpResponse:
    """Every visible unit's surveys of one year together (the city-year), per unit."""
    require_any_unit(request.user, [services.SURVEY_VIEW])
    raw = request.GET.get("ar", "")
    chosen = int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else None
    years = sorted(set(selectors.visible_surveys(request.user).values_list("year", flat=True)), reverse=True)
    chosen = chosen or (years[0] if years else None)
    found = selectors.year_results(request.user, chosen, "unit") if chosen else None
    return render(request, "surveys/year.html", {"years": years, "chosen": chosen, "results": found})


# --- The respondent (no sign-in) ----------------------------------------------------------------------


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "surveys/answer_refused.html", {"message": message}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def answer_start(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return redirect("surveys:answer", code=form.cleaned_data["kod"])
    return render(request, "surveys/answer_start.html", {"form": form}, status=400 if form.errors else 200)


def _carried(request: HttpRequest, questions: list[Question]) -> dict[int, int] | None:
    """The answers so far, from the hidden fields; None if any is not a step of its question's scale."""
    found: dict[int, int] = {}
    for question in questions:
        raw = request.POST.get(f"a{question.pk}", "")
        if raw == "":
            continue
        if not raw.isdigit() or not 1 <= int(raw) <= question.scale.steps:
            return None
        found[question.pk] = int(raw)
    return found


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, code: str) -> HttpResponse:
    address = str(request.META.get("REMOTE_ADDR", ""))
    if services.guessing_blocked(address):
        return _refused(request, services.TOO_MANY_GUESSES, 429)
    try:
        invitation = services.invitation_for_code(code)
    except services.CodeRefused as refusal:
        if refusal.message == rules.Refusal.UNKNOWN:
            services.code_guess_record(address)
            return _refused(request, refusal.message, 404)
        return _refused(request, refusal.message, 410)
    survey = invitation.survey
    questions = selectors.questions_of(survey)
    total = len(questions)
    if request.method == "GET":
        return render(request, "surveys/answer_intro.html", {"survey": survey, "code": code, "total": total})
    answers = _carried(request, questions)
    raw_step = request.POST.get("steg", "0")
    if answers is None or not raw_step.isdigit() or int(raw_step) > total + 1:
        return _refused(request, "Något blev fel med svaren. Börja om från länken.", 400)
    step, action = int(raw_step), request.POST.get("atgard", "nasta")
    error, status = "", 400
    if 1 <= step <= total and action in ("nasta", "hoppa"):
        question = questions[step - 1]
        chosen = request.POST.get("svar", "")
        if action == "nasta":
            if chosen.isdigit() and 1 <= int(chosen) <= question.scale.steps:
                answers[question.pk] = int(chosen)
            else:
                error = "Välj ett svar, eller tryck på Hoppa över."
        else:
            answers.pop(question.pk, None)
    if action == "skicka" and step == total + 1:
        try:
            services.answer_submit(
                code=code,
                answers=answers,
                helped_by_staff=request.POST.get("hjalp") == "ja",
                helper=request.user,
            )
        except services.CodeRefused as refusal:
            return _refused(request, refusal.message, 410)
        except PermissionDenied as denied:
            error, status = str(denied), 403
        except ValidationError as invalid:
            error = " ".join(invalid.messages)
        else:
            return render(request, "surveys/answer_thanks.html", {"survey": survey})
    elif not error:
        step = max(step - 1, 1) if action == "tillbaka" else step + 1
    context = {
        "survey": survey,
        "code": code,
        "step": min(step, total + 1),
        "total": total,
        "answers": answers,
        "error": error,
    }
    if step <= total:
        question = questions[step - 1]
        context["question"] = question
        context["options"] = [(i, label) for i, label in enumerate(question.scale.labels, start=1)]
        context["current"] = answers.get(question.pk)
        context["carried"] = {k: v for k, v in answers.items() if k != question.pk}
        return render(request, "surveys/answer_question.html", context, status=status if error else 200)
    context["carried"] = answers
    context["answered"] = len(answers)
    return render(request, "surveys/answer_last.html", context, status=status if error else 200)
