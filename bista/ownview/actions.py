"""The own view's declared actions (registered in `apps.py`; see `bista.core.actions`)."""

from __future__ import annotations

import enum

from django.db import models


class AuditAction(enum.StrEnum):
    """Staff registering the own view's contacts and the client's choices; the client's sign-ins and sign-outs."""

    SETTINGS_UPDATE = "ownview.settings"
    CONTACT_ADD = "ownview_contact.add"
    CONTACT_END = "ownview_contact.end"
    SIGN_IN = "ownview.sign_in"
    SIGN_OUT = "ownview.sign_out"


class AccessAction(models.TextChoices):
    """A read by the client or their representative in their own view (the access-log row has no staff user:
    `detail` names the own-view sign-in and who it was)."""

    OWN_VIEW = "ownview", "Läste i Min sida (brukaren eller företrädaren)"
