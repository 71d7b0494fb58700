"""The clients context's declared actions (registered in `apps.py`; see `bista.core.actions`)."""

from __future__ import annotations

import enum

from django.db import models

from bista.core.actions import ActionRegistry

# Every access-log row's action (`bista.clients.services.access_log_record`), with the label the log review
# (loggkontroll) shows and exports. A context declares its own from its `ready()`: no migration of `clients`.
ACCESS_ACTIONS = ActionRegistry("access-log action", max_length=20)


class AuditAction(enum.StrEnum):
    """The clients context's audit actions: clients, their contacts and units, protected access, log reviews."""

    CLIENT_CREATE = "client.create"
    CLIENT_LINK_UNIT = "client.link_unit"
    CLIENT_TEAMS = "client.teams"
    CLIENT_UNLINK_UNIT = "client.unlink_unit"
    CLIENT_UPDATE = "client.update"
    CLIENT_CONTACT_ADD = "client_contact.add"
    CLIENT_CONTACT_DEACTIVATE = "client_contact.deactivate"
    LOG_REVIEW_COMPLETE = "log_review.complete"
    LOG_REVIEW_DRAW = "log_review.draw"
    PROTECTED_ACCESS_GRANT = "protected_access.grant"
    PROTECTED_ACCESS_REVOKE = "protected_access.revoke"


class AccessAction(models.TextChoices):
    """The reads logged since the access log began (its stored values), declared by the clients context."""

    CARD = "card", "Öppnade brukarkort"
    SEARCH = "search", "Sökte på personnummer"
    EXPORT = "export", "Export"
    API = "api", "Läste via API"
    LIST = "list", "Öppnade rad i lista"
    CARE = "care", "Läste beställning, plan eller pärm"
    JOURNAL = "journal", "Läste journal"
    WRITE = "write", "Skrev i akten"
    PRINT = "print", "Skrev ut (PDF)"
    QUALITY = "quality", "Läste avvikelse, lex Sarah-rapport eller synpunkt"
