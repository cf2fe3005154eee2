"""The measures of one run, read from the cases and places at its end (and the tallies
the run kept day by day). Pure: plain records in, plain numbers out.

Waiting times count from the decision that put the person on the list (R23's waiting-list
date; for a grant, the grant) to the first offer and to the admission; only persons who
applied during the run count (the residents of the first day do not)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from simulator.stats import quantile


@dataclass(frozen=True)
class CaseRecord:
    """One person, as the measures need them."""

    decision: str | None  # the first decision's kind
    decided_on: date | None
    place_type: str | None
    first_offer_on: date | None
    admitted_on: date | None
    purchased: bool
    mismatch: bool  # admitted to another type than decided (R7 reason)
    breaches: int
    died_waiting: bool
    spouse: str | None
    facility: str | None
    stay_ended: date | None
    purchase_price: float


def _days(a: date | None, b: date | None) -> int | None:
    return None if a is None or b is None else (b - a).days


def measures(records: dict[str, CaseRecord], end: date, tally: Any) -> dict[str, Any]:
    decided = [r for r in records.values() if r.decision in ("grant", "waiting_list")]
    to_offer = [d for r in decided if (d := _days(r.decided_on, r.first_offer_on)) is not None]
    to_admit = [d for r in decided if (d := _days(r.decided_on, r.admitted_on)) is not None]
    breaches = sum(r.breaches for r in decided)
    bought = [r for r in decided if r.purchased and r.admitted_on is not None]
    cost = sum(((r.stay_ended or end) - r.admitted_on).days * r.purchase_price
               for r in bought if r.admitted_on is not None)
    apart, days_apart = 0, 0
    for key, r in records.items():
        if r.spouse is None or key > r.spouse or r.spouse not in records:
            continue
        s = records[r.spouse]
        if r.facility and s.facility and r.facility != s.facility:
            apart += 1
        if r.admitted_on or s.admitted_on:
            first = min(d for d in (r.admitted_on, s.admitted_on) if d is not None)
            last = max((r.admitted_on or end), (s.admitted_on or end))
            days_apart += (last - first).days
    occupancy = {t: sum(xs) / len(xs) for t, xs in tally.occupancy_by_day.items() if xs}
    waiting = tally.waiting_by_day
    return {
        "applications": sum(r.decision is not None for r in records.values()),
        "decisions": len(decided),
        "rejections": sum(r.decision == "rejection" for r in records.values()),
        "admissions": sum(r.admitted_on is not None for r in decided),
        "wait_to_offer_median": quantile(to_offer, 0.5),
        "wait_to_offer_p90": quantile(to_offer, 0.9),
        "wait_to_admission_median": quantile(to_admit, 0.5),
        "wait_to_admission_p90": quantile(to_admit, 0.9),
        "wait_to_admission_mean": sum(to_admit) / len(to_admit) if to_admit else None,
        "breaches": breaches,
        "breaches_per_100_decisions": 100.0 * breaches / len(decided) if decided else None,
        "died_waiting": sum(r.died_waiting for r in decided),
        "purchases": len(bought),
        "purchase_cost_nok": round(cost),
        "spouses_apart": apart,
        "spouse_days_apart": days_apart,
        "type_mismatches": sum(r.mismatch for r in decided),
        "occupancy": occupancy,
        "waiting_mean": sum(waiting) / len(waiting) if waiting else None,
        "waiting_end": waiting[-1] if waiting else None,
        "waiting_by_week": waiting[::7],
        "allocation_runs": tally.runs,
        "refused_offers": tally.refused_offers,
    }
