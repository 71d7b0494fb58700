"""The rostering pages, one module per area: the roster (team and person), Mitt schema, hours, shifts and
the sick call, open shifts, roster jobs and needs. The indicators page is `indicators.py`."""
