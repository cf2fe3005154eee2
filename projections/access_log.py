"""The access log by case (tilgangslogg, pasientjournalloven § 18): for each case, every
logged request that touched its personal data — who, in which role, did what, when, and
whether it was allowed. What the person may ask to see.

One row per case and entry, only ever appended (no versions: an entry never changes); a
request that touched several cases is a row for each of them (with the same ``entry_id``).
A refused attempt that named no case is in the event log only.
"""

from __future__ import annotations

from typing import Any

from domain.access import AccessLogEntry
from projections.store import Doc, Store, micros


def apply_access(store: Store, e: Any) -> None:
    """Append one access-log entry to the log of each case it touched."""
    if not isinstance(e, AccessLogEntry.Recorded):
        return
    entry_id = str(e.originator_id)
    entry = {
        "entry_id": entry_id, "municipality": e.municipality,
        "at": e.timestamp.isoformat(), "actor": e.actor, "role": e.role, "action": e.action,
        "allowed": e.allowed, "detail": e.detail,
    }
    at = micros(e.timestamp)
    for case_id in dict.fromkeys(e.case_ids):  # a case named twice is logged once
        store.add_access(str(case_id), entry_id, e.municipality, at, entry)


def access_log(store: Store, municipality: str, case_id: str) -> list[Doc]:
    """Who has accessed the case, newest first (entries of other municipalities never
    show)."""
    entries = [x for x in store.access_entries(case_id) if x["municipality"] == municipality]
    entries.reverse()  # oldest first from the store: newest first, ties newest-logged first
    return entries
