"""The one order of the waiting list (R12, § 3-3): who comes first.

Every part of the service that ranks persons — the waiting list, the deadline monitor, the
allocation run and its optimizer — takes its order from :func:`waiting_order_key` and from
nothing else, so the rank a person is shown is the order the allocator uses.

1. R15 (§ 3-3 first paragraph): a person who can no longer be cared for safely at home,
   granted a stay to be carried out at once, goes before everyone else.
2. R16 (§ 3-3 second paragraph): then the greatest need for 24-hour care, by the recorded
   professional assessment. A person without a current assessment is *not assessed*: shown
   as such, placed after every assessed person of the same urgency, never silently ranked
   as if their need were the lowest score.
3. Then the earliest waiting-list date (ventelistedato, R23): the first waiting-list decision
   of the continuous waiting period (for a person granted a stay outright, the grant's date).
4. Then a stable id, so that the order is total and the same on every machine.

The screened-place preference of R7 is not part of the rank: it orders persons only among
equals in urgency, and only where they compete for a screened place (the optimizer applies it,
see ``optimizer/eligibility.py``).

This module is pure and imports nothing of the project's, so the optimizer, which imports
nothing else of the domain, may share it.
"""

from __future__ import annotations

from datetime import date

#: The key's type: compare keys with ``<``; the smallest comes first.
OrderKey = tuple[bool, bool, int, date, str]


def waiting_order_key(*, urgent: bool, need_score: int | None, waiting_since: date,
                      case_id: str) -> OrderKey:
    """The sort key of one person on the waiting list (smallest first)."""
    return (not urgent, need_score is None, -(need_score or 0), waiting_since, case_id)


#: The need score's bounds (the priority assessment checks them; § 3-3 second paragraph).
NEED_SCORE_MAX = 100


def order_text(key: OrderKey) -> str:
    """The key as text whose byte order is the key's order: ``a < b`` exactly when
    ``order_text(a) < order_text(b)`` compared as UTF-8 bytes (SQLite's default collation,
    PostgreSQL's ``COLLATE "C"``). Fixed-width fields, the case id last: so a list view can
    record the keys that bound its page and a store can find the views that showed a case by
    comparing text (see ``projections.access_log``)."""
    not_urgent, unassessed, minus_need, since, case_id = key
    if not -NEED_SCORE_MAX <= minus_need <= 0:
        raise ValueError(f"a need score is 0–{NEED_SCORE_MAX}")
    return (f"{int(not_urgent)}{int(unassessed)}{minus_need + NEED_SCORE_MAX:03d}"
            f"{since.isoformat()}{case_id}")
