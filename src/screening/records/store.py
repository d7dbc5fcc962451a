"""The records store: one open records database with every concern joined in :class:`Store`.

The concerns live in their own modules: :mod:`database` (the file, migrations, errors,
transactions) and :mod:`schema` (the migrations' SQL), :mod:`trail` (the hash-chained audit
trail), :mod:`verification` (``verify``), :mod:`sealing` (sealing, erasure, purge),
:mod:`writes` (create, answer, note, finalize), :mod:`queries` (records, listings, drafts),
:mod:`referrals` (referrals and their status) and :mod:`aggregates` (the report's counting
queries).
"""

from __future__ import annotations

from screening.records.aggregates import Aggregates
from screening.records.queries import Queries
from screening.records.referrals import Referrals
from screening.records.writes import Writes


class Store(Writes, Queries, Referrals, Aggregates):
    """One open records database. Use as a context manager, or call :meth:`close`."""
