"""A small world for the generated access probes (test_route_access): one client of the provider unit, shared
with the purchaser unit, with one record of every kind a page or an API operation can show — order, plan,
journal entry, the three home binders, delivery, deviation, Lex Sarah report, feedback, incident, routine,
self-check item, employee with terms, competences, delegations, absence, shifts, need pattern, booked
occasion, a finished roster job, a governance plan with goals and a document, a log review — all made through
the services as users would. And the people who look at it: the owner (the provider's enhetschef), a
systemförvaltare, a user with no role, a manager of a unit in another district, the purchaser unit's
manager (beställarchef) and a controller of the provider's district.

The provider's own documentation carries marker words (PROVIDER_SECRETS) so a test can tell whether the
purchaser saw it. The client's name is rare enough to be searched for in any page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from bista.care import services as care_services
from bista.care.models import HomeBinder, Order
from bista.care.tests import factories as care
from bista.clients import services as client_services
from bista.clients.models import Client
from bista.core.access import SYSTEM
from bista.core.clock import STOCKHOLM
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_organisation, make_user
from bista.core.tests.api_support import session_client
from bista.governance import services as governance_services
from bista.governance import tasks as governance_tasks
from bista.governance.models import Assessment, DocumentKind
from bista.governance.tests import factories as governance
from bista.quality import services as quality_services
from bista.quality.tests import factories as quality
from bista.rostering import services as rostering_services
from bista.rostering import tasks as rostering_tasks
from bista.rostering.models import RosterJob, Shift
from bista.rostering.tests import factories as rostering
from bista.staff import services as staff_services
from bista.staff.tests import support as staff
from bista.timereports import services as timereports_services

FIRST_NAME = "Zebulon"
LAST_NAME = "Quarnström"
# Words written only in the provider's own documentation: the purchaser must never see one of them.
PROVIDER_SECRETS = {
    "journal": "Journalhemlis",
    "risk": "Riskhemlis",
    "crisis": "Krishemlis",
    "routine": "Rutinhemlis",
    "plan": "Planhemlis",
    "delivery": "Leveranshemlis",
}


@dataclass
class World:
    org: Organisation
    client: Client
    users: dict[str, Any]
    ids: dict[str, Any] = field(default_factory=dict)
    browsers: dict[str, Any] = field(default_factory=dict)


def _people(org: Organisation) -> dict[str, Any]:
    purchaser_manager = make_user("bestallarchef", RoleCode.UNIT_MANAGER, org.purchaser)
    return {
        "owner": make_user("agare", RoleCode.UNIT_MANAGER, org.provider),
        "sysadmin": make_user("forvaltare", RoleCode.SYSTEM_ADMINISTRATOR, district=org.district),
        "nobody": make_user("ingenroll"),
        "other_unit": make_user("annanenhet", RoleCode.UNIT_MANAGER, org.other_unit),
        "purchaser": purchaser_manager,
        "case_officer": make_user("handlaggaren", RoleCode.CASE_OFFICER, org.purchaser),
        "controller": make_user("kontrollant", RoleCode.CONTROLLER, district=org.district),
        "assistant": make_user("assistenten", RoleCode.EMPLOYEE, org.provider),
    }


def _client(org: Organisation) -> Client:
    client = care.make_client(org.provider, first_name=FIRST_NAME, last_name=LAST_NAME, teams=[org.team])
    client_services.client_link_unit(actor=SYSTEM, client=client, unit=org.purchaser, since=datetime.date(2023, 1, 1))
    client_services.client_contact_add(actor=SYSTEM, client=client, kind="god_man", name="Gudrun Godman")
    return client


def _care(world: World) -> None:
    org, client, owner, ids = world.org, world.client, world.users["owner"], world.ids
    order = care.make_order(client, org.provider, actor=owner, service_code="lss_9_2", scope_amount=40, team=org.team)
    order = care.step(order, "first_contact", care.RECEIVED, actor=owner)
    plan = care.signed_plan(order, datetime.date(2024, 2, 1), actor=owner, goals=PROVIDER_SECRETS["plan"])
    entry = care.write_journal(owner, client, text=f"{PROVIDER_SECRETS['journal']}: brukaren var på bio.")
    today = timezone.localdate()
    care.save_binder(client, HomeBinder.Kind.RISK_ASSESSMENT, today, actor=owner, notes=PROVIDER_SECRETS["risk"])
    care.save_binder(client, HomeBinder.Kind.CRISIS_BINDER, today, actor=owner, notes=PROVIDER_SECRETS["crisis"])
    care.save_binder(client, HomeBinder.Kind.ROUTINE_BINDER, today, actor=owner, notes=PROVIDER_SECRETS["routine"])
    care_services.delivery_create(actor=owner, client=client, delivered_on=today, items=PROVIDER_SECRETS["delivery"])
    ids.update(order=order.pk, plan=plan.pk, journal=entry.pk)


def _quality(world: World) -> None:
    org, client, owner, ids = world.org, world.client, world.users["owner"], world.ids
    deviation = quality.report_deviation(
        org.provider, actor=owner, client=client, what_happened=f"{FIRST_NAME} fick fel medicin."
    )
    deviation = quality.classify_deviation(deviation, actor=owner)
    action = quality_services.deviation_action_add(
        actor=owner, deviation=deviation, description="Ny rutin för medicin", owner=owner, due_on=quality.D(2026, 3, 1)
    )
    report = quality.report_lex_sarah(org.provider, actor=owner, client=client)
    report = quality.lex_sarah_until(report, "assessed", actor=owner)  # serious: the IVO notification exists
    feedback = quality.register_feedback(org.provider, actor=owner, client=client)
    incident = quality_services.incident_register(actor=owner, unit=org.provider, **quality.incident_values())
    routine = quality_services.routine_create(
        actor=owner,
        unit=org.provider,
        name="Rutin för läkemedel",
        owner=owner,
        version_label="1.0",
        content="Se pärmen.",
        adopted_on=care.RECEIVED,
        reviewed_on=care.RECEIVED,
    )
    item = quality_services.self_check_item_create(
        actor=owner,
        unit=org.provider,
        what="Läkemedelshantering",
        method="Stickprov",
        frequency="tertial",
        responsible=owner,
    )
    ids.update(
        deviation=deviation.pk,
        deviation_action=action.pk,
        lex_sarah=report.pk,
        feedback=feedback.pk,
        incident=incident.pk,
        routine=routine.pk,
        self_check_item=item.pk,
    )


def _staff(world: World) -> None:
    org, client, owner, ids = world.org, world.client, world.users["owner"], world.ids
    employee = rostering.make_employee(
        org.provider, "Anna", "Assistent", teams=[org.team], user=world.users["assistant"]
    )
    other = rostering.make_employee(org.provider, "Bodil", "Biträde", teams=[org.team])
    competence = staff_services.competence_add(
        actor=owner, employee=employee, competence=staff.competence(), evidence="Kurs", acquired_on=care.RECEIVED
    )
    staff_services.competence_add(
        actor=owner, employee=other, competence=staff.competence(), evidence="Kurs", acquired_on=care.RECEIVED
    )
    delegation = staff_services.delegation_add(
        actor=owner,
        employee=employee,
        kind=staff.delegation_kind(),
        delegated_by="Sjuksköterska Sara",
        valid_from=timezone.localdate() - datetime.timedelta(days=30),
        valid_until=timezone.localdate() + datetime.timedelta(days=200),
        client=client,
    )
    absence = staff_services.absence_create(
        actor=owner,
        employee=other,
        kind="vacation",
        starts_on=datetime.date(2025, 7, 1),
        ends_on=datetime.date(2025, 7, 5),
    )
    choice = staff_services.client_staff_choice_add(
        actor=owner, client=client, employee=employee, kind="chosen", since=care.RECEIVED
    )
    need = staff_services.client_competence_need_add(
        actor=owner, client=client, since=care.RECEIVED, competence=staff.competence()
    )
    ids.update(
        employee=employee.pk,
        other_employee=other.pk,
        competence=competence.pk,
        delegation=delegation.pk,
        absence=absence.pk,
        staff_choice=choice.pk,
        competence_need=need.pk,
    )


def _rostering(world: World) -> None:
    org, client, owner, ids = world.org, world.client, world.users["owner"], world.ids
    order = Order.objects.get(pk=ids["order"])
    employee = staff.Employee.objects.get(pk=ids["employee"])
    today = timezone.localdate()
    starts = datetime.datetime.combine(today, datetime.time(10), tzinfo=STOCKHOLM)
    shift = rostering.shift(employee, client, starts, 4, actor=owner)
    open_shift = rostering.shift(None, client, starts + datetime.timedelta(hours=5), 3, actor=owner)
    next_monday = today + datetime.timedelta(days=7 - today.weekday())
    pattern = rostering.pattern(order, 8, 12, valid_from=next_monday, weekdays="12345", actor=owner)
    occasion = rostering_services.booked_occasion_create(
        actor=owner,
        order=order,
        starts_at=datetime.datetime.combine(next_monday, datetime.time(14), tzinfo=STOCKHOLM),
        ends_at=datetime.datetime.combine(next_monday, datetime.time(16), tzinfo=STOCKHOLM),
    )
    sick_employee = staff.Employee.objects.get(pk=ids["other_employee"])
    rostering.shift(sick_employee, client, starts + datetime.timedelta(days=1), 3, actor=owner)
    sick, freed = rostering_services.sick_call(actor=owner, employee=sick_employee, starts_on=today)
    assert freed, "the sick call should open the employee's shift"
    reachable = staff_services.employee_update(
        actor=SYSTEM, employee=employee, expected_version=employee.version, phone="070-123 45 67"
    )
    offer = rostering_services.shift_offer_send(actor=owner, shift=freed[0], employees=[reachable])
    job = rostering_services.roster_job_start(
        actor=owner,
        unit=org.provider,
        period_start=next_monday,
        period_end=next_monday + datetime.timedelta(days=13),
        time_limit_seconds=10,
    )
    rostering_tasks.execute(job.pk)
    job.refresh_from_db()
    assert job.status == RosterJob.Status.DONE, job.message
    assert Shift.objects.filter(job=job, client=client).exists(), "the proposal should lay shifts for the client"
    ids.update(
        shift=shift.pk,
        open_shift=open_shift.pk,
        pattern=pattern.pk,
        occasion=occasion.pk,
        sick_call=sick.pk,
        sick_open_shift=freed[0].pk,
        offer_token=rostering_services.offer_tokens(offer)[reachable.pk],
        job=job.pk,
    )


def _timereports(world: World) -> None:
    """Yesterday's shift of the assistant, confirmed (by the SYSTEM actor, as a manager would with a reason), and
    the FK time report of its month (the client's order is personal assistance)."""
    employee = staff.Employee.objects.get(pk=world.ids["employee"])
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    starts = datetime.datetime.combine(yesterday, datetime.time(10), tzinfo=STOCKHOLM)
    worked_shift = rostering.shift(employee, world.client, starts, 4, actor=world.users["owner"])
    worked = timereports_services.worked_time_confirm(actor=SYSTEM, shift=worked_shift)
    timereports_services.provider_details_set(
        actor=SYSTEM, unit=world.org.provider, name="Anordnaren", organisation_number="2120000142", contact_name="K"
    )
    (report,) = timereports_services.fk_reports_produce(
        actor=SYSTEM, unit=world.org.provider, month=yesterday.replace(day=1)
    )
    world.ids.update(worked_shift=worked_shift.pk, worked_time=worked.pk, fk_report=report.pk)


def _economy(world: World) -> None:
    """Last month: a confirmed and attested shift of the assistant, and the invoice basis made from it."""
    from bista.economy import services as economy_services
    from bista.timereports.rules import first_of_month, previous_month

    employee = staff.Employee.objects.get(pk=world.ids["employee"])
    last_month = previous_month(first_of_month(timezone.localdate()))
    starts = datetime.datetime.combine(last_month + datetime.timedelta(days=1), datetime.time(10), tzinfo=STOCKHOLM)
    shift = rostering.shift(employee, world.client, starts, 4, actor=world.users["owner"])
    timereports_services.worked_time_confirm(actor=SYSTEM, shift=shift)
    timereports_services.attestation_create(actor=SYSTEM, employee=employee, month=last_month)
    invoice = economy_services.invoice_produce(actor=SYSTEM, unit=world.org.provider, month=last_month)
    world.ids.update(last_month=f"{last_month:%Y-%m}", invoice=invoice.pk)


def _governance(world: World) -> None:
    org, owner, ids = world.org, world.users["owner"], world.ids
    year = timezone.localdate().year
    plan_world = governance.make_plan(org.provider, year, actor=owner)
    activity = plan_world.committee.activities.first()
    governance_services.follow_up_save(
        actor=owner,
        goal=plan_world.unit_goal,
        period="T1",
        assessment=Assessment.PARTLY,
        analysis="Två av tre brukare fick kontakt i tid.",
        expected_version=None,
    )
    document = governance_services.document_request(
        actor=owner, unit=org.provider, year=year, kind=DocumentKind.VP, format="docx"
    )
    governance_tasks.generate_document.call(document.pk)
    # A record print the owner asked for, made by the worker (the fetch is a read of the client's record).
    from bista.care import services as care_exports
    from bista.care import tasks as care_tasks

    export = care_exports.export_request(actor=owner, kind="record", client_pk=world.client.pk)
    care_tasks.make_export.call(export.pk)
    ids.update(
        governance_plan=plan_world.plan.pk,
        goal=plan_world.unit_goal.pk,
        goal_indicator=plan_world.first_contact.pk,
        activity=activity.pk if activity else None,
        document=document.pk,
        export=export.pk,
        year=year,
    )


def _surveys(world: World) -> None:
    """An open survey of the provider unit asking every active client, with the client invited by letter."""
    from bista.surveys import services as survey_services
    from bista.surveys.models import Question

    today = timezone.localdate()
    survey = survey_services.survey_create(
        actor=world.users["owner"],
        unit=world.org.provider,
        name="Brukarundersökning",
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=30),
        audience="all",
        questions=Question.objects.filter(code__in=["trygghet", "nojd"]),
    )
    survey = survey_services.survey_open(actor=world.users["owner"], survey=survey, expected_version=survey.version)
    issued = survey_services.invitation_issue(
        actor=world.users["owner"], survey=survey, client=world.client, channel="letter"
    )
    world.ids.update(survey=survey.pk, survey_code=issued.code)


