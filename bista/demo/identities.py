"""Fictitious identities for the demo: personnummer, birth dates, names, addresses, phone numbers, usernames.

Pure functions of a `random.Random` (never the global one), so the same seed gives the same people.

Personnummer convention
-----------------------
Every generated personnummer is formally valid (a real date, Luhn check digit) and has a **birth number
(the three digits after the date) in 980–999**; its last digit is even for women and odd for men, as
Skatteverket assigns them, and either for other genders. The range makes demo numbers easy to spot, but
it is *not* a guarantee that no real person holds the number *(verify)*: before 1990 the 9xx series went
to people born abroad, and since 1990 birth numbers are drawn from one national series, so real people
do have numbers in 980–999. The authority is the `fictitious` flag on every Client and Employee, which
the generator always sets. A stronger source is Skatteverket's published list of test personnummer
(formally valid, never assigned), which is open data; using it would need the list in the repository.
"""

from __future__ import annotations

import datetime
import random
import unicodedata
from collections.abc import Sequence

from bista.core.personnummer import luhn_check_digit
from bista.demo import names

BIRTH_NUMBER_FIRST = 980
BIRTH_NUMBER_LAST = 999
_EVEN_BIRTH_NUMBERS = tuple(n for n in range(BIRTH_NUMBER_FIRST, BIRTH_NUMBER_LAST + 1) if n % 2 == 0)
_ODD_BIRTH_NUMBERS = tuple(n for n in range(BIRTH_NUMBER_FIRST, BIRTH_NUMBER_LAST + 1) if n % 2 == 1)
_ALL_BIRTH_NUMBERS = tuple(range(BIRTH_NUMBER_FIRST, BIRTH_NUMBER_LAST + 1))

WOMAN, MAN, OTHER, UNKNOWN = "K", "M", "A", "O"


def add_years(day: datetime.date, years: int) -> datetime.date:
    """`day` moved by whole years; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def random_date(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    """A date between `first` and `last`, both included (`first` if the range is empty)."""
    span = (last - first).days
    return first + datetime.timedelta(days=rng.randint(0, span)) if span > 0 else first


def birth_date_for_age(
    rng: random.Random, today: datetime.date, min_age: int, max_age: int, *, min_days_old: int = 0
) -> datetime.date:
    """A birth date of someone aged `min_age`–`max_age` (whole years) on `today`."""
    earliest = add_years(today, -(max_age + 1)) + datetime.timedelta(days=1)
    latest = min(add_years(today, -min_age), today - datetime.timedelta(days=min_days_old))
    return random_date(rng, earliest, latest)


def pick_gender(rng: random.Random, woman: float, man: float, other: float = 0.01) -> str:
    """K, M, A or O with the given shares of K, M and A; O takes the rest."""
    draw = rng.random()
    if draw < woman:
        return WOMAN
    if draw < woman + man:
        return MAN
    if draw < woman + man + other:
        return OTHER
    return UNKNOWN


def fictitious_personnummer(rng: random.Random, birth_date: datetime.date, gender: str, used: set[str]) -> str:
    """A valid 12-digit personnummer with a birth number in 980–999, not in `used` (which it joins).

    Ten birth numbers per gender and day exist; when they are all taken, the next day is tried.
    """
    if gender == WOMAN:
        pool: Sequence[int] = _EVEN_BIRTH_NUMBERS
    elif gender == MAN:
        pool = _ODD_BIRTH_NUMBERS
    else:
        pool = _ALL_BIRTH_NUMBERS
    day = birth_date
    while True:
        start = rng.randrange(len(pool))
        for offset in range(len(pool)):
            birth_number = pool[(start + offset) % len(pool)]
            nine = f"{day:%y%m%d}{birth_number:03d}"
            digits = f"{day:%Y%m%d}{birth_number:03d}{luhn_check_digit(nine)}"
            if digits not in used:
                used.add(digits)
                return digits
        day -= datetime.timedelta(days=1)


def first_name(rng: random.Random, gender: str) -> str:
    if gender == WOMAN:
        return rng.choice(names.FEMALE_FIRST_NAMES)
    if gender == MAN:
        return rng.choice(names.MALE_FIRST_NAMES)
    return rng.choice(names.FEMALE_FIRST_NAMES if rng.random() < 0.5 else names.MALE_FIRST_NAMES)


def surname(rng: random.Random) -> str:
    return rng.choice(names.SURNAMES)


def phone_number(rng: random.Random) -> str:
    """A mobile number from PTS's series for fiction, written 070-174 06 NN."""
    return f"070-174 06 {rng.randint(names.FICTION_PHONE_FIRST, names.FICTION_PHONE_LAST):02d}"


def address(rng: random.Random, geography: names.DistrictGeography) -> tuple[str, str, str]:
    """(street address, postal code "NNN NN", postal town) in the district."""
    area = rng.choice(geography.areas)
    number = rng.randint(1, 140)
    letter = rng.choice("ABC") if rng.random() < 0.15 else ""
    postal_code = f"{area.postal_prefix} {rng.randint(20, 79):02d}"
    return f"{rng.choice(area.streets)} {number}{letter}", postal_code, area.postal_town


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits only: "Linnéa Åberg" -> "linneaaberg"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum())


def email_address(first: str, last: str, domain: str) -> str:
    return f"{ascii_slug(first)}.{ascii_slug(last)}@{domain}"


def unique_username(base: str, used: set[str]) -> str:
    """`base`, or `base2`, `base3` … whichever is free; it joins `used`."""
    candidate, counter = base, 1
    while candidate in used:
        counter += 1
        candidate = f"{base}{counter}"
    used.add(candidate)
    return candidate


def username_for(first: str, last: str, used: set[str]) -> str:
    """ "anna.lindqvist", or "anna.lindqvist2" when taken."""
    return unique_username(f"{ascii_slug(first)}.{ascii_slug(last)}", used)
