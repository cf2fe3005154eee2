"""The management figures as they were computed before the derived tables
(:mod:`projections.derived`): every case, place and other provider's offer document decoded
and walked, per request. Kept as the reference the SQL figures are held equal to
(``tests/projections/test_figures.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from domain.case import GuaranteeStatus
from projections.activity import ONE_DAY, PLACE_TYPES, QuarterRow, quarter_bounds, quarter_row
from projections.deadlines import (
    DUE_SOON_DAYS,
    BreachRow,
    DeadlineMonitor,
    DueRow,
    GrantRow,
)
from projections.fold import CASE, ON_LIST, PLACE, PROVIDER_OFFER
from projections.service_codes import SERVICE_CODES, SHORT_TERM, code_of
from projections.statistics import MonthRow, _Month, month_starts
from projections.store import Doc, Store
from projections.waiting_list import guarantee_state

# --- the activity report (R22) -------------------------------------------------------------


def days_in(start: date, end: date | None, lo: date, hi: date) -> int:
    """Days of the period [start, end) (``end`` None: open) that fall in [lo, hi)."""
    first = max(start, lo)
    last = hi if end is None else min(end, hi)
    return max((last - first).days, 0)


@dataclass(frozen=True)
class Stay:
    place_type: str
    purchased: bool
    admitted_on: date
    ended_on: date | None
    target_id: str  # the own place, or the other provider's offer


def stays(store: Store, municipality: str) -> Iterator[Stay]:
    """Every long-term stay of the municipality's cases, own and purchased."""
    for doc in store.all(CASE, municipality):
        for s in doc.get("stays") or []:
            yield Stay(s["place_type"], s["purchased"], date.fromisoformat(s["admitted_on"]),
                       date.fromisoformat(s["ended_on"]) if s["ended_on"] else None,
                       s["target_id"])


def _kinds(store: Store, municipality: str) -> dict[str, str | None]:
    """The kind of facility (R1) of each own place and other provider's offer, by id."""
    kinds = {d["place_id"]: d.get("facility_kind") for d in store.all(PLACE, municipality)}
    kinds.update({d["provider_offer_id"]: d.get("facility_kind")
                  for d in store.all(PROVIDER_OFFER, municipality)})
    return kinds


def _bridging(store: Store, municipality: str) -> Iterator[tuple[date, date | None]]:
    """Every short-term stay bridging the wait (R2, R15) of the municipality's cases."""
    for doc in store.all(CASE, municipality):
        for b in doc.get("bridging") or []:
            yield date.fromisoformat(b["from"]), _d(b["to"])


def activity_report(store: Store, municipality: str, year: int, today: date
                    ) -> list[QuarterRow]:
    """R22: the days of each stay, by the service code of its kind of facility, place type
    and own or bought place; short-term stays apart."""
    all_stays = list(stays(store, municipality))
    kinds = _kinds(store, municipality)
    short = list(_bridging(store, municipality))
    rows: list[QuarterRow] = []
    for quarter in (1, 2, 3, 4):
        first, after = quarter_bounds(year, quarter)
        hi = min(after, today + ONE_DAY)
        days = dict.fromkeys((c.code for c in SERVICE_CODES), 0)
        for s in all_stays:
            days[code_of(kinds.get(s.target_id), s.place_type, s.purchased)] += days_in(
                s.admitted_on, s.ended_on, first, hi)
        for start, end in short:
            days[SHORT_TERM.code] += days_in(start, end, first, hi)
        rows.append(quarter_row(year, quarter, first, after - ONE_DAY, days))
        # the columns from before the codes, as they were computed then
        before = dict.fromkeys((*PLACE_TYPES, "purchased"), 0)
        for s in all_stays:
            before["purchased" if s.purchased else s.place_type] += days_in(
                s.admitted_on, s.ended_on, first, hi)
        row = rows[-1]
        assert (row.ordinary_days, row.screened_days, row.reinforced_days,
                row.purchased_days, row.total_days) == (
            before["ordinary"], before["screened"], before["reinforced"],
            before["purchased"], sum(before.values()))
    return rows


# --- the statistics (R13) -------------------------------------------------------------------


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _in(day: date | None, month: date, after: date) -> bool:
    return day is not None and month <= day < after


