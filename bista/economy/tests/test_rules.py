"""The pure rules of the economy: revenue by time band across midnight, daylight-saving nights, holidays and
month ends; the personal-assistance split between the municipality and FK; sick-pay days; the wage cost of a
month; the forecast. Money is Decimal throughout."""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bista.core.clock import STOCKHOLM
from bista.economy import rules
from bista.rostering.facts import Period
from bista.rostering.needs import granted_hours
from bista.timereports import rules as time_rules

T = datetime.time
D = Decimal
BANDS = [
    time_rules.Band("evening", "12345", T(19), T(22), 1),
    time_rules.Band("night", "1234567", T(22), T(6), 2),
    time_rules.Band("weekend", "5", T(19), T(0), 3),
    time_rules.Band("weekend", "67", T(0), T(0), 3),
    time_rules.Band("weekend", "1", T(0), T(7), 3),
]
HOLIDAYS = time_rules.holiday_dates(range(2024, 2032))
RATES = {"day": D("380"), "evening": D("420"), "night": D("450"), "weekend": D("450"), "holiday": D("520")}


def at(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> datetime.datetime:
    return datetime.datetime(y, m, d, h, mi, tzinfo=STOCKHOLM)


def minutes(a: datetime.datetime, b: datetime.datetime) -> dict[str, Decimal]:
    return rules.band_minutes(a, b, BANDS, HOLIDAYS)


# --- Revenue by band -------------------------------------------------------------------------------------


def test_an_evening_into_the_night_is_priced_per_band() -> None:
    # Tuesday 2026-03-10 18:00 – 23:00: 1 h day, 3 h evening, 1 h night
    split = minutes(at(2026, 3, 10, 18), at(2026, 3, 10, 23))
    assert split == {"day": D(60), "evening": D(180), "night": D(60)}
    assert rules.revenue(split, RATES) == D("380") + 3 * D("420") + D("450")


def test_the_spring_daylight_saving_night_is_an_hour_short() -> None:
    # 2026-03-29 (Sunday: weekend band) 00:00–06:00 local is five real hours
    split = minutes(at(2026, 3, 28, 22), at(2026, 3, 29, 6))
    assert sum(split.values()) == D(7 * 60)
    assert rules.revenue(split, RATES) == 7 * D("450")


def test_the_autumn_night_is_an_hour_long() -> None:
    split = minutes(at(2026, 10, 24, 22), at(2026, 10, 25, 6))
    assert sum(split.values()) == D(9 * 60)


def test_a_holiday_takes_the_holiday_rate() -> None:
    # Christmas Eve (an eve counted as a holiday) 2026-12-24, Thursday
    split = minutes(at(2026, 12, 24, 8), at(2026, 12, 24, 16))
    assert split == {"holiday": D(480)}
    assert rules.revenue(split, RATES) == 8 * D("520")


def test_a_band_without_a_rate_takes_the_day_rate_and_no_rates_earn_nothing() -> None:
    assert rules.revenue({"night": D(60)}, {"day": D("100")}) == D("100.00")
    assert rules.revenue({"night": D(60)}, {}) == D("0.00")


@settings(max_examples=60, deadline=None)
@given(
    start=st.datetimes(min_value=datetime.datetime(2025, 1, 1), max_value=datetime.datetime(2027, 12, 31)),
    length=st.integers(min_value=1, max_value=36 * 60),
)
def test_band_minutes_sum_to_the_elapsed_minutes_and_revenue_is_bounded(start: datetime.datetime, length: int) -> None:
    a = start.replace(tzinfo=STOCKHOLM)
    b = (a.astimezone(datetime.UTC) + datetime.timedelta(minutes=length)).astimezone(STOCKHOLM)
    split = minutes(a, b)
    assert abs(sum(split.values()) - D(length)) < D("0.01")
    amount = rules.revenue(split, RATES)
    assert (
        rules.money(D(length) / 60 * D("380")) - D("0.05")
        <= amount
        <= rules.money(D(length) / 60 * D("520")) + D("0.05")
    )
    assert isinstance(amount, Decimal)


def test_time_across_a_month_end_is_split_at_local_midnight() -> None:
    split = minutes(at(2026, 3, 31, 20), at(2026, 4, 1, 2))  # Tuesday evening into Wednesday night
    assert split == {"evening": D(120), "night": D(240)}


# --- Personal assistance: the municipality's first 20 hours of each week ---------------------------------


def test_the_first_twenty_hours_of_a_week_are_the_municipality_s() -> None:
    days = [(at(2026, 3, d, 8), at(2026, 3, d, 16)) for d in range(9, 14)]  # Mon–Fri 8 h = 40 h
    municipal, fk = time_rules.assistance_split(days, 20 * 60)
    assert sum((b - a).total_seconds() for a, b in municipal) / 3600 == 20
    assert sum((b - a).total_seconds() for a, b in fk) / 3600 == 20
    assert municipal[-1][1] == at(2026, 3, 11, 12)  # the cut inside Wednesday's shift


def test_a_week_crossing_a_month_is_one_week() -> None:
    # Monday 2026-03-30 to Friday 2026-04-03, 8 h a day: the quota is used up on Wednesday 1 April
    days = [
        (at(2026, 3, 30, 8) + datetime.timedelta(days=i), at(2026, 3, 30, 16) + datetime.timedelta(days=i))
        for i in range(5)
    ]
    municipal, fk = time_rules.assistance_split(days, 20 * 60)
    april = [p for p in municipal if p[0] >= at(2026, 4, 1)]
    assert sum((b - a).total_seconds() for a, b in april) / 3600 == 4
    assert sum((b - a).total_seconds() for a, b in fk) / 3600 == 20


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 60 * 24 * 20), st.integers(1, 60 * 16)),
        min_size=1,
        max_size=20,
    )
)
def test_the_split_keeps_every_minute_and_never_gives_more_than_the_quota(pieces: list[tuple[int, int]]) -> None:
    base = at(2026, 3, 2)
    intervals = []
    cursor = base
    for gap, length in pieces:  # non-overlapping, in order
        start = cursor + datetime.timedelta(minutes=gap % 600)
        end = start + datetime.timedelta(minutes=length)
        intervals.append((start, end))
        cursor = end
    municipal, fk = time_rules.assistance_split(intervals, 20 * 60)
    total = sum((b - a).total_seconds() for a, b in intervals)
    assert abs(sum((b - a).total_seconds() for a, b in municipal + fk) - total) < 1
    per_week: dict[datetime.date, float] = {}
    for a, b in municipal:
        local = a.astimezone(STOCKHOLM).date()
        week = local - datetime.timedelta(days=local.weekday())
        per_week[week] = per_week.get(week, 0) + (b - a).total_seconds() / 60
    assert all(v <= 20 * 60 + 0.01 for v in per_week.values())


