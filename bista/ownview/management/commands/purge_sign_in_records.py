"""`bista purge_sign_in_records`: delete the sign-in bookkeeping older than the retention (see
bista.ownview.services.sign_in_records_purge)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from bista.ownview import services


class Command(BaseCommand):
    help = (
        "Tar bort gamla inloggningsförsök och engångskoder för Min sida och felaktiga enkätkoder, äldre än "
        "BISTA_SIGN_IN_RECORDS_RETENTION_DAYS dagar (standard 30). Tänkt att köras av cron en gång om dygnet, "
        "t.ex. '30 3 * * * bista purge_sign_in_records'."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        purged = services.sign_in_records_purge()
        self.stdout.write(
            f"Borttaget: {purged.attempts} inloggningsförsök, {purged.codes} engångskoder, "
            f"{purged.guesses} felaktiga enkätkoder (äldre än {services.retention().days} dagar)."
        )
