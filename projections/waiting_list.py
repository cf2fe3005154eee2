"""The waiting list (venteliste, R12, § 3-1): everyone with a waiting-list decision (R5) or a
grant not yet carried out (R4, R15) who is not yet placed, in rank order.

The rank is the one order of the service (:func:`domain.order.waiting_order_key`): persons
with a grant to be carried out at once first (R15; the pages show them apart, with the days
since the grant), then the greatest need by the professional assessment (R16), a person not
assessed after every assessed person of the same urgency (shown as *not assessed*), then the
earliest waiting-list date (R23), then the case id. The guarantee's state (R18) is the
domain's :meth:`~domain.case.Guarantee.state`, counted to the day the list is read. Reviews
that are due (R27) and IPLOS registrations older than the policy's limit are flagged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from domain.access import ListView, page_digest
from domain.base import add_months
from domain.case import Guarantee, GuaranteeState, GuaranteeStatus
from domain.case.intake import IPLOS_MAX_AGE_MONTHS
from domain.order import OrderKey, waiting_order_key
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
    answer_by: date | None = None  # R26
    suitable: bool = True  # R18


@dataclass(frozen=True)
class BridgingStayRow:
    facility_name: str
    unit: str
    from_on: date
    to_on: date | None


@dataclass(frozen=True)
class WaitingListEntry:
    rank: int
    case_id: str
    name: str
    decision_kind: str  # "waiting_list" (R5) or "grant" (R4, R15)
    place_type: str | None
    need_score: int | None  # None: not assessed (R16)
    factors: dict[str, int]
    assessor: str | None
    urgent: bool  # a grant to be carried out at once (R15)
    urgency_reason: str | None
    waiting_since: date  # ventelistedato (R23)
    days_waited: int
    deadline: date | None  # of a guarantee period running or breached
    days_left: int | None
    breached: bool  # R18: a deadline breach (fristbrudd) has been recorded
    breached_on: date | None
    breach_choice: str | None  # R19
    interim_services: tuple[tuple[str, str], ...]  # R14
    spouse_case_id: str | None  # R10
    outstanding_offer: OutstandingOffer | None
    guarantee: GuaranteeState  # R18: the one judge of running, met, breached or lost
    granted_on: date | None = None  # R4: the grant's date, for a grant
    grant_overdue: bool = False  # R4: not carried out within the policy's days
    bridging_stay: BridgingStayRow | None = None  # R2, R15
    review_due_on: date | None = None  # R27
    review_due: bool = False
    iplos_outdated: bool = False  # R8 (2), R27
    grant_alert_days: int = 3  # R4: as the grant recorded it
    iplos_max_age_months: int = 12  # R8 (2), R27: as the decision recorded it

    @property
    def assessed(self) -> bool:
        return self.need_score is not None


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def order_key(doc: Doc) -> OrderKey:
    """R12: the row's place in the one order (:mod:`domain.order`)."""
    return waiting_order_key(urgent=doc["status"] == "granted", need_score=doc["need_score"],
                             waiting_since=date.fromisoformat(doc["waiting_since"]
                                                              or doc["received_on"]),
                             case_id=doc["case_id"])


def guarantee_state(doc: Doc, today: date) -> GuaranteeState:
    """R18: the case's guarantee on ``today``, by the domain's rules."""
    if "guarantee" not in doc:
        return GuaranteeState(GuaranteeStatus.NONE, _d(doc.get("waiting_since")))
    return Guarantee.from_dict(doc["guarantee"]).state(today)


def _outstanding(doc: Doc) -> OutstandingOffer | None:
    for o in doc["offers"].values():
        if o["status"] in ("made", "accepted"):
            return OutstandingOffer(o["offer_id"], o["kind"], o["facility_id"],
                                    o["facility_name"], o["place_type"],
                                    date.fromisoformat(o["made_on"]), o["status"],
                                    _d(o.get("answer_by")), o.get("suitable", True))
    return None


def _bridging(doc: Doc, today: date) -> BridgingStayRow | None:
    for b in reversed(doc.get("bridging") or []):
        start, end = date.fromisoformat(b["from"]), _d(b["to"])
        if start <= today and (end is None or today < end):
            return BridgingStayRow(b["facility_name"], b["unit"], start, end)
    return None


def review_due_on(doc: Doc) -> date | None:
    """R27: a waiting case's next review: the latest of its assessment, IPLOS registration
    and decision, plus the policy's interval."""
    if doc["status"] != "waiting":
        return None
    days = [d for d in (_d(doc.get("assessed_on")), _d(doc.get("iplos_assessed_on")),
                        _d((doc["decision"] or {}).get("decided_on"))) if d is not None]
    return add_months(max(days), doc.get("review_every_months") or 3) if days else None


