"""Events the read side cannot apply are set aside, not allowed to stop it (issue 15).

An event that cannot be decoded (a topic no code knows) or folded (a value the read models
cannot hold, e.g. a NUL character on PostgreSQL) would otherwise stop the projector at its
position for good: every read after it stale, every rebuild failing at the same place. The
read side instead records it here — its position, its aggregate, its topic, the error (its
kind and message, identity numbers masked, never the event's data) and when — and moves the
tracking position past it **in the same transaction**, so the event is set aside exactly
once, and the projection goes on with the next. ``GET /health`` counts them and ``python -m
projections quarantine`` lists them; the read models lack only what those events would have
changed. After a fix, ``python -m projections rebuild`` applies the log again from the
start (the rows here are cleared first; an event that still fails is set aside again).

The table is the read side's own (``read_quarantine``), beside the read models, and is not
replaced with them by a rebuild.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domain.access import mask_identity_numbers

TABLE = "read_quarantine"
ERROR_MAX = 500  # characters of an error's message kept


def describe(exc: BaseException) -> str:
    """An error as it is recorded: its kind and the start of its message, masked."""
    text = mask_identity_numbers(f"{type(exc).__name__}: {exc}".replace("\x00", "\\0"))
    return text[:ERROR_MAX]


def create_table(store: Any) -> None:
    store.execute(
        f"CREATE TABLE IF NOT EXISTS {store._qualified(TABLE)} ("
        "application_name TEXT NOT NULL, notification_id BIGINT NOT NULL, "
        "originator_id TEXT NOT NULL, topic TEXT NOT NULL, error TEXT NOT NULL, "
        "set_aside_at TEXT NOT NULL, PRIMARY KEY (application_name, notification_id))")


def record(store: Any, name: str, notification_id: int, originator_id: str, topic: str,
           error: str) -> None:
    """Set one event aside (again: the first record stands)."""
    store.execute(
        f"INSERT INTO {store._qualified(TABLE)} (application_name, notification_id, "
        "originator_id, topic, error, set_aside_at) VALUES (%s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (application_name, notification_id) DO NOTHING",
        (name, notification_id, originator_id, topic, error,
         datetime.now(UTC).isoformat(timespec="seconds")))


def listing(store: Any, name: str) -> list[dict[str, Any]]:
    """The events set aside, by position."""
    store.execute(
        f"SELECT notification_id, originator_id, topic, error, set_aside_at FROM "
        f"{store._qualified(TABLE)} WHERE application_name = %s ORDER BY notification_id",
        (name,))
    return [{"position": int(row["notification_id"]), "originator_id": row["originator_id"],
             "topic": row["topic"], "error": row["error"],
             "set_aside_at": row["set_aside_at"]} for row in store.cursor.fetchall()]


def count(store: Any, name: str) -> int:
    store.execute(f"SELECT COUNT(*) AS n FROM {store._qualified(TABLE)} "
                  "WHERE application_name = %s", (name,))
    return int(store.cursor.fetchone()["n"])


def clear(store: Any, name: str) -> None:
    store.execute(f"DELETE FROM {store._qualified(TABLE)} WHERE application_name = %s",
                  (name,))


def rename(store: Any, old: str, new: str) -> None:
    """What one feed set aside becomes another's (a rebuild's shadow feed, taking over)."""
    store.execute(f"UPDATE {store._qualified(TABLE)} SET application_name = %s "
                  "WHERE application_name = %s", (new, old))
