"""Pure rules of the client survey: one-time codes, when a code may be used, scales, shares and the smallest
group whose results may be shown. No database, no clock (the day is passed in)."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# The smallest group whose results are shown (answers); smaller groups are "för få svar". The setting
# BISTA_SURVEY_MIN_GROUP overrides it (never below 2: one answer would be a person's answer).
MIN_GROUP = 5
MIN_STEPS, MAX_STEPS = 2, 5

# A printed code is read aloud and typed by hand: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10  # 31**10 ≈ 8·10^14 codes


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str | None:
    """A typed or scanned code as stored: upper case, without spaces and dashes; None if it cannot be one."""
    code = "".join(ch for ch in (raw or "").upper() if ch not in " -\t")
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def display_code(code: str) -> str:
    """ABCDE-FGHJK: easier to read aloud and to type."""
    return f"{code[:5]}-{code[5:]}"


class Refusal:
    """Why a code cannot be used (the Swedish message the respondent sees)."""

    UNKNOWN = "Koden finns inte. Kontrollera att du har skrivit av den rätt."
    USED = "Den här koden har redan använts. Varje kod kan bara användas en gång."
    NOT_YET = "Undersökningen har inte börjat än. Du kan svara från {opens}."
    EXPIRED = "Tiden för att svara är slut. Undersökningen stängde {closes}."
    CLOSED = "Undersökningen är avslutad."
    REPLACED = "Den här koden gäller inte längre. Du har fått en ny kod."


def code_refusal(
    *,
    today: datetime.date,
    opens_on: datetime.date,
    closes_on: datetime.date,
    status: str,
    used: bool,
    replaced: bool,
) -> str | None:
    """None if the code may be used today, else the message why not."""
    if used:
        return Refusal.USED
    if replaced:
        return Refusal.REPLACED
    if status == "closed":
        return Refusal.CLOSED
    if today > closes_on:
        return Refusal.EXPIRED.format(closes=closes_on.isoformat())
    if status != "open" or today < opens_on:
        return Refusal.NOT_YET.format(opens=opens_on.isoformat())
    return None


def scale_errors(labels: Sequence[str], positive_from: int) -> dict[str, str]:
    errors = {}
    if not MIN_STEPS <= len(labels) <= MAX_STEPS:
        errors["labels"] = f"En svarsskala har {MIN_STEPS}–{MAX_STEPS} steg."
    elif any(not str(label).strip() for label in labels):
        errors["labels"] = "Varje steg behöver en text."
    elif not 1 <= positive_from <= len(labels):
        errors["positive_from"] = "Det positiva steget måste vara ett av skalans steg."
    return errors


def ratio(part: int, whole: int) -> Decimal | None:
    """A percentage with one decimal, or None for an empty whole."""
    if whole <= 0:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Distribution:
    """One question's answers in one group: the count per step, the share positive. `shown` is False when
    the group is under the minimum: then nothing but that fact may be displayed."""

    counts: tuple[int, ...]
    answers: int
    positive: int
    shown: bool

    @property
    def share_positive(self) -> Decimal | None:
        return ratio(self.positive, self.answers) if self.shown else None

    def shares(self) -> list[Decimal | None]:
        return [ratio(n, self.answers) if self.shown else None for n in self.counts]


def distribution(counts_by_step: Mapping[int, int], steps: int, positive_from: int, min_group: int) -> Distribution:
    counts = tuple(counts_by_step.get(step, 0) for step in range(1, steps + 1))
    answers = sum(counts)
    positive = sum(counts[positive_from - 1 :])
    shown = answers >= min_group
    if not shown:
        return Distribution(counts=(0,) * steps, answers=answers, positive=0, shown=False)
    return Distribution(counts=counts, answers=answers, positive=positive, shown=True)


def suppressed_groups(sizes: Mapping[str, int], min_group: int) -> set[str]:
    """The groups whose answers are not shown: those under `min_group`, and then, while the hidden groups
    together hold some answers but fewer than `min_group`, the smallest shown group too — otherwise the total
    minus the shown groups would give the hidden few's answers (complementary suppression)."""
    hidden = {key for key, size in sizes.items() if size < min_group}
    while 0 < sum(sizes[key] for key in hidden) < min_group:
        shown = [key for key in sizes if key not in hidden]
        if not shown:
            break
        hidden.add(min(shown, key=lambda key: (sizes[key], key)))
    return hidden


def effective_min_group(configured: object) -> int:
    """The configured minimum group, never under 2 and never above 100; MIN_GROUP if unusable."""
    try:
        value = int(configured)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return MIN_GROUP
    return min(max(value, 2), 100)