# --- Sick pay --------------------------------------------------------------------------------------------


TERMS = rules.SickTerms()


def test_sick_days_by_who_pays() -> None:
    days = rules.sick_days(datetime.date(2026, 3, 1), datetime.date(2026, 3, 20), datetime.date(2026, 3, 1), TERMS)
    assert days == rules.SickDays(karens=1, employer=13, after=6)


def test_a_sick_period_crossing_a_month_end_counts_from_its_first_day() -> None:
    first, last = datetime.date(2026, 1, 25), datetime.date(2026, 2, 10)
    january = rules.sick_days(first, last, datetime.date(2026, 1, 1), TERMS)
    february = rules.sick_days(first, last, datetime.date(2026, 2, 1), TERMS)
    assert january == rules.SickDays(1, 6, 0)
    assert february == rules.SickDays(0, 7, 3)


@settings(max_examples=60, deadline=None)
@given(st.dates(datetime.date(2024, 1, 1), datetime.date(2027, 12, 31)), st.integers(0, 90))
def test_the_months_of_a_period_add_up_to_the_period(first: datetime.date, length: int) -> None:
    last = first + datetime.timedelta(days=length)
    month = time_rules.first_of_month(first)
    total = rules.SickDays()
    while month <= last:
        d = rules.sick_days(first, last, month, TERMS)
        total = rules.SickDays(total.karens + d.karens, total.employer + d.employer, total.after + d.after)
        month = time_rules.next_month(month)
    assert total.karens == 1
    assert total.employer == min(length, 13)
    assert total.karens + total.employer + total.after == length + 1