def _casework(world: World) -> None:
    """The purchaser's case for the client: an application, an investigation, a decision and its order, which
    arrives at the provider as a second care order. Made by the purchaser's manager for the case officer."""
    from bista.care.models import Service
    from bista.casework import services as casework_services

    org, client, chief, ids = world.org, world.client, world.users["purchaser"], world.ids
    today = timezone.localdate()
    intake = casework_services.intake_register(
        actor=chief,
        unit=org.purchaser,
        client=client,
        officer=world.users["case_officer"],
        kind="application",
        sender="good_man",
        sender_name="Gudrun Godman",
        received_on=today - datetime.timedelta(days=30),
        channel="letter",
        requested="Ledsagarservice",
    )
    investigation = casework_services.investigation_start(
        actor=chief, case=intake.case, intake=intake, started_on=today - datetime.timedelta(days=28)
    )
    decision = casework_services.decision_make(
        actor=chief,
        case=intake.case,
        intake=intake,
        investigation=investigation,
        service=Service.objects.get(code="lss_9_3"),
        outcome="granted",
        scope_amount=8,
        scope_unit="month",
        period_start=today - datetime.timedelta(days=20),
        decision_date=today - datetime.timedelta(days=20),
        reasons="Du behöver stöd för att delta i aktiviteter.",
    )
    order = casework_services.order_from_decision(
        actor=chief, decision=decision, ordered_on=today - datetime.timedelta(days=19), provider_unit=org.provider
    )
    appeal = casework_services.appeal_register(
        actor=chief, decision=decision, received_on=today - datetime.timedelta(days=10)
    )
    ids.update(
        appeal=appeal.pk,
        case=intake.case_id,
        intake=intake.pk,
        investigation=investigation.pk,
        decision=decision.pk,
        case_order=order.pk,
    )


