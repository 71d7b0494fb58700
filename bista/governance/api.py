"""The governance API: goals, indicators, values and document generation."""

from ninja import Router

router = Router()
