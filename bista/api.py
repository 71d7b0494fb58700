"""The REST API under /api/v1/: authentication, machine-readable errors and the contexts' routers.

Two ways in: the UI's session (CSRF-protected, and two-factor verified where the user's role demands it),
or an integration's bearer token `bista_…`, which acts as its user limited to the token's scopes.
Every 4xx answer is JSON: {"error": {"code", "message" (Swedish), "fields": {field: [{code, message}]}}}.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from bista.care.api import router as care_router
from bista.casework.api import router as casework_router
from bista.clients.api import router as clients_router
from bista.core.access import TOKEN_SCOPES_ATTR, forget_access, requires_two_factor
from bista.core.api import checked_view
from bista.core.api import router as org_router
from bista.core.errors import ConflictError, IdempotencyKeyError
from bista.core.idempotency import atomic_writes
from bista.core.services import api_token_authenticate
from bista.economy.api import router as economy_router
from bista.governance.api import router as governance_router
from bista.quality.api import router as quality_router
from bista.rostering.api import router as rostering_router
from bista.staff.api import router as staff_router
from bista.surveys.api import router as surveys_router
from bista.timereports.api import router as timereports_router

# --- Authentication ---------------------------------------------------------------------------------

TOKEN_FORMAT = re.compile(r"bista_[0-9a-f]{8}_[A-Za-z0-9_-]{20,100}")


class CsrfFailed(HttpError):
    def __init__(self) -> None:
        super().__init__(403, "CSRF check failed")


class SessionAuth(APIKeyCookie):
    """The UI's session: CSRF-checked for unsafe methods, and two-factor verified when the user's role asks for
    it (an unverified session counts as not signed in). Requests carrying an Authorization header are left
    to the token method, so a token is never mixed up with a browser's session."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        if "Authorization" in request.headers or not request.user.is_authenticated:
            return None
        return super().__call__(request)

    def _get_key(self, request: HttpRequest) -> str | None:
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise CsrfFailed()
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if settings.BISTA_REQUIRE_2FA and not _is_verified(user) and requires_two_factor(user):
            return None
        return user


def _is_verified(user: Any) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified()) if callable(is_verified) else False


