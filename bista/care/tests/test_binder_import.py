"""Bringing a client's home binders over from the previous system: numbered per kind with the last current,
checked as a save is, all or nothing, one event in the audit trail and the access log."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bista.care import services
from bista.care.models import HomeBinder, RiskItem
from bista.clients.models import AccessLogEntry, Client
from bista.core import clock
from bista.core.access import SYSTEM
from bista.core.models import AuditEvent

D = datetime.date
RISK = {"risk": "Fall i badrummet", "likelihood": 2, "consequence": 3, "action": "Halkmatta", "owner": "Teamet"}
CRISIS = {"contacts": "Anhörig: 070-000 00 00", "instructions": "Ring 112 vid fara."}


def _rev(kind: str, day: datetime.date, **values: Any) -> services.ImportedBinderRevision:
    return services.ImportedBinderRevision(kind=kind, reviewed_on=day, **values)


def test_history_is_numbered_per_kind_with_the_last_current(astrid: Client, manager: Any) -> None:
    revisions = [
        _rev(HomeBinder.Kind.RISK_ASSESSMENT, D(2019, 5, 2), risks=[RISK], responsible=manager),
        _rev(HomeBinder.Kind.CRISIS_BINDER, D(2019, 5, 2), texts=CRISIS),
        _rev(HomeBinder.Kind.RISK_ASSESSMENT, D(2020, 5, 4), risks=[RISK, {**RISK, "risk": "Brand"}]),
        _rev(HomeBinder.Kind.RISK_ASSESSMENT, D(2021, 4, 30), risks=[RISK], texts={"notes": "Inga ändringar."}),
    ]
    binders = services.binder_history_import(actor=SYSTEM, client=astrid, revisions=revisions)

    stored = HomeBinder.objects.filter(client=astrid).order_by("kind", "number")
    assert [(b.kind, b.number, b.is_current, b.reviewed_on) for b in stored] == [
        (HomeBinder.Kind.CRISIS_BINDER, 1, True, D(2019, 5, 2)),
        (HomeBinder.Kind.RISK_ASSESSMENT, 1, False, D(2019, 5, 2)),
        (HomeBinder.Kind.RISK_ASSESSMENT, 2, False, D(2020, 5, 4)),
        (HomeBinder.Kind.RISK_ASSESSMENT, 3, True, D(2021, 4, 30)),
    ]
    assert [RiskItem.objects.filter(binder=b).count() for b in binders] == [1, 0, 2, 1]
    assert binders[0].responsible_id == manager.pk and binders[3].notes == "Inga ändringar."
    event = AuditEvent.objects.get(action="binder.import")
    assert event.new_values == {"revisions": 4, "kinds": ["crisis_binder", "risk_assessment"], "current": 2}
    assert not AuditEvent.objects.filter(action="binder.save").exists()
    assert AccessLogEntry.objects.filter(client=astrid, action=AccessLogEntry.Action.WRITE).count() == 1
    # The next save continues the imported history as any save does.
    current = HomeBinder.objects.get(client=astrid, kind=HomeBinder.Kind.CRISIS_BINDER, is_current=True)
    again = services.binder_save(
        actor=manager,
        client=astrid,
        kind=HomeBinder.Kind.CRISIS_BINDER,
        reviewed_on=D(2020, 6, 1),
        expected_number=current.number,
        **CRISIS,
    )
    assert again.number == 2


@pytest.mark.parametrize(
    ("revision", "message"),
    [
        ({"kind": "okand"}, "Okänd pärm"),
        ({"kind": HomeBinder.Kind.RISK_ASSESSMENT}, "minst en risk"),
        ({"texts": {"contacts": "x"}}, "Vad gör vi när"),
        ({"texts": {**CRISIS, "colour": "blå"}}, "Okända fält"),
        ({"reviewed_on": "future"}, "framtiden"),
        ({"reviewed_on": D(2018, 1, 1)}, "före den förra"),
        ({"risks": [{**RISK, "likelihood": 9}]}, "sannolikhet"),
    ],
)
def test_a_bad_revision_refuses_the_whole_import(astrid: Client, revision: dict[str, Any], message: str) -> None:
    values: dict[str, Any] = {"kind": HomeBinder.Kind.CRISIS_BINDER, "reviewed_on": D(2019, 1, 1), "texts": CRISIS}
    values.update(revision)
    if values["reviewed_on"] == "future":
        values["reviewed_on"] = clock.today() + datetime.timedelta(days=1)
    if "risks" in revision:
        values["kind"] = HomeBinder.Kind.RISK_ASSESSMENT
    revisions = [
        _rev(HomeBinder.Kind.CRISIS_BINDER, D(2018, 6, 1), texts=CRISIS),
        services.ImportedBinderRevision(**values),
    ]
    with pytest.raises(ValidationError) as refused:
        services.binder_history_import(actor=SYSTEM, client=astrid, revisions=revisions)
    assert refused.value.message_dict["revisions"][0].startswith("Version 2:")
    assert message in refused.value.message_dict["revisions"][0]
    assert not HomeBinder.objects.exists() and not RiskItem.objects.exists()
    assert not AuditEvent.objects.filter(action="binder.import").exists()


def test_a_responsible_without_a_role_in_the_unit_is_refused(astrid: Client, other_manager: Any) -> None:
    revisions = [_rev(HomeBinder.Kind.CRISIS_BINDER, D(2019, 1, 1), texts=CRISIS, responsible=other_manager)]
    with pytest.raises(ValidationError, match="ingen roll i enheten"):
        services.binder_history_import(actor=SYSTEM, client=astrid, revisions=revisions)
    assert not HomeBinder.objects.exists()


def test_an_import_does_not_continue_an_existing_binder(astrid: Client, manager: Any) -> None:
    services.binder_save(
        actor=manager,
        client=astrid,
        kind=HomeBinder.Kind.CRISIS_BINDER,
        reviewed_on=D(2020, 1, 1),
        expected_number=None,
        **CRISIS,
    )
    revisions = [_rev(HomeBinder.Kind.CRISIS_BINDER, D(2019, 1, 1), texts=CRISIS)]
    with pytest.raises(ValidationError, match="redan pärmar"):
        services.binder_history_import(actor=SYSTEM, client=astrid, revisions=revisions)
    assert HomeBinder.objects.filter(client=astrid).count() == 1


def test_only_the_migration_imports(astrid: Client, manager: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.binder_history_import(
            actor=manager, client=astrid, revisions=[_rev(HomeBinder.Kind.CRISIS_BINDER, D(2019, 1, 1), texts=CRISIS)]
        )
    assert not HomeBinder.objects.exists()
