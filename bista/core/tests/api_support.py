"""Helpers for the API tests: signed-in clients (two-factor verified where the role needs it), tokens,
fictitious personnummer and reading the error body."""

import json
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import strategies as st

from bista.core import services
from bista.core.access import SYSTEM
from bista.core.models import AuditEvent
from bista.core.personnummer import luhn_check_digit

API = "/api/v1"


def session_client(user: Any, *, verified: bool = True) -> Client:
    """A test client signed in as `user`; `verified` also completes two-factor sign-in (as the UI would)."""
    client = Client()
    client.force_login(user)
    if verified:
        device = TOTPDevice.objects.create(user=user, name="Test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def token_client(user: Any, scopes: list[str]) -> tuple[Client, Any]:
    """A test client sending `Authorization: Bearer …` for a new token of `user` with `scopes`."""
    token, secret = services.api_token_create(actor=SYSTEM, owner=user, name="Integration", scopes=scopes)
    return Client(headers={"Authorization": f"Bearer {secret}"}), token


def fake_personnummer(birth_date: str, birth_number: int = 982) -> str:
    """A formally valid 12-digit number in the 980-999 birth-number series used for fictitious people."""
    yymmdd_nnn = f"{birth_date[2:]}{birth_number:03d}"
    return f"{birth_date[:2]}{yymmdd_nnn}{luhn_check_digit(yymmdd_nnn)}"


def formatted(digits: str) -> str:
    return f"{digits[:8]}-{digits[8:]}"


def error(response: Any) -> dict[str, Any]:
    """The error object of a 4xx answer (and a check that it has the promised shape)."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message", "fields"} <= set(body["error"]), body
    return body["error"]  # type: ignore[no-any-return]


def post(client: Client, path: str, data: Any) -> Any:
    return client.post(API + path, data, content_type="application/json")


def patch(client: Client, path: str, data: Any) -> Any:
    return client.patch(API + path, data, content_type="application/json")


def get(client: Client, path: str, **params: Any) -> Any:
    return client.get(API + path, params)


def audit_count(action: str, **filters: Any) -> int:
    return AuditEvent.objects.filter(action=action, **filters).count()


def text(response: Any) -> str:
    """The answer as text with non-ASCII characters unescaped, for asserting what it does not contain."""
    return json.dumps(response.json(), ensure_ascii=False)


def json_values() -> Any:
    """Any JSON value, including the awkward ones: NUL and lone surrogates, huge numbers, nesting."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**70), max_value=2**70)
        | st.floats(allow_nan=False)
        | st.text(max_size=30)
        | st.sampled_from(["", "\x00", "\ud800", "2024-02-30", "19121212-1212", "1e400", "-1", " ", "x" * 300])
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
        max_leaves=5,
    )