def test_sickness_lowers_a_monthly_salary_by_the_deduction_less_sick_pay() -> None:
    pay = rules.Pay(monthly=True, amount=D("30000"))
    days = rules.SickDays(karens=1, employer=4, after=0)
    cost = rules.sick_cost(pay, days, TERMS)
    daily = D("30000") * 12 / 365
    expected = daily * D("0.8") * 5 - daily * D("0.8") * 7 * D("0.2") - daily * 5
    assert cost == rules.money(expected)
    assert cost < 0
    assert rules.sick_cost(rules.Pay(monthly=False, amount=D("180")), days, TERMS) == 0


# --- Wage cost -------------------------------------------------------------------------------------------


SUPPLEMENTS = rules.Supplements(
    ob={"evening": D("24.50"), "night": D("55.40"), "weekend": D("62"), "holiday": D("135")},
    overtime_percent=D("80"),
    mertid_percent=D("35"),
    on_call_per_hour=D("55"),
    standby_per_hour=D("30"),
)


def test_an_hourly_paid_month() -> None:
    time = rules.MonthTime(by_band={"day": D(600), "night": D(120)}, on_call=D(240))
    cost = rules.wage_cost(rules.Pay(monthly=False, amount=D("180")), time, SUPPLEMENTS, D("40"))
    assert cost.base == D("2160.00")  # 12 h × 180
    assert cost.ob == D("110.80")
    assert cost.on_call == D("220.00")
    assert cost.social_fees == rules.money((cost.base + cost.ob + cost.on_call) * D("0.4"))
    assert cost.total == cost.wages + cost.social_fees


def test_overtime_for_full_time_and_mertid_for_part_time() -> None:
    time = rules.MonthTime(by_band={"day": D(600)}, overtime=D(600))
    full = rules.wage_cost(rules.Pay(monthly=True, amount=D("33000")), time, SUPPLEMENTS, D("0"))
    part = rules.wage_cost(
        rules.Pay(monthly=True, amount=D("33000"), employment_rate=D("75")), time, SUPPLEMENTS, D("0")
    )
    hourly = D("33000") / rules.MONTH_HOURS
    assert full.base == D("33000.00") and part.base == D("24750.00")
    assert full.overtime == rules.money(10 * hourly * D("1.8")) and full.mertid == 0
    assert part.mertid == rules.money(10 * hourly * D("1.35")) and part.overtime == 0


@settings(max_examples=60, deadline=None)
@given(
    st.decimals(min_value=0, max_value=80000, places=2),
    st.integers(0, 300 * 60),
    st.integers(0, 100 * 60),
    st.decimals(min_value=0, max_value=60, places=2),
)
def test_wage_cost_is_never_negative_without_sickness_and_grows_with_po(
    amount: Decimal, worked: int, overtime: int, po: Decimal
) -> None:
    time = rules.MonthTime(by_band={"evening": D(worked)}, overtime=D(min(overtime, worked)))
    for monthly in (True, False):
        cost = rules.wage_cost(rules.Pay(monthly=monthly, amount=amount), time, SUPPLEMENTS, po)
        assert cost.total >= 0
        assert cost.total >= cost.wages
        assert cost.total == cost.total.quantize(rules.ORE)


# --- Forecast --------------------------------------------------------------------------------------------


def test_the_forecast_adds_the_expected_outcome_of_the_months_ahead() -> None:
    done = [
        rules.MonthFigures(datetime.date(2026, 1, 1), D("-100"), D("1000"), D("1200")),
        rules.MonthFigures(datetime.date(2026, 2, 1), D("-100"), D("1000"), D("1100")),
    ]
    ahead = {datetime.date(2026, 3, 1): D("-40"), datetime.date(2026, 4, 1): D("25.005")}
    assert rules.forecast(done, ahead) == D("-315.00")  # −314,995 rounded half up
    assert rules.forecast([], {}) == 0


