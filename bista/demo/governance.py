"""Demo goals and follow-up of each provider unit: the goal chain of the seeds' VP 2024 and VB 2025 (texts
shortened), a plan for every year of the demo window copied forward from the year before, indicators with
targets, activities, manual indicator values (aktivt medskapandeindex, ecological food share, climate
impact of food) with their sources, and assessments and analyses for
every tertial and year that has ended. The VB 2025's analyses are the seed's.

Everything goes through `bista.governance.services` with the SYSTEM actor, so each write is audited as if
typed by hand. Registered as the step "governance.plans" (imported by `bista.demo.generator.registered_steps`), after
the care and quality history, whose records the computed indicators read.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from bista.core.access import SYSTEM
from bista.demo.generator import Context, step
from bista.governance import rules, services
from bista.governance.models import DocumentKind, Goal, IndicatorDefinition, OperationalPlan, SectionText

SEED_VB_YEAR = 2025  # from this year on the unit goals carry the VB 2025's titles

# (key, level, parent key, number, title, texts, indicators [(code, target, council target, council text)])
CHAIN: list[tuple[str, str, str | None, str, str, dict[str, str], list[tuple[str, Any, Any, str]]]] = [
    (
        "kf1",
        "council",
        None,
        "1",
        "Ett Stockholm som håller samman med en stark och jämlik välfärd i hela staden",
        {},
        [],
    ),
    ("kf13", "council_area", "kf1", "1.3", "Stockholms stad ska ge stöd och omsorg där behoven är som störst", {}, []),
    (
        "n13",
        "committee",
        "kf13",
        "",
        "Personer med funktionsnedsättning tillförsäkras självbestämmande och möjlighet att kunna delta på lika "
        "villkor i samhällets gemenskap genom de insatser som ges",
        {
            "description": "Målet uppnås genom att invånare med fysisk och psykisk funktionsnedsättning i behov av "
            "stöd erbjuds individuella stödinsatser av god kvalitet. Erbjudande om insatser utgår ifrån den "
            "enskildes egna behov och önskemål med en hög grad av delaktighet i genomförandet.",
            "expected_result": "En högre andel brukare med fysisk och psykisk funktionsnedsättning i behov av stöd "
            "är nöjda med sina insatser.\n\nFler vuxna med funktionsnedsättning upplever att de kan påverka "
            "insatsens utformning.",
        },
        [],
    ),
    (
        "e13",
        "unit",
        "n13",
        "",
        "Enheten erbjuder ett personligt utformat stöd efter brukarens önskemål och behov.",
        {
            "expected_result": "Brukares önskemål och behov tillgodoses. Enheten ska inom två veckor från mottagande "
            "av beställning ta kontakt med brukaren för planering av insatsen. Insatsen ska verkställas senast inom "
            "tre månader från beslutsdagen.",
            "working_method": "Brukaren och/eller företrädare deltar i framtagandet av genomförandeplan och har på "
            "så sätt stort inflytande över hur insatsen utförs, när den utförs och vem som ska utföra uppdraget.",
            "resource_use": "Biträdande enhetschefer ska efter mottagande av en ny beställning planera in insatserna "
            "tillsammans med brukaren eller dennes företrädare.",
            "follow_up_method": "Uppföljningsmöten och brukarenkät.",
            "development": "Kompetenskartläggning görs i samband med rekryteringar samt vid uppföljning av "
            "genomförandeplan. Alla vikarier genomgår introduktion hos brukare.",
        },
        [
            ("plan_current", 100, None, ""),
            ("first_contact", 100, None, ""),
            ("execution", 100, None, ""),
            ("survey_satisfied", 90, None, "Tas fram av nämnd/styrelse"),
        ],
    ),
    (
        "kf15",
        "council_area",
        "kf1",
        "1.5",
        "Alla stockholmare ska ha tillgång till ett rikt kultur-, idrotts- och föreningsliv",
        {},
        [],
    ),
    (
        "n15",
        "committee",
        "kf15",
        "",
        "Invånarna har tillgång till ett rikt kultur- och föreningsliv",
        {
            "expected_result": "Barn, unga, vuxna och äldre i stadsdelsnämndens verksamheter får möta och själva "
            "prova olika former av kultur och skapande."
        },
        [],
    ),
    (
        "e15",
        "unit",
        "n15",
        "",
        "Främjande av aktivering och planering av aktiviteter för brukare",
        {
            "expected_result": "Genom att aktivt inkludera brukarna i planeringen av aktiviteter och dokumentera dem i "
            "genomförandeplanerna förväntas ett ökat deltagande. Ledsagarkorten underlättar tillgången till "
            "aktiviteter."
        },
        [("survey_influence", 85, None, "")],
    ),
    ("kf2", "council", None, "2", "Ett grönt och fossilfritt Stockholm som leder en rättvis klimatomställning", {}, []),
    (
        "kf21",
        "council_area",
        "kf2",
        "2.1",
        "Stockholm ska bli klimatpositivt – genom minskade utsläpp och ökad koldioxidlagring",
        {},
        [("climate_food", Decimal("1.61"), Decimal("1.6"), "")],
    ),
    (
        "n21",
        "committee",
        "kf21",
        "",
        "Stadsdelsnämndens verksamheter är energieffektiva och resurssmarta med en minimal klimatpåverkan",
        {
            "expected_result": "Stadsdelsnämnden ska minska inköp av plast- och engångsprodukter. Avfall som uppstår "
            "mäts och sorteras och tas om hand på ett resurseffektivt sätt."
        },
        [],
    ),
    (
        "e21",
        "unit",
        "n21",
        "",
        "Enheten är energieffektiv och resurssmart med en minimal klimatpåverkan",
        {
            "expected_result": "Minskade leveranser av arbetsskyddsmaterial hos brukare, maximalt fyra per år. "
            "Minskade leveranser av kontorsmaterial till enheten.",
            "working_method": "Enheten begränsar antalet leveranser.",
            "resource_use": "Administratör gör en inventering kring behov som föreligger hos varje brukare och "
            "säkerställer rätt mängd av material som ska beställas.",
            "follow_up_method": "Egenkontroll av antal leveranser per år.",
        },
        [("deliveries_per_client", 4, None, "")],
    ),
    (
        "kf22",
        "council_area",
        "kf2",
        "2.2",
        "Stockholm ska vara en stad där den biologiska mångfalden ökar",
        {},
        [("eco_food", 70, 70, "")],
    ),
    (
        "n22",
        "committee",
        "kf22",
        "",
        "Stadsdelsnämndens verksamheter bidrar till att öka den biologiska mångfalden",
        {
            "expected_result": "Samtliga enheter bidrar till att nå målet om att ekologiska livsmedel utgör 70 % av "
            "inköpta livsmedel."
        },
        [],
    ),
    (
        "kf3",
        "council",
        None,
        "3",
        "Ett Stockholm med en stabil och hållbar ekonomi med utbildning, jobb och bostäder för alla",
        {},
        [],
    ),
    (
        "kf34",
        "council_area",
        "kf3",
        "3.4",
        "Medarbetare i Stockholm ska ges goda förutsättningar att göra ett bra jobb",
        {},
        [
            ("ami", 72, 83, ""),
            ("hourly_paid_share", 19, None, "Tas fram av nämnd/styrelse"),
            ("sick_leave", 9, None, "Tas fram av nämnd/styrelse"),
            ("sick_leave_days_1_14", Decimal("3.5"), None, "Tas fram av nämnd/styrelse"),
        ],
    ),
    (
        "n34",
        "committee",
        "kf34",
        "",
        "Stadsdelsnämnden är en attraktiv arbetsgivare och har en god arbetsmiljö",
        {
            "description": "Stadsdelsnämnden kommer utifrån arbetsgivarperspektivet ha fokus inom områdena trygga "
            "anställningsvillkor, systematiskt arbetsmiljöarbete, kompetensförsörjning och ledarskap.",
            "expected_result": "Stadsdelsnämnden har en hög andel tillsvidareanställda på heltid. Den totala "
            "sjukfrånvaron minskar till 8,5 %. Aktivt medskapandeindex (AMI) ökar till 79.",
        },
        [],
    ),
    (
        "e34",
        "unit",
        "n34",
        "",
        "Enhetens medarbetare erbjuds en god arbetsmiljö",
        {
            "expected_result": "Medarbetare inom enheten trivs och mår bra på jobbet.",
            "working_method": "Biträdande enhetschefer ansvarar för att varje medarbetare får introduktion, anpassad "
            "kompetensplan samt genomgång av säkerhets- och beredskapsrutiner.",
            "resource_use": "APT hålls en gång i månaden; biträdande enhetschefer har personalmöten med respektive "
            "arbetsgrupp en gång i månaden.",
            "follow_up_method": "Medarbetarenkät samt årlig skyddsrond.",
            "development": "En plan för kompetensutveckling av vikarier. Vikarier erbjuds att bemanna flera brukare.",
        },
        [("staff_continuity", 4, None, ""), ("overtime_hours", None, None, "")],
    ),
    (
        "kf35",
        "council_area",
        "kf3",
        "3.5",
        "Hög beredskap och stark rådighet ska råda i alla verksamhetsområden",
        {},
        [],
    ),
    (
        "n35",
        "committee",
        "kf35",
        "",
        "Stadsdelsnämnden har en hög beredskap för oväntade händelser",
        {"expected_result": "Enheternas kontinuitetsplaner är verklighetsanpassade och testade."},
        [],
    ),
    (
        "e35",
        "unit",
        "n35",
        "",
        "Kontinuitetsplan och krispärmar",
        {
            "expected_result": "Genom en välkänd och uppdaterad kontinuitetsplan samt krispärmar hos alla brukare "
            "förväntas personalen kunna hantera akuta situationer snabbt och effektivt."
        },
        [("crisis_binder", 100, None, ""), ("risk_assessment", 100, None, "")],
    ),
]

# Titles of the VB 2025 where they differ from the VP 2024.
VB_TITLES = {
    "n13": "Personer med funktionsnedsättning och inom socialpsykiatri garanteras självbestämmande och möjligheten "
    "att delta på lika villkor i samhället genom stödinsatser som tillhandahålls av stadsdelsnämnden.",
    "n21": "Stadsdelsnämndens verksamheter är klimatsmarta",
    "e34": "Förbättrad arbetsmiljö, minskad sjukfrånvaro och minska användning av timavlönad personal",
}

# (goal key, title, start month, end month, years it runs (1 or 2), deviation share)
ACTIVITIES = [
    ("n13", "Genomförandeplaner ska finnas i alla ärenden", 1, 12, 1),
    (
        "n13",
        "Stadsdelsnämnden genomför fler aktiviteter för att främja fysisk aktivitet för personer med "
        "funktionsnedsättning",
        1,
        12,
        2,
    ),
    ("n21", "Stadsdelsnämndens samtliga chefer utbildas i miljöprogrammet", 1, 12, 1),
    ("n34", "Stadsdelsnämnden ska vidareutveckla kvalitetsarbetet utifrån kvalitetsprogrammet", 1, 12, 1),
    ("n35", "Stadsdelsnämndens medarbetare går stadens utbildning i informationssäkerhet", 1, 12, 1),
]

SEED_ANALYSES = {
    "e13": "Målen är uppnådda. Vid det första mötet med brukaren har genomförandeplanen säkerställts och brukaren "
    "har givits ett stort inflytande över insatsens utformning. Uppföljning har skett för befintliga brukare minst "
    "en gång per år och insatserna har anpassats utifrån brukarens önskemål.\n\nVid rekryteringsprocesser har "
    "brukaren haft möjlighet att vara aktiv och delaktig.",
    "e15": "Målet är uppnått. Genom att aktivt involvera brukarna i planeringen av aktiviteter och säkerställa att "
    "dessa dokumenterats i genomförandeplanerna har enhetsmålet uppnåtts. Användningen av ledsagarkort har "
    "underlättat tillgången till aktiviteter.",
    "e21": "De åtgärder vi har vidtagit har lett till minskade leveranser av arbetsskyddsmaterial till brukare och "
    "färre leveranser av kontorsmaterial till enheten. Vissa logistiska utmaningar kvarstår då varor levereras "
    "till brukarnas bostäder.",
    "e34": "Enheten har uppnått målet genom en strukturerad introduktion och tydliga rutinpärmar för samtliga "
    "brukare. Åtgärderna har bidragit till minskad sjukfrånvaro, både totalt och under dag 1–14, samt till ett "
    "minskat behov av timavlönad personal.",
    "e35": "Målet bedöms som uppfyllt. Enheten har aktuell kontinuitetsplan och krispärmar säkerställs hos "
    "samtliga brukare.",
}
ANALYSIS_TEMPLATES = {
    "fulfilled": "Målet bedöms som uppfyllt för {period}. Arbetet har bedrivits enligt planen och följs upp på "
    "APT och i arbetsgrupperna.",
    "partly": "Målet bedöms som delvis uppfyllt för {period}. En del av aktiviteterna har försenats; arbetet "
    "fortsätter under nästa period med tätare uppföljning.",
    "not": "Målet bedöms inte som uppfyllt för {period}. Orsakerna har analyserats med arbetsgrupperna och en "
    "handlingsplan har tagits fram.",
}
SECTIONS = {
    DocumentKind.VP: {
        SectionText.Key.INTRODUCTION: "Enheten för personligt stöd är en kommunal verksamhet som utför beställningar "
        "från stadsdelens beställarenhet gällande assistans, ledsagning, avlösarservice samt kontaktpersoner enligt "
        "LSS.\n\nVerksamheten bedrivs i och utgår ifrån brukarens hem, där brukarens självbestämmande, önskemål och "
        "behov står i centrum.",
        SectionText.Key.ECONOMY: "Enhetschef och biträdande enhetschefer planerar för att verksamhetens åtaganden "
        "utförs på ett kontinuerligt och kostnadseffektivt sätt. Alla medarbetare schemaläggs utifrån den "
        "tjänstgöringsgrad som framgår av anställningsavtalet.",
        SectionText.Key.QUALITY: "Enhetschef och biträdande enhetschefer följer upp avvikelser, klagomål och lex "
        "Sarah-rapporter för att se vilka områden som behöver utvecklas. Egenkontroller görs av genomförandeplaner, "
        "synpunkter och klagomål.",
        SectionText.Key.AGENDA_2030: "Enheten ska tillhandahålla service av hög kvalitet och strävar efter att "
        "personer med funktionsnedsättning ska vara delaktiga i utformningen av sina insatser.",
    },
    DocumentKind.VB: {
        SectionText.Key.SUMMARY: "Enheten bedömer att årets enhetsmål har uppnåtts, tack vare ett systematiskt och "
        "målmedvetet arbete. Det finns ett tydligt fokus på brukarens delaktighet, kvalitet i insatserna samt "
        "hållbarhet i både miljö och arbetsmiljö.\n\nGenomförandeplaner har upprättats vid första mötet och "
        "därefter uppdaterats regelbundet.",
        SectionText.Key.ECONOMY: "Enheten har haft ett långvarigt underskott i budget. Under året har flera riktade "
        "insatser genomförts i syfte att nå budget i balans, och underskottet har successivt minskat.",
        SectionText.Key.QUALITY: "Vi har byggt vårt kvalitetsarbete på delaktighet, tydligt ansvar och ett "
        "handlingsutrymme. Avvikelser och lex Sarah-rapporter följs upp på personalmöten, och resultaten av "
        "egenkontrollerna används för att förbättra verksamheten löpande.",
        SectionText.Key.AGENDA_2030: "Enhetens arbete har anpassats för att bidra till mål 3, 5, 10 och 12 i "
        "Agenda 2030: god hälsa, jämställdhet, minskad ojämlikhet och hållbar konsumtion.",
    },
}


def _indicators() -> dict[str, IndicatorDefinition]:
    return {i.code: i for i in IndicatorDefinition.objects.all()}


def _first_plan(unit: Any, year: int, officer: str) -> OperationalPlan:
    plan = services.plan_create(actor=SYSTEM, unit=unit, year=year, officer_name=officer, officer_phone="08-508 22 000")
    goals: dict[str, Goal] = {}
    indicators = _indicators()
    for key, level, parent, number, title, texts, measured in CHAIN:
        goal = services.goal_create(
            actor=SYSTEM,
            plan=plan,
            level=level,
            parent=goals[parent] if parent else None,
            number=number,
            title=title,
            **dict[str, Any](texts),
        )
        goals[key] = goal
        for code, target, council, council_text in measured:
            services.goal_indicator_add(
                actor=SYSTEM,
                goal=goal,
                indicator=indicators[code],
                target=None if target is None else Decimal(target),
                council_target=None if council is None else Decimal(council),
                council_target_text=council_text,
            )
    return plan


def _goal_keys(plan: OperationalPlan) -> dict[str, Goal]:
    """The plan's goals by the chain's keys (the plans are copies, so the order is the chain's)."""
    goals = list(plan.goals.order_by("position", "pk"))
    return {key: goal for (key, *_rest), goal in zip(CHAIN, goals, strict=True)}


def _activities(rng: random.Random, plan: OperationalPlan, goals: dict[str, Goal], today: datetime.date) -> None:
    year = plan.year
    for key, title, first_month, last_month, span in ACTIVITIES:
        if span == 2 and year % 2 == 1:
            continue  # a two-year activity starts in even years and is copied into the odd year
        ends_on = datetime.date(year + span - 1, last_month, 28 if last_month == 2 else 30 if last_month != 12 else 31)
        done = ends_on < today and rng.random() < 0.85
        services.activity_create(
            actor=SYSTEM,
            goal=goals[key],
            title=title,
            starts_on=datetime.date(year, first_month, 1),
            ends_on=ends_on,
            completed_on=ends_on - datetime.timedelta(days=rng.randint(0, 40)) if done else None,
            deviation_note="" if done or ends_on >= today else "Aktiviteten blev inte klar under året.",
        )


def _manual_values(rng: random.Random, unit: Any, year: int, today: datetime.date) -> None:
    """The year's manual values once the year is over (the surveys report in the autumn and at year end)."""
    if datetime.date(year, 12, 31) >= today:
        return
    indicators = _indicators()
    trend = year - 2016
    ami = 56 if year == SEED_VB_YEAR else min(85, 62 + trend + rng.randint(-4, 4))
    eco = Decimal("83.73") if year == SEED_VB_YEAR else Decimal(55 + 2 * trend + rng.randint(-3, 3))
    values: list[tuple[str, Decimal, Decimal | None, Decimal | None, str]] = [
        ("ami", Decimal(ami), None, None, f"Medarbetarenkäten {year}"),
        ("eco_food", eco, None, None, f"Inköpsstatistik från avtalade leverantörer {year}"),
        ("climate_food", Decimal(f"1.{rng.randint(50, 85)}"), None, None, f"Klimatberäkning av livsmedelsinköp {year}"),
    ]
    # The client survey's indicators are computed from its answers (bista.demo.surveys), not typed in; the
    # draws that made their values are kept so that the rest of this step's stream stays as it was.
    for _ in range(3):
        rng.randint(74, 96), rng.randint(72, 95)
    for code, value, women, men, source in values:
        services.indicator_value_save(
            actor=SYSTEM,
            indicator=indicators[code],
            unit=unit,
            year=year,
            period="VB",
            value=value,
            value_women=women,
            value_men=men,
            source=source,
        )


def _follow_ups(rng: random.Random, plan: OperationalPlan, goals: dict[str, Goal], today: datetime.date) -> None:
    """Assessments and analyses of the unit goals for every period of the year that has ended."""
    for period in rules.PERIODS:
        if rules.period_range(plan.year, period).end >= today:
            continue
        label = "helåret" if period == "VB" else period
        for key, goal in goals.items():
            if goal.level != Goal.Level.UNIT:
                continue
            draw = rng.random()
            assessment = "fulfilled" if draw < 0.7 else "partly" if draw < 0.95 else "not"
            analysis = ANALYSIS_TEMPLATES[assessment].format(period=f"{label} {plan.year}")
            if plan.year == SEED_VB_YEAR and period == "VB" and key in SEED_ANALYSES:
                assessment, analysis = "fulfilled", SEED_ANALYSES[key]
            services.follow_up_save(
                actor=SYSTEM,
                goal=goal,
                period=period,
                assessment=assessment,
                analysis=analysis,
                expected_version=None,
            )
    if rules.period_range(plan.year, "VB").end < today:
        ami = goals["kf34"].indicators.filter(indicator__code="ami").first()
        if ami is not None:
            services.follow_up_save(
                actor=SYSTEM,
                goal=goals["kf34"],
                goal_indicator=ami,
                period="VB",
                assessment="",
                analysis="Perioden som medarbetarenkäten skickades sammanföll med en period då flera medarbetare "
                "avslutade sina tjänster, varför flera inte svarade på enkäten.",
                expected_version=None,
            )


def _sections(plan: OperationalPlan, today: datetime.date) -> None:
    for key, text in SECTIONS[DocumentKind.VP].items():
        if not plan.sections.filter(document=DocumentKind.VP, key=key).exists():
            services.section_save(
                actor=SYSTEM, plan=plan, document=DocumentKind.VP, key=key, text=text, expected_version=None
            )
    if datetime.date(plan.year, 12, 31) < today:
        for key, text in SECTIONS[DocumentKind.VB].items():
            services.section_save(
                actor=SYSTEM, plan=plan, document=DocumentKind.VB, key=key, text=text, expected_version=None
            )


@step("governance.plans")
def create_plans(ctx: Context) -> None:
    """A plan per year of the window for the district's provider unit, each copied from the year before."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    manager = d.managers.get("provider")
    officer = manager.get_full_name() if manager is not None else "Enhetschef"
    plan: OperationalPlan | None = None
    for year in range(ctx.window_start.year, today.year + 1):
        if plan is None:
            plan = _first_plan(d.provider, year, officer)
        else:
            plan = services.plan_copy_forward(actor=SYSTEM, plan=plan)
        goals = _goal_keys(plan)
        if year == SEED_VB_YEAR:
            for key, title in VB_TITLES.items():
                services.goal_update(actor=SYSTEM, goal=goals[key], expected_version=None, title=title)
        _activities(rng, plan, goals, today)
        _sections(plan, today)
        _manual_values(rng, d.provider, year, today)
        _follow_ups(rng, plan, goals, today)
