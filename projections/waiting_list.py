"""The waiting list (venteliste, R12, § 3-1): everyone with a waiting-list decision (R5) or a
grant not yet carried out (R4) who is not yet placed, in rank order.

Rank (R15, R16): urgent persons first (R15, § 3-3 first paragraph: can no longer be cared for
safely at home), then the need score of the professional assessment, highest first (R16,
R17), then the longest wait. A person not yet assessed ranks after the assessed ones of the
same urgency. Days waited and days left to the deadline (ventelistegaranti, R18) are counted
to the day the list is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from projections.fold import CASE, ON_LIST
from projections.store import Doc, Store


@dataclass(frozen=True)
class OutstandingOffer:
    offer_id: str
    kind: str  # "own" or "purchase"
    facility_id: str
    facility_name: str
    place_type: str
    made_on: date
    status: str  # "made" or "accepted"


@dataclass(frozen=True)
class WaitingListEntry:
    rank: int
    case_id: str
    name: str
    decision_kind: str  # "waiting_list" (R5) or "grant" (R4)
    place_type: str | None
    need_score: int | None
    factors: dict[str, int]
    assessor: str | None
    urgent: bool
    urgency_reason: str | None
    waiting_since: date
    days_waited: int
    deadline: date | None
    days_left: int | None
    breached: bool  # R18: a deadline breach (fristbrudd) has been recorded
    breached_on: date | None
    breach_choice: str | None  # R19
    interim_services: tuple[tuple[str, str], ...]  # R14
    spouse_case_id: str | None  # R10
    outstanding_offer: OutstandingOffer | None


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _outstanding(doc: Doc) -> OutstandingOffer | None:
    for o in doc["offers"].values():
        if o["status"] in ("made", "accepted"):
            return OutstandingOffer(o["offer_id"], o["kind"], o["facility_id"],
                                    o["facility_name"], o["place_type"],
                                    date.fromisoformat(o["made_on"]), o["status"])
    return None


def rank_key(doc: Doc) -> tuple[bool, int, str, str]:
    """R15 urgent first; R16 greatest need first; then longest wait; case id breaks ties."""
    score = doc["need_score"] if doc["need_score"] is not None else -1
    return (not doc["urgent"], -score, doc["waiting_since"], doc["case_id"])


def waiting_list(store: Store, municipality: str, today: date) -> list[WaitingListEntry]:
    on_list = [d for d in store.all(CASE, municipality) if d["status"] in ON_LIST]
    entries: list[WaitingListEntry] = []
    for rank, doc in enumerate(sorted(on_list, key=rank_key), start=1):
        since = date.fromisoformat(doc["waiting_since"])
        decision = doc["decision"]
        deadline = _d(decision["deadline"])
        entries.append(WaitingListEntry(
            rank=rank,
            case_id=doc["case_id"],
            name=doc["name"],
            decision_kind=decision["kind"],
            place_type=decision["place_type"],
            need_score=doc["need_score"],
            factors=dict(doc["factors"]),
            assessor=doc["assessor"],
            urgent=doc["urgent"],
            urgency_reason=doc["urgency_reason"],
            waiting_since=since,
            days_waited=(today - since).days,
            deadline=deadline,
            days_left=(deadline - today).days if deadline else None,
            breached=doc["breached_on"] is not None,
            breached_on=_d(doc["breached_on"]),
            breach_choice=doc["breach_choice"],
            interim_services=tuple((s, x) for s, x in doc["interim_services"]),
            spouse_case_id=doc["spouse_case_id"],
            outstanding_offer=_outstanding(doc),
        ))
    return entries
