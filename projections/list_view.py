"""Where a list of persons stands when it is read: the read models' position and the moment
whose row versions make the list, read in the same snapshot as the list itself.

The access log records a list view by these two (:class:`domain.access.ListView`), not by
the ids of everyone on the list:

- the **position** (the tracking table's notification id) says which events the read models
  held: folding the event log up to it gives the same rows;
- the **moment** is the newest change to the list's rows the read models held (the greatest
  ``valid_from`` of the municipality's current versions): the rows valid at that moment in
  the temporal tables (``valid_from <= moment < valid_to``) are the rows of the list, and
  stay so, for an event the read models take in later starts a version after it. (Only an
  event committed after the read with a timestamp at or before that moment — two commands
  at once, committed out of their clock's order — would move it; the position and the
  entry's digest of the page tell such a case apart.)

Both are read in the list's own read transaction: SQLite's read transaction is a snapshot;
on PostgreSQL the transaction is made ``REPEATABLE READ`` first.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from projections.store import OPEN, SqlStore

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def as_moment(microseconds: int) -> datetime:
    """A moment from the version columns' microseconds (UTC)."""
    return _EPOCH + timedelta(microseconds=microseconds)


def snapshot(store: SqlStore) -> None:
    """Make the store's read transaction one snapshot (call before its first query)."""
    if store.dialect == "postgres":
        store.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def read_position(store: SqlStore, tracking_table: str, tracking_name: str) -> int:
    """The notification id the read models hold, in the store's transaction."""
    store.execute(f"SELECT MAX(notification_id) AS position FROM {tracking_table} "
                  "WHERE application_name = %s", (tracking_name,))
    row = store.cursor.fetchone()
    return int(row["position"] or 0) if row else 0


def newest_change(store: SqlStore, table: str, municipality: str) -> datetime:
    """The newest change to a municipality's rows of ``table`` (the greatest ``valid_from``
    of its current versions; every row's newest version is its current one), through the
    (municipality, valid_to, valid_from) index. The epoch when it has none."""
    store.execute(f"SELECT MAX(valid_from) AS newest FROM {store.name(table)} "
                  "WHERE municipality = %s AND valid_to = %s", (municipality, OPEN))
    row = store.cursor.fetchone()
    return as_moment(int(row["newest"] or 0) if row else 0)
