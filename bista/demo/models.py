"""Whether the demo generation in this database completed (issue 14, defect 13).

The row is written in its own transaction before the first step and marked finished after the last, so a
run killed half-way leaves an unfinished row: the next `bista demo` empties the database and starts over
instead of refusing for ever.
"""

from __future__ import annotations

from django.db import models


class DemoGeneration(models.Model):
    started_at = models.DateTimeField("påbörjad")
    finished_at = models.DateTimeField("klar", null=True, blank=True)
    scale = models.CharField("skala", max_length=10)
    years = models.PositiveSmallIntegerField("år")
    seed = models.IntegerField("frö")

    class Meta:
        verbose_name = "demogenerering"
        verbose_name_plural = "demogenereringar"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        state = "klar" if self.finished_at else "avbruten eller pågående"
        return f"Demo {self.scale} {self.years} år, frö {self.seed} ({state})"
