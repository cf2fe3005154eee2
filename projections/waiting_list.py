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

import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from domain.access import ListView, page_digest
from domain.base import add_months
from domain.case import Guarantee, GuaranteeState, GuaranteeStatus
from domain.case.intake import IPLOS_MAX_AGE_MONTHS
from domain.order import OrderKey, order_text, waiting_order_key
from projections.derived import DEADLINE_TABLE, WAITING_TABLE
from projections.fold import CASE, ON_LIST
from projections.store import Doc, SqlStore, Store


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
    case_number: str | None = None  # saksnummer (None: an earlier case not yet numbered)
    #: R21: the decision in force was made after a complaint (changed, or made anew after
    #: a quashed one); the waiting-list date is the one it kept
    after_complaint: bool = False

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
        case_number=doc.get("case_number"),
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
        after_complaint=decision.get("complaint_id") is not None,
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


#: Days before a guarantee's deadline that the list's figures count as "due soon".
DUE_SOON_DAYS = 30


@dataclass(frozen=True)
class WaitingListCounts:
    """The figures at the top of the waiting list, for everyone on it. Counted by the same
    state function as the deadline monitor's (:meth:`~domain.case.Guarantee.state`), so the
    two pages agree."""

    total: int  # everyone on the list, grants included
    waiting: int  # with a waiting-list decision
    grants: int  # R4, R15: to be carried out now
    grants_overdue: int  # … not carried out within the policy's days
    due_30: int  # running, deadline within DUE_SOON_DAYS, not passed
    overdue: int  # running, deadline passed, breach not yet recorded
    breached: int  # persons on the list with a recorded breach
    not_assessed: int  # R16: no current assessment


def counts_of(entries: list[WaitingListEntry], today: date) -> WaitingListCounts:
    """The figures of a whole list of entries (the reference for :func:`counts_in_sql`)."""
    waiting = [e for e in entries if not e.urgent]
    running = [e.guarantee for e in waiting if e.guarantee.status is GuaranteeStatus.RUNNING
               and e.guarantee.deadline is not None]
    soon = today + timedelta(days=DUE_SOON_DAYS)
    return WaitingListCounts(
        total=len(entries), waiting=len(waiting), grants=len(entries) - len(waiting),
        grants_overdue=sum(e.grant_overdue for e in entries if e.urgent),
        due_30=sum(not s.breach_due and s.deadline is not None and s.deadline <= soon
                   for s in running),
        overdue=sum(s.breach_due for s in running),
        breached=sum(e.breached for e in entries),
        not_assessed=sum(not e.assessed for e in entries))


def counts_in_sql(store: SqlStore, municipality: str, today: date) -> WaitingListCounts:
    """:func:`counts_of` the current list, counted by the database from the derived tables
    (:mod:`projections.derived`): the order rows and the running deadlines."""
    store.execute(
        "SELECT COUNT(*) AS n, SUM(o_urgent) AS waiting, SUM(o_unassessed) AS unassessed, "
        f"SUM(breached) AS breached FROM {store.name(WAITING_TABLE)} WHERE municipality = %s",
        (municipality,))
    row = store.cursor.fetchone()
    total, waiting = int(row["n"]), int(row["waiting"] or 0)
    iso, soon = today.isoformat(), (today + timedelta(days=DUE_SOON_DAYS)).isoformat()
    store.execute(
        "SELECT SUM(CASE WHEN deadline < %s THEN 1 ELSE 0 END) AS overdue, "
        "SUM(CASE WHEN deadline >= %s AND deadline <= %s THEN 1 ELSE 0 END) AS soon "
        f"FROM {store.name(DEADLINE_TABLE)} WHERE municipality = %s AND kind = 'guarantee'",
        (iso, iso, soon, municipality))
    due = store.cursor.fetchone()
    store.execute(f"SELECT since, alert_days FROM {store.name(DEADLINE_TABLE)} "
                  "WHERE municipality = %s AND kind = 'grant'", (municipality,))
    grants_overdue = sum((today - date.fromisoformat(r["since"])).days
                         > (r["alert_days"] or 3) for r in store.cursor.fetchall())
    return WaitingListCounts(
        total=total, waiting=waiting, grants=total - waiting, grants_overdue=grants_overdue,
        due_30=int(due["soon"] or 0), overdue=int(due["overdue"] or 0),
        breached=int(row["breached"] or 0), not_assessed=int(row["unassessed"] or 0))


@dataclass(frozen=True)
class WaitingListPage:
    """One page of the waiting list: its entries (ranks in the whole list), how many the
    whole list holds, and the view as the access log records it; with ``counts``, the
    figures of the whole list."""

    entries: list[WaitingListEntry]
    total: int
    offset: int
    limit: int
    view: ListView
    counts: WaitingListCounts | None = None