def iplos_outdated(doc: Doc, today: date) -> bool:
    """R8 (2), R27: the person gets other services and the IPLOS registration is missing or
    older than the limit the decision in force recorded."""
    if not doc.get("receives_other_services", True):
        return False
    when = _d(doc.get("iplos_assessed_on"))
    limit = doc.get("iplos_max_age_months") or IPLOS_MAX_AGE_MONTHS
    return when is None or add_months(when, limit) < today


def entry(doc: Doc, rank: int, today: date) -> WaitingListEntry:
    since = date.fromisoformat(doc["waiting_since"] or doc["received_on"])
    decision = doc["decision"]
    state = guarantee_state(doc, today)
    deadline = state.running_deadline
    granted = doc["status"] == "granted"
    granted_on = _d(decision["decided_on"]) if granted else None
    review = review_due_on(doc)
    latest = (doc.get("breaches") or [None])[-1] or doc.get("breach")
    return WaitingListEntry(
        rank=rank,
        case_id=doc["case_id"],
        name=doc["name"],
        decision_kind=decision["kind"],
        place_type=decision["place_type"],
        need_score=doc["need_score"],
        factors=dict(doc["factors"]),
        assessor=doc["assessor"],
        urgent=granted,
        urgency_reason=doc["urgency_reason"],
        waiting_since=since,
        days_waited=(today - since).days,
        deadline=deadline,
        days_left=(deadline - today).days if deadline else None,
        breached=latest is not None,
        breached_on=_d(latest["breached_on"]) if latest else None,
        breach_choice=doc["breach_choice"],
        interim_services=tuple((s, x) for s, x in doc["interim_services"]),
        spouse_case_id=doc["spouse_case_id"],
        outstanding_offer=_outstanding(doc),
        guarantee=state,
        granted_on=granted_on,
        grant_overdue=granted_on is not None
        and (today - granted_on).days > (doc.get("grant_alert_days") or 3),
        grant_alert_days=doc.get("grant_alert_days") or 3,
        iplos_max_age_months=doc.get("iplos_max_age_months") or IPLOS_MAX_AGE_MONTHS,
        bridging_stay=_bridging(doc, today),
        review_due_on=review,
        review_due=review is not None and review <= today,
        iplos_outdated=iplos_outdated(doc, today),
    )


def on_list_in_order(store: Store, municipality: str) -> list[Doc]:
    """The rows of everyone on the list, in rank order (R12)."""
    on_list = [d for d in store.all(CASE, municipality) if d["status"] in ON_LIST]
    return sorted(on_list, key=order_key)


def waiting_list(store: Store, municipality: str, today: date) -> list[WaitingListEntry]:
    return [entry(doc, rank, today)
            for rank, doc in enumerate(on_list_in_order(store, municipality), start=1)]


#: The name of the waiting list in the access log (:class:`~domain.access.ListView`).
LIST_NAME = "waiting_list"


@dataclass(frozen=True)
class WaitingListPage:
    """One page of the waiting list: its entries (ranks in the whole list), how many the
    whole list holds, and the view as the access log records it. ``everyone`` is the whole
    list when it was asked for (a page's figures count everyone)."""

    entries: list[WaitingListEntry]
    total: int
    offset: int
    limit: int
    view: ListView
    everyone: list[WaitingListEntry] | None = None


def waiting_list_page(store: Store, municipality: str, today: date, offset: int, limit: int,
                      *, moment: datetime, position: int,
                      filters: Mapping[str, str] | None = None,
                      everyone: bool = False) -> WaitingListPage:
    """Rows ``offset + 1`` to ``offset + limit`` of the waiting list (only these are made
    into entries, unless ``everyone``), with the :class:`ListView` of the page as it stood
    at ``moment`` (position ``position``)."""
    docs = on_list_in_order(store, municipality)
    shown = docs[offset:offset + limit]
    whole = [entry(doc, rank, today) for rank, doc in enumerate(docs, start=1)] \
        if everyone else None
    entries = whole[offset:offset + limit] if whole is not None else [
        entry(doc, offset + n, today) for n, doc in enumerate(shown, start=1)]
    view = ListView(list=LIST_NAME, moment=moment, position=position, today=today,
                    offset=offset, limit=limit, total=len(docs),
                    digest=page_digest([d["case_id"] for d in shown]),
                    filters=dict(filters or {}))
    return WaitingListPage(entries, len(docs), offset, limit, view, whole)