def _case_figures(doc: Doc, month: date, after: date, m: _Month, hi: date) -> None:
    last_day = after - ONE_DAY
    for p in doc.get("list_periods") or []:
        start, end = date.fromisoformat(p["from"]), _d(p["to"])
        if start <= last_day and (end is None or end > last_day):
            m.add(p["place_type"], "waiting")
    for dec in doc.get("decisions") or []:
        if dec["kind"] != "rejection" and _in(_d(dec["decided_on"]), month, after):
            m.add(dec["place_type"], "decisions")
    for o in doc["offers"].values():
        made = date.fromisoformat(o["made_on"])
        if not _in(made, month, after):
            continue
        m.add(o["place_type"], "offers")
        since = _d(o.get("waiting_since"))
        if o.get("first") and since is not None and o.get("list_place_type") in m.waits:
            m.waits[o["list_place_type"]].append((made - since).days)
    for s in doc.get("stays") or []:
        if _in(_d(s["admitted_on"]), month, after) and not s.get("moved"):
            m.add(s["place_type"], "admissions")  # a move (R28) is no new admission
    for breach in doc.get("breaches") or ([doc["breach"]] if doc.get("breach") else []):
        if _in(_d(breach["breached_on"]), month, after):
            m.add(breach["place_type"], "breaches")
    place_type = (doc.get("decision") or {}).get("place_type")
    for b in doc.get("bridging") or []:
        m.add(place_type, "bridging", days_in(date.fromisoformat(b["from"]), _d(b["to"]),
                                              month, hi))


def _open_days(place: Doc, lo: date, hi: date) -> int:
    """Days in [lo, hi) the place is in service and not closed."""
    start = date.fromisoformat(place.get("in_service_from") or place["available_from"])
    days = days_in(start, None, lo, hi)
    for closed_on, reopened_on in place.get("closures") or []:
        days -= days_in(max(date.fromisoformat(closed_on), start), _d(reopened_on), lo, hi)
    return days


def statistics(store: Store, municipality: str, first_month: date, last_month: date,
               today: date) -> list[MonthRow]:
    months = month_starts(first_month, last_month)
    cases = store.all(CASE, municipality)
    places = store.all(PLACE, municipality)
    provider_offers = {d["provider_offer_id"]: d
                       for d in store.all(PROVIDER_OFFER, municipality)}
    all_stays = list(stays(store, municipality))
    purchased = [s for s in all_stays if s.purchased]
    # occupancy: the stays in own places, by the place's type (the case's admission and the
    # place's occupation are saved together, with the same dates)
    place_types = {p["place_id"]: p["place_type"] for p in places}
    own = [(place_types[s.target_id], s) for s in all_stays
           if not s.purchased and s.target_id in place_types]
    rows: list[MonthRow] = []
    for month in months:
        after = month + relativedelta(months=1)
        hi = min(after, today + ONE_DAY)  # days after today have not happened
        m = _Month()
        for doc in cases:
            _case_figures(doc, month, after, m, hi)
        for po in provider_offers.values():
            if _in(_d(po.get("purchased_on")), month, after):
                m.add(po["place_type"], "purchases")
        for s in purchased:
            days = days_in(s.admitted_on, s.ended_on, month, hi)
            po = provider_offers.get(s.target_id)
            if not days or po is None or s.place_type not in m.cost:
                continue
            price = Decimal(po.get("purchase_price_per_day") or po["price_per_day"])
            m.add(s.place_type, "purchased_days", days)
            m.cost[s.place_type] += price * days
        for place in places:
            capacity = place["capacity"]
            m.add(place["place_type"], "available", capacity * _open_days(place, month, hi))
        for place_type, s in own:
            m.add(place_type, "occupied", days_in(s.admitted_on, s.ended_on, month, hi))
        rows.extend(m.rows(month))
    return rows



# --- the deadline monitor (R18, R19): every breach, oldest first ---------------------------


def _offers(doc: Doc) -> list[Doc]:
    return sorted(doc["offers"].values(), key=lambda o: (o["made_on"], o["offer_id"]))


def _first_offer_after(doc: Doc, deadline: date) -> date | None:
    for o in _offers(doc):
        made = date.fromisoformat(o["made_on"])
        if made > deadline:
            return made
    return None