def waiting_list_page(store: Store, municipality: str, today: date, offset: int, limit: int,
                      *, moment: datetime, position: int,
                      filters: Mapping[str, str] | None = None,
                      counts: bool = False) -> WaitingListPage:
    """Rows ``offset + 1`` to ``offset + limit`` of the waiting list (only these are made
    into entries), with the :class:`ListView` of the page as it stood at ``moment``
    (position ``position``), and with ``counts`` the list's figures. Every document on
    the list is read and sorted: the reference, and the way as of a past moment; the
    current list reads by the order columns (:func:`waiting_list_page_in_sql`)."""
    docs = on_list_in_order(store, municipality)
    shown = docs[offset:offset + limit]
    entries = [entry(doc, offset + n, today) for n, doc in enumerate(shown, start=1)]
    figures = counts_of([entry(doc, rank, today) for rank, doc in enumerate(docs, start=1)],
                        today) if counts else None
    return WaitingListPage(entries, len(docs), offset, limit,
                           _view(shown, len(docs), moment, position, today, offset, limit,
                                 filters), figures)


def waiting_list_page_in_sql(store: SqlStore, municipality: str, today: date, offset: int,
                             limit: int, *, moment: datetime, position: int,
                             filters: Mapping[str, str] | None = None,
                             counts: bool = False) -> WaitingListPage:
    """:func:`waiting_list_page` of the current list, read by the order columns of
    ``lto_rm_waiting``: the page's keys are an index range, and only the page's documents
    are read and decoded (whatever the list's length)."""
    table = store.name(WAITING_TABLE)
    store.execute(f"SELECT COUNT(*) AS n FROM {table} WHERE municipality = %s",
                  (municipality,))
    total = int(store.cursor.fetchone()["n"])
    store.execute(f"SELECT key FROM {table} WHERE municipality = %s ORDER BY o_urgent, "
                  "o_unassessed, o_need, waiting_since, key LIMIT %s OFFSET %s",
                  (municipality, limit, offset))
    keys = [r["key"] for r in store.cursor.fetchall()]
    stored = store.current_stored(CASE, keys)
    table_name = store.name(CASE)
    made = [_made(store, table_name, key, stored[key], today) for key in keys]
    entries = [replace(e, rank=rank) for rank, (e, _) in enumerate(made, start=offset + 1)]
    figures = counts_in_sql(store, municipality, today) if counts else None
    bounds = (order_text(made[0][1]), order_text(made[-1][1])) if made else ("", "")
    return WaitingListPage(entries, total, offset, limit,
                           _page_view([e.case_id for e in entries], bounds, total, moment,
                                      position, today, offset, limit, filters), figures)


#: The entries of the current list's rows, kept per process by (table, case, a digest of
#: the stored version, today): an entry is a function of its row's stored bytes and the day
#: (its rank apart, set on each page), and a page's rows mostly are the same from one read
#: to the next, so most of a page is neither opened, decoded nor made again. A version
#: rewritten in place (the newest, when a batch was cut between two events of one moment)
#: has other bytes, so another key; at most ``_ENTRIES_MAX`` are kept (then all dropped).
_ENTRIES: dict[tuple[str, str, bytes, date], tuple[WaitingListEntry, OrderKey]] = {}
_ENTRIES_MAX = 20_000
_ENTRIES_LOCK = threading.Lock()


def _made(store: SqlStore, table_name: str, key: str, stored: bytes, today: date
          ) -> tuple[WaitingListEntry, OrderKey]:
    memo = (table_name, key, hashlib.blake2b(stored, digest_size=16).digest(), today)
    found = _ENTRIES.get(memo)
    if found is None:
        doc = store.unpack(stored)
        found = (entry(doc, 0, today), order_key(doc))
        with _ENTRIES_LOCK:
            if len(_ENTRIES) >= _ENTRIES_MAX:
                _ENTRIES.clear()
            _ENTRIES[memo] = found
    return found


def _view(shown: list[Doc], total: int, moment: datetime, position: int, today: date,
          offset: int, limit: int, filters: Mapping[str, str] | None) -> ListView:
    bounds = (order_text(order_key(shown[0])), order_text(order_key(shown[-1]))) \
        if shown else ("", "")
    return _page_view([d["case_id"] for d in shown], bounds, total, moment, position, today,
                      offset, limit, filters)


def _page_view(case_ids: list[str], bounds: tuple[str, str], total: int, moment: datetime,
               position: int, today: date, offset: int, limit: int,
               filters: Mapping[str, str] | None) -> ListView:
    return ListView(list=LIST_NAME, moment=moment, position=position, today=today,
                    offset=offset, limit=limit, total=total, digest=page_digest(case_ids),
                    filters=dict(filters or {}), bounds=bounds)