def _log_review(world: World) -> None:
    today = timezone.localdate()
    review = client_services.log_review_draw(
        actor=world.users["owner"],
        unit=world.org.provider,
        period_start=today - datetime.timedelta(days=30),
        period_end=today,
        sample_size=5,
    )
    world.ids["log_review"] = review.pk


def _tokens(world: World) -> None:
    from bista.core import services as core_services

    token, _secret = core_services.api_token_create(
        actor=SYSTEM, owner=world.users["owner"], name="Integration", scopes=["client.view_all"]
    )
    world.ids["api_token"] = token.pk


def _own_view(world: World) -> None:
    """The client's own view turned on, with their e-mail on file, and a browser signed in to it as the client (the
    "ownview" persona: an own-view session, no Django user), as e-legitimation would sign them in."""
    from django.test import Client as HttpClient

    from bista.core import clock
    from bista.ownview import services as ownview_services
    from bista.ownview.session import SESSION_KEY

    ownview_services.settings_update(
        actor=SYSTEM, client=world.client, enabled=True, show_staff_names=False, expected_version=None
    )
    ownview_services.contact_add(actor=SYSTEM, client=world.client, address="zebulon@example.se")
    signin = ownview_services.sso_sign_in(personnummer=world.client.personnummer)
    browser = HttpClient()
    session = browser.session
    session[SESSION_KEY] = {"signin": signin.pk, "last": int(clock.now().timestamp())}
    session.save()
    world.browsers["ownview"] = browser
    world.ids["ownview_signin"] = signin.pk


def build_world() -> World:
    org = make_organisation()
    users = _people(org)
    world = World(org=org, client=_client(org), users=users)
    _care(world)
    _quality(world)
    _staff(world)
    _rostering(world)
    _timereports(world)
    _economy(world)
    _governance(world)
    _casework(world)
    _surveys(world)
    _log_review(world)
    _tokens(world)
    from bista.core.models import DutyRule

    world.ids.update(
        today=timezone.localdate().isoformat(),
        in_a_week=(timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
        this_month=f"{timezone.localdate():%Y-%m}",
        in_a_month=(timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        duty_rule=DutyRule.objects.order_by("code").values_list("code", flat=True).first(),
        client=world.client.pk,
        provider=org.provider.pk,
        purchaser=org.purchaser.pk,
        team=org.team.pk,
        other_unit=org.other_unit.pk,
    )
    for name, user in users.items():
        world.browsers[name] = session_client(user)
    _own_view(world)
    return world