class TokenAuth(HttpBearer):
    """`Authorization: Bearer bista_…`: the token's user, limited to the token's scopes. A bad token is a 401."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = api_token_authenticate(token) if TOKEN_FORMAT.fullmatch(token) else None
        if api_token is None:
            raise AuthenticationError()
        user = api_token.user
        forget_access(user)
        setattr(user, TOKEN_SCOPES_ATTR, set(api_token.scopes))
        request.user = user
        return user


api = NinjaAPI(
    title="Bistå API",
    version="1",
    description="Bistås API för integrationer och gränssnittet. Felsvar har alltid formen "
    '`{"error": {"code", "message", "fields"}}`. En skrivning (POST, PUT, PATCH, DELETE) sparas helt eller '
    "inte alls. Skicka rubriken `Idempotency-Key` (1–255 synliga ASCII-tecken, t.ex. ett UUID) för att kunna "
    "försöka igen säkert: samma nyckel med samma begäran ger det första svaret (`Idempotent-Replayed: true`) "
    "utan att något sparas igen; samma nyckel med en annan begäran ger 422 `idempotency_key_reused`. "
    "Nycklarna gäller per användare i 24 timmar.",
    urls_namespace="api-v1",
    auth=[SessionAuth(), TokenAuth()],
)

api.add_router("", org_router, tags=["Organisation"])
api.add_router("", clients_router, tags=["Brukare"])
api.add_router("", staff_router, tags=["Medarbetare"])
api.add_router("", care_router, tags=["Utförare"])
api.add_router("", casework_router, tags=["Myndighetsutövning"])
api.add_router("", quality_router, tags=["Kvalitet"])
api.add_router("", governance_router, tags=["Mål och uppföljning"])
api.add_router("", rostering_router, tags=["Schema"])
api.add_router("", timereports_router, tags=["Arbetad tid"])
api.add_router("", surveys_router, tags=["Brukarundersökning"])
api.add_router("", economy_router, tags=["Ekonomi"])

fallback_router = Router()


@fallback_router.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False
)
def unknown_path(request: HttpRequest, rest: str) -> None:
    """Any other path under /api/v1/ answers with the same JSON 404 as a missing record."""
    raise Http404


api.add_router("", fallback_router)  # last, so that it only catches what no other route matched

# Every operation: a write commits together with its answer (an error answer rolls it back) and can be retried
# with an Idempotency-Key (bista.core.idempotency); every parsed input passes the shared plausibility checks.
# (ninja's "view" mode wraps the whole operation, its "operation" mode the view function after parsing.)
api.add_decorator(atomic_writes(api.on_exception), mode="view")
api.add_decorator(checked_view, mode="operation")


# --- Errors -----------------------------------------------------------------------------------------

FieldErrors = dict[str, list[dict[str, str]]]

# Model field names as the API calls them.
FIELD_ALIASES = {"unit": "unit_id", "teams": "team_ids", "department": "department_id", NON_FIELD_ERRORS: "__all__"}

SCHEMA_MESSAGES = {
    "missing": "Fältet måste fyllas i.",
    "string_type": "Ange en text.",
    "string_too_long": "Texten är för lång.",
    "int_type": "Ange ett heltal.",
    "int_parsing": "Ange ett heltal.",
    "int_from_float": "Ange ett heltal.",
    "bool_type": "Ange true eller false.",
    "bool_parsing": "Ange true eller false.",
    "date_type": "Ange ett datum (ÅÅÅÅ-MM-DD).",
    "date_parsing": "Ange ett datum (ÅÅÅÅ-MM-DD).",
    "date_from_datetime_parsing": "Ange ett datum (ÅÅÅÅ-MM-DD).",
    "date_from_datetime_inexact": "Ange ett datum (ÅÅÅÅ-MM-DD).",
    "decimal_type": "Ange ett tal.",
    "decimal_parsing": "Ange ett tal.",
    "finite_number": "Ange ett tal.",
    "list_type": "Ange en lista.",
    "enum": "Välj ett av de tillåtna värdena.",
    "literal_error": "Välj ett av de tillåtna värdena.",
    "greater_than_equal": "Värdet är för litet.",
    "greater_than": "Värdet är för litet.",
    "less_than_equal": "Värdet är för stort.",
    "less_than": "Värdet är för stort.",
    "extra_forbidden": "Okänt fält.",
    "model_attributes_type": "Ange ett JSON-objekt.",
    "dict_type": "Ange ett JSON-objekt.",
}
HTTP_ERRORS = {
    400: ("bad_request", "Begäran kunde inte tolkas. Skicka giltig JSON."),
    401: ("unauthenticated", "Logga in eller ange en giltig API-nyckel."),
    403: ("forbidden", "Behörighet saknas."),
    404: ("not_found", "Uppgiften finns inte eller så saknar du behörighet."),
    429: ("throttled", "För många anrop. Vänta en stund och försök igen."),
}


def error_response(
    request: HttpRequest, status: int, code: str, message: str, fields: FieldErrors | None = None, **extra: Any
) -> HttpResponse:
    body = {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}
    return api.create_response(request, body, status=status)


def _django_fields(error: DjangoValidationError) -> FieldErrors:
    by_field = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.error_list}
    return {
        FIELD_ALIASES.get(field, field): [
            {"code": item.code or "invalid", "message": message} for item in items for message in item.messages
        ]
        for field, items in by_field.items()
    }


def _schema_field(loc: tuple[Any, ...] | list[Any]) -> str:
    """("body", "payload", "first_name") → "first_name"; ("query", "unit_id") → "unit_id"."""
    source, *rest = loc
    if source == "body":
        rest = rest[1:]
    names = [part for part in rest if isinstance(part, str)]
    return names[0] if names else "__all__"


def _schema_message(item: dict[str, Any]) -> str:
    if item["type"] == "value_error":
        return str(item.get("ctx", {}).get("error", "Ogiltigt värde.")).removeprefix("Value error, ")
    return SCHEMA_MESSAGES.get(item["type"], "Ogiltigt värde.")


@api.exception_handler(DjangoValidationError)
def on_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return error_response(request, 422, "validation", "Uppgifterna är inte giltiga.", _django_fields(exc))


@api.exception_handler(SchemaValidationError)
def on_schema_error(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    fields: FieldErrors = {}
    for item in exc.errors:
        fields.setdefault(_schema_field(item["loc"]), []).append(
            {"code": item["type"], "message": _schema_message(item)}
        )
    return error_response(request, 422, "validation", "Uppgifterna är inte giltiga.", fields)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, "forbidden", str(exc) or HTTP_ERRORS[403][1])


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, *HTTP_ERRORS[404])


@api.exception_handler(ConflictError)
def on_conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
    return error_response(request, 409, exc.code, str(exc), current_version=exc.current_version)


@api.exception_handler(IntegrityError)
def on_integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    """Two saves raced past the services' checks and the database refused the second: a conflict."""
    message = "Uppgifterna krockar med något som sparades samtidigt. Läs in dem igen och försök på nytt."
    return error_response(request, 409, "conflict", message)


@api.exception_handler(IdempotencyKeyError)
def on_idempotency_key_error(request: HttpRequest, exc: IdempotencyKeyError) -> HttpResponse:
    return error_response(
        request, 422, exc.code, str(exc), {"Idempotency-Key": [{"code": exc.code, "message": str(exc)}]}
    )


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(request, 401, *HTTP_ERRORS[401])
    response["WWW-Authenticate"] = 'Bearer realm="bista"'
    return response


@api.exception_handler(CsrfFailed)
def on_csrf_failed(request: HttpRequest, exc: CsrfFailed) -> HttpResponse:
    message = "CSRF-kontrollen misslyckades. Läs in sidan igen, eller använd en API-nyckel."
    return error_response(request, 403, "csrf_failed", message)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code, message = HTTP_ERRORS.get(exc.status_code, ("http_error", "Begäran kunde inte utföras."))
    return error_response(request, exc.status_code, code, message)
