"""Plotly figures as plain dicts, one module per page, built from arrays (``common`` has what they share)."""
