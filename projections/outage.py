"""Telling an outage of the store from a fault: :func:`store_unavailable`.

The service and its read side share one question when the store refuses: is it *unavailable
just now* — a SQLite file another process holds past the lock timeout, a PostgreSQL server
that cannot be reached, a connection lost, a pool without a free connection, a lock timeout
— so that the same call will work in a moment; or is it a fault (a missing table, a bad
statement, a value the column refuses) that retrying cannot mend? The HTTP service answers
the first with 503 and ``Retry-After`` (:mod:`api.errors`); the read side's background
reader waits and resumes instead of stopping (:meth:`projections.read_side.ReadSide.start`).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator

import eventsourcing.persistence as es
import psycopg

#: SQLite's words for a store another connection holds, or one that cannot be opened or
#: written just now; its other OperationalErrors ("no such table", a syntax error) are faults.
_SQLITE_UNAVAILABLE = re.compile(r"locked|busy|unable to open|disk i/o|disk is full")

#: The exception types an outage arrives as (the drivers' and eventsourcing's wrappers);
#: :func:`store_unavailable` decides for each instance.
OUTAGE_TYPES: tuple[type[Exception], ...] = (
    es.OperationalError, es.InterfaceError, sqlite3.OperationalError,
    psycopg.OperationalError, psycopg.InterfaceError)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def store_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says the store — events or read models — cannot
    be used just now: SQLite locked, busy or unable to open its file; any PostgreSQL
    operational or interface error (connection refused or lost, a pool timeout, a lock
    timeout; psycopg_pool's errors are psycopg's); eventsourcing's wrappers of either."""
    for error in _chain(exc):
        if isinstance(error, sqlite3.OperationalError):
            return _SQLITE_UNAVAILABLE.search(str(error).lower()) is not None
        if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
            return True
    return isinstance(exc, es.OperationalError | es.InterfaceError)


__all__ = ["OUTAGE_TYPES", "store_unavailable"]