def _days_over(doc: Doc, deadline: date, today: date) -> int:
    """Days from the deadline to the first offer after it; failing that to the day the case
    closed; failing that to ``today``."""
    end = _first_offer_after(doc, deadline) or _d(doc.get("closed_on")) or today
    return (end - deadline).days


def _breaches(doc: Doc) -> list[Doc]:
    """Every recorded breach of the case, oldest first (a row of an earlier release holds
    only the latest, or only its date)."""
    if doc.get("breaches"):
        return list(doc["breaches"])
    if doc.get("breach"):
        return [doc["breach"]]
    if not doc.get("breached_on"):
        return []
    decision = doc["decision"] or {}
    return [{"deadline": decision.get("deadline"), "breached_on": doc["breached_on"],
             "decided_on": decision.get("decided_on"), "place_type": decision.get("place_type"),
             "interim_services": doc["interim_services"], "choice": doc["breach_choice"],
             "choice_on": None, "choice_by": None}]


def _breach_row(doc: Doc, b: Doc, today: date) -> BreachRow:
    deadline = date.fromisoformat(b["deadline"])
    return BreachRow(
        case_id=doc["case_id"], name=doc["name"], place_type=b["place_type"],
        decided_on=_d(b["decided_on"]), deadline=deadline,
        breached_on=date.fromisoformat(b["breached_on"]), choice=b["choice"],
        choice_on=_d(b["choice_on"]), status=doc["status"],
        still_waiting=doc["status"] in ON_LIST,
        first_offer_after_deadline_on=_first_offer_after(doc, deadline),
        days_over=_days_over(doc, deadline, today),
    )


def _due_row(doc: Doc, deadline: date, today: date) -> DueRow:
    decision = doc["decision"]
    return DueRow(doc["case_id"], doc["name"], decision["place_type"],
                  date.fromisoformat(doc["waiting_since"] or decision["decided_on"]), deadline,
                  (deadline - today).days, doc["status"] == "granted")


# --- the monitor ---------------------------------------------------------------------------


def deadline_monitor(store: Store, municipality: str, today: date) -> DeadlineMonitor:
    breaches: list[BreachRow] = []
    overdue: list[DueRow] = []
    due: dict[int, list[DueRow]] = {n: [] for n in DUE_SOON_DAYS}
    grants: list[GrantRow] = []
    for doc in store.all(CASE, municipality):
        for b in _breaches(doc):
            breaches.append(_breach_row(doc, b, today))
        decision = doc["decision"]
        if doc["status"] == "granted" and decision is not None:
            granted_on = date.fromisoformat(decision["decided_on"])
            days = (today - granted_on).days
            alert = doc.get("grant_alert_days") or 3
            if days > alert:
                grants.append(GrantRow(doc["case_id"], doc["name"], decision["place_type"],
                                       granted_on, days, alert))
            continue
        if doc["status"] != "waiting" or decision is None:
            continue
        state = guarantee_state(doc, today)
        if state.status is not GuaranteeStatus.RUNNING or state.deadline is None:
            continue
        if state.breach_due:
            overdue.append(_due_row(doc, state.deadline, today))
            continue
        for n in DUE_SOON_DAYS:
            if state.deadline <= today + timedelta(days=n):
                due[n].append(_due_row(doc, state.deadline, today))
    breaches.sort(key=lambda r: (r.breached_on, r.case_id))
    overdue.sort(key=lambda r: (r.deadline, r.case_id))
    grants.sort(key=lambda r: (r.granted_on, r.case_id))
    for rows in due.values():
        rows.sort(key=lambda r: (r.deadline, r.case_id))
    counts = {
        "breaches": len(breaches),
        "breaches_still_waiting": sum(r.still_waiting for r in breaches),
        "choice_purchase": sum(r.choice == "purchase" for r in breaches),
        "choice_wait": sum(r.choice == "wait" for r in breaches),
        "choice_pending": sum(r.choice is None and r.still_waiting for r in breaches),
        "overdue": len(overdue),
        "due_14": len(due[14]),
        "due_30": len(due[30]),
        "grants_overdue": len(grants),
    }
    return DeadlineMonitor(today, breaches, overdue, due[14], due[30], counts, grants)


