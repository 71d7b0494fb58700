"""Forms of the provider chain, one module per area (orders, plans, journal, binders)."""
