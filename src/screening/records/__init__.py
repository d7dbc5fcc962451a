"""Keeping records: the SQLite store (the only code that touches sqlite-utils), sealing and
erasure, the audit trail, exports (HTCDS included), office keys and the officer's settings.

May import the domain (``assessment``, ``interview``, ``content``, ``models``) and
``screening.errors``, never ``screening.cli``, typer or rich.
"""
