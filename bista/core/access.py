"""Who may do what, where: the one place that answers it.

A user's permissions come from their memberships (role in a unit, or in a whole district) valid today and
the role's grants valid today — both reference data. A request authenticated with an API token is limited
further to the token's scopes. Every view, API endpoint and selector asks here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from bista.core import clock
from bista.core.models import Membership, RoleGrant, Unit
from bista.core.permissions import Perm

ACCESS_CACHE_ATTR = "_bista_access_map"
TOKEN_SCOPES_ATTR = "_bista_token_scopes"


def valid_on(day: datetime.date) -> Q:
    """Rows with valid_from/valid_to (reference data, memberships) in force on `day`."""
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gt=day))


def _build_access_map(user: Any, day: datetime.date) -> dict[int, frozenset[str]]:
    memberships = list(
        Membership.objects.filter(valid_on(day), user=user).values("role_id", "district_id", "unit_id", "unit__kind")
    )
    if not memberships:
        return {}
    role_ids = {m["role_id"] for m in memberships}
    grants: dict[int, set[str]] = {}
    for role_id, code in RoleGrant.objects.filter(valid_on(day), role_id__in=role_ids).values_list(
        "role_id", "permission__code"
    ):
        grants.setdefault(role_id, set()).add(code)
    district_wide = {m["district_id"]: m["role_id"] for m in memberships if m["unit_id"] is None}
    result: dict[int, set[str]] = {}
    purchasers: set[int] = set()
    if district_wide:
        for unit_id, district_id, kind in Unit.objects.filter(department__district_id__in=district_wide).values_list(
            "id", "department__district_id", "kind"
        ):
            if kind == Unit.Kind.PURCHASER:
                purchasers.add(unit_id)
            for m in memberships:
                if m["unit_id"] is None and m["district_id"] == district_id:
                    result.setdefault(unit_id, set()).update(grants.get(m["role_id"], set()))
    for m in memberships:
        if m["unit_id"] is not None:
            if m["unit__kind"] == Unit.Kind.PURCHASER:
                purchasers.add(m["unit_id"])
            result.setdefault(m["unit_id"], set()).update(grants.get(m["role_id"], set()))
    # One role (enhetschef) serves every kind of unit; casework means something only in a purchaser unit, so a
    # provider's manager holds none of it there (no "Ärenden" in their menu, no empty case list).
    for unit_id, perms in result.items():
        if unit_id not in purchasers:
            perms.difference_update(Perm.CASEWORK)
    scopes = getattr(user, TOKEN_SCOPES_ATTR, None)
    if scopes is not None:
        result = {unit_id: perms & set(scopes) for unit_id, perms in result.items()}
    return {unit_id: frozenset(perms) for unit_id, perms in result.items() if perms}


def access_map(user: Any) -> dict[int, frozenset[str]]:
    """Unit id → the permissions the user holds there today (cached on the user object for the request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached = getattr(user, ACCESS_CACHE_ATTR, None)
    if cached is None:
        cached = _build_access_map(user, clock.today())
        setattr(user, ACCESS_CACHE_ATTR, cached)
    return cached  # type: ignore[no-any-return]


def forget_access(user: Any) -> None:
    """Drop the cached access map, after the user's memberships changed."""
    if hasattr(user, ACCESS_CACHE_ATTR):
        delattr(user, ACCESS_CACHE_ATTR)


def has_perm(user: Any, code: str, unit: Unit | int) -> bool:
    unit_id = unit if isinstance(unit, int) else unit.pk
    return code in access_map(user).get(unit_id, frozenset())


def has_perm_anywhere(user: Any, code: str) -> bool:
    return any(code in perms for perms in access_map(user).values())


def unit_ids_with(user: Any, *codes: str) -> set[int]:
    """Units where the user holds at least one of `codes`."""
    wanted = set(codes)
    return {unit_id for unit_id, perms in access_map(user).items() if perms & wanted}


def require_perm(user: Any, code: str, unit: Unit | int) -> None:
    if not has_perm(user, code, unit):
        raise PermissionDenied(f"Behörighet saknas: {code}")


# The actor of set-up steps, migrations and the demo generator: not a person, so no permission check
# applies and the audit event records no actor. Views and the API always pass the request's user.
SYSTEM = None


def check_perm(actor: Any, code: str, unit: Unit | int) -> None:
    """`require_perm` for a service: a person must hold the permission; the SYSTEM actor may always act."""
    if actor is not SYSTEM:
        require_perm(actor, code, unit)


def require_any_unit(user: Any, codes: Iterable[str]) -> set[int]:
    unit_ids = unit_ids_with(user, *codes)
    if not unit_ids:
        raise PermissionDenied("Behörighet saknas.")
    return unit_ids


# Which teams a user works in is staff data (their employee record), but what a user may see is decided here.
# Core imports no other context, so the staff app registers the answer in its AppConfig.ready().
TeamSource = Callable[[Any], set[int]]
_team_source: TeamSource | None = None


def register_team_source(source: TeamSource) -> None:
    """Set the function that lists a signed-in user's active team ids (the staff app, at start-up)."""
    global _team_source
    _team_source = source


def team_ids_for_user(user: Any) -> set[int]:
    """The active teams the user works in. With no source registered nobody is in a team: team access is
    then denied, never widened."""
    if not getattr(user, "is_authenticated", False) or _team_source is None:
        return set()
    return _team_source(user)


def requires_two_factor(user: Any) -> bool:
    """Whether any of the user's current roles demands two-factor sign-in (reference data on the role)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(valid_on(clock.today()), user=user, role__requires_two_factor=True).exists()


def grant_in_force(day: datetime.date, prefix: str = "role__grants__") -> Q:
    """A role's grant (joined through `prefix`) valid on `day`."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": day})
    )


def unit_members_with(code: str, unit_ids: Iterable[int], day: datetime.date) -> Any:
    """The memberships in these units, valid on `day`, whose role grants `code` then (e.g. who may be an order's
    responsible deputy); unit memberships only, not district-wide ones."""
    return Membership.objects.filter(
        valid_on(day), grant_in_force(day), unit_id__in=list(unit_ids), role__grants__permission__code=code
    )