def test_minutes_beyond_the_grant_are_cut_by_the_same_share_on_every_line() -> None:
    lines = {("a", "day"): Decimal(600), ("a", "evening"): Decimal(300)}
    kept, beyond = rules.cap_minutes(lines, Decimal(600))
    assert kept == {("a", "day"): Decimal(400), ("a", "evening"): Decimal(200)} and beyond == 300
    assert rules.cap_minutes(lines, Decimal(1000)) == (lines, 0)
    assert rules.cap_minutes(lines, None) == (lines, 0)  # occasions: no limit in hours
    assert rules.cap_minutes(lines, Decimal(0)) == ({("a", "day"): 0, ("a", "evening"): 0}, 900)


def test_minutes_exactly_at_the_grant_are_all_paid_and_a_minute_more_is_not() -> None:
    lines = {("a", "fk", "day"): Decimal(1200), ("a", "municipality", "night"): Decimal(1200)}
    assert rules.cap_minutes(lines, Decimal(2400)) == (lines, 0)
    kept, beyond = rules.cap_minutes(lines, Decimal(2399))
    assert beyond == 1 and sum(kept.values()) == 2399
    assert kept[("a", "fk", "day")] == kept[("a", "municipality", "night")]  # the same share off each


def test_a_grant_of_zero_or_less_pays_nothing_and_no_minutes_owe_nothing() -> None:
    lines = {("a", "day"): Decimal(90)}
    assert rules.cap_minutes(lines, Decimal(0)) == ({("a", "day"): 0}, 90)
    assert rules.cap_minutes(lines, Decimal(-60)) == ({("a", "day"): 0}, 90)  # never a negative line
    assert rules.cap_minutes({}, Decimal(0)) == ({}, 0)
    assert rules.cap_minutes({("a", "day"): Decimal(0)}, Decimal(0)) == ({("a", "day"): 0}, 0)


def test_the_grant_of_a_month_follows_its_days_at_the_month_s_end() -> None:
    """A scope of 40 h a week granted for February (28 days) and March (31 days): the same 170 h delivered are
    within March's grant and beyond February's (`needs.granted_hours` gives the month's hours)."""

    def grant(first: datetime.date, last: datetime.date) -> Decimal:
        hours = granted_hours(40, "week", datetime.date(2020, 1, 1), None, Period(first, last))
        return Decimal(str(hours)) * 60

    february = grant(datetime.date(2030, 2, 1), datetime.date(2030, 2, 28))
    march = grant(datetime.date(2030, 3, 1), datetime.date(2030, 3, 31))
    assert february == 160 * 60 and abs(march - Decimal(40 * 31 * 60) / 7) < Decimal("1e-9")
    delivered = {("a", "day"): Decimal(170 * 60)}
    assert rules.cap_minutes(delivered, march) == (delivered, 0)
    kept, beyond = rules.cap_minutes(delivered, february)
    assert (sum(kept.values()), beyond) == (160 * 60, 10 * 60)


@given(
    st.lists(st.integers(min_value=0, max_value=100_000), min_size=0, max_size=6),
    st.one_of(st.none(), st.integers(min_value=-100, max_value=400_000)),
)
@example([], -1)  # nothing delivered against a negative grant: once a 0/0 (CI, stop 23)
@example([0, 0], 0)
@settings(max_examples=200, deadline=None)
def test_capped_minutes_never_exceed_the_grant_nor_lose_a_minute(values: list[int], granted: int | None) -> None:
    lines = {("c", str(i)): Decimal(v) for i, v in enumerate(values)}
    cap = None if granted is None else Decimal(granted)
    kept, beyond = rules.cap_minutes(lines, cap)
    total = sum(lines.values(), Decimal(0))
    assert kept.keys() == lines.keys() and beyond >= 0
    assert abs(sum(kept.values(), Decimal(0)) + beyond - total) < Decimal("1e-20")
    assert all(0 <= kept[key] <= lines[key] for key in lines)
    if cap is None or total <= cap:
        assert kept == lines and beyond == 0
    else:
        assert abs(sum(kept.values(), Decimal(0)) - max(cap, Decimal(0))) < Decimal("1e-20")
