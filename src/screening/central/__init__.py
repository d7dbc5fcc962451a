"""The central records database on PostgreSQL: its schema and roles (``schema``), reaching it
without ever showing a password (``connection``), pushing a laptop's finished records and its
audit trail to it or into an offline bundle (``push``, ``bundle``), and reading it with the
same commands as a laptop (``reader``).

May import ``screening.records`` and below, never ``screening.cli``, typer or rich. The driver
(psycopg 3, the ``central`` extra) is imported only inside these modules' functions, so a
counter laptop without it works as before.
"""
