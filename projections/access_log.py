"""The access log by case (tilgangslogg, pasientjournalloven § 18): for each case, every
logged request that touched its personal data — who, in which role, did what, when, and
whether it was allowed. What the person may ask to see.

One row per case, holding its entries; a request that touched several cases is an entry in
each of their rows (with the same ``entry_id``). A refused attempt that named no case is in
the event log only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.access import AccessLogEntry
from projections.store import Doc, Store

ACCESS = "lto_rm_access"


def apply_access(store: Store, e: Any) -> None:
    """Fold one access-log entry into the row of each case it touched."""
    if not isinstance(e, AccessLogEntry.Recorded):
        return
    entry = {
        "entry_id": str(e.originator_id), "municipality": e.municipality,
        "at": e.timestamp.isoformat(), "actor": e.actor, "role": e.role, "action": e.action,
        "allowed": e.allowed, "detail": e.detail,
    }
    for case_id in e.case_ids:
        key = str(case_id)
        doc: Doc = store.get(ACCESS, key) or {
            "case_id": key, "municipality": e.municipality, "entries": []}
        doc["entries"].append(entry)
        store.put(ACCESS, key, doc["municipality"], doc)


def access_log(store: Store, municipality: str, case_id: str) -> list[Doc]:
    """Who has accessed the case, newest first (entries of other municipalities never
    show)."""
    doc = store.get(ACCESS, case_id)
    if doc is None:
        return []
    entries = [dict(x) for x in doc["entries"] if x["municipality"] == municipality]
    entries.reverse()  # appended in log order: newest last
    entries.sort(key=lambda x: datetime.fromisoformat(x["at"]), reverse=True)  # stable
    return entries
