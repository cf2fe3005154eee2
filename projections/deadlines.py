"""The deadline monitor (fristovervåking) for the waiting-list guarantee (ventelistegaranti,
R18, § 3-4 first paragraph) and what follows a breach (fristbrudd, R19, second paragraph).

- **Breaches**: every recorded breach, with the person's R19 choice (a purchased place at
  another provider, or waiting on for a municipal place). A breach stays on the monitor
  after the person is placed: the breach stays visible in reporting either way (R19). The
  history grows with every year, so it is read a page at a time, newest first (``limit``
  and ``offset``, with the ``total``); the counts cover every breach.
- **Overdue**: persons on the list whose deadline has passed with no offer that met it, but
  whose breach is not yet recorded (``check_deadlines`` has not run since).
- **Due within 14 and 30 days**: persons on the list whose deadline falls between ``today``
  and ``today`` + 14 (or + 30) days, both days included, and whom no offer has reached
  yet. The 30-day list includes the 14-day one.
- **Breach report** (per person): what a supervisory authority (Statsforvalteren,
  Helsetilsynet) asks for about a breach: decision date, deadline, breach date, the offers
  made and their fate (with the reason where one was given), the interim services (R14) the
  person had, and the person's R19 choice.

- **Grants not carried out** (R4, R15): every grant to be carried out at once that has not
  been within the policy's days, with the days since the grant.

The monitor reads plain rows kept as the cases change (:mod:`projections.derived`): a row
per recorded breach (``lto_rm_breach``) and a row per case with a deadline running or a
grant not yet carried out (``lto_rm_deadline``); what depends on the day it is read (days
left, overdue, days over the deadline) is computed then. The breach report reads the one
case's document.

Whether a guarantee is running, met, breached or lost is the domain's
:meth:`~domain.case.Guarantee.state` (the same function the waiting list and the allocation
use), so the counts here agree with the waiting list's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from projections.derived import BREACH_TABLE, DEADLINE_TABLE
from projections.figures import figure_tables
from projections.fold import CASE
from projections.store import Doc, SqlStore, Store

DUE_SOON_DAYS = (14, 30)


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@dataclass(frozen=True)
class DueRow:
    """A person on the list with a deadline ahead (or passed and not yet recorded)."""

    case_id: str
    name: str
    place_type: str | None
    waiting_since: date  # ventelistedato (R23)
    deadline: date
    days_left: int  # negative when overdue
    urgent: bool


@dataclass(frozen=True)
class GrantRow:
    """R4, R15: a grant to be carried out at once, not carried out within the policy's days."""

    case_id: str
    name: str
    place_type: str | None
    granted_on: date
    days_since: int
    alert_days: int  # the grant's own policy days (R4)


@dataclass(frozen=True)
class BreachRow:
    case_id: str
    name: str
    place_type: str | None
    decided_on: date | None
    deadline: date
    breached_on: date
    choice: str | None  # R19: "purchase", "wait", or None while the person has not chosen
    choice_on: date | None
    status: str  # the case now: "waiting", "granted", "resident", "closed"
    still_waiting: bool
    first_offer_after_deadline_on: date | None
    days_over: int  # deadline to the first offer after it, or to today if none yet


@dataclass(frozen=True)
class DeadlineMonitor:
    today: date
    breaches: list[BreachRow]
    overdue: list[DueRow]
    due_14: list[DueRow]
    due_30: list[DueRow]  # includes due_14
    counts: dict[str, int]
    grants_overdue: list[GrantRow] = field(default_factory=list)
    #: The page of the breach history in ``breaches``: every breach recorded (``total``,
    #: also ``counts["breaches"]``), newest first, ``limit`` of them (None: all) from
    #: ``offset``.
    total: int = 0
    offset: int = 0
    limit: int | None = None


@dataclass(frozen=True)
class OfferFate:
    offer_id: str
    kind: str  # "own" or "purchase"
    facility_name: str
    place_type: str
    made_on: date
    status: str  # "made", "accepted", "declined", "withdrawn"
    answered_on: date | None  # the day it was accepted, declined or withdrawn
    reason: str | None  # the reason given for a decline or withdrawal
    guarantee: str | None  # a decline's effect on the guarantee (R18, R20)
    before_deadline: bool


@dataclass(frozen=True)
class BreachReport:
    """One person's breach, as a supervisory authority asks for it."""

    case_id: str
    name: str
    municipality: str
    place_type: str | None
    decision_kind: str | None
    decided_on: date | None
    deadline: date
    breached_on: date
    days_over: int
    offers: list[OfferFate]
    reason_no_offer: str | None  # from the offers' fate where known; None if not recorded
    interim_services_at_breach: tuple[tuple[str, str], ...]  # R14
    interim_services_now: tuple[tuple[str, str], ...]
    choice: str | None  # R19
    choice_on: date | None
    choice_by: str | None
    status: str
    admitted_on: date | None
    admitted_purchased: bool | None
    closed_on: date | None
    closure_reason: str | None


# --- helpers ------------------------------------------------------------------------------


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


def _breach(doc: Doc) -> Doc | None:
    """The latest recorded breach."""
    found = _breaches(doc)
    return found[-1] if found else None


def deadline_monitor(store: Store, municipality: str, today: date, limit: int | None = None,
                     offset: int = 0) -> DeadlineMonitor:
    """The monitor on ``today``, read from the derived tables (:mod:`projections.derived`):
    the grants not carried out, the running deadlines passed or within 30 days, the counts,
    and one page of the breaches ever recorded, newest first (``limit`` of them from
    ``offset``; every one when ``limit`` is None). The lists of grants and deadlines hold
    their first ``limit`` rows (the longest overdue, the soonest deadlines); ``counts``
    says how many each has in all."""
    with figure_tables(store, municipality) as t:
        return _monitor(t, municipality, today, limit, offset)


_BREACH_COLUMNS = ("key, name, place_type, decided_on, deadline, breached_on, choice, "
                   "choice_on, status, still_waiting, first_offer_after_deadline_on, closed_on")


def _monitor(t: SqlStore, municipality: str, today: date, limit: int | None, offset: int
             ) -> DeadlineMonitor:
    t.execute(
        "SELECT COUNT(*) AS n, "
        "SUM(CASE WHEN still_waiting = 1 THEN 1 ELSE 0 END) AS waiting, "
        "SUM(CASE WHEN choice = 'purchase' THEN 1 ELSE 0 END) AS purchase, "
        "SUM(CASE WHEN choice = 'wait' THEN 1 ELSE 0 END) AS wait, "
        "SUM(CASE WHEN choice IS NULL AND still_waiting = 1 THEN 1 ELSE 0 END) AS pending "
        f"FROM {t.name(BREACH_TABLE)} WHERE municipality = %s", (municipality,))
    found = t.cursor.fetchone()
    total = int(found["n"])
    t.execute(f"SELECT {_BREACH_COLUMNS} FROM {t.name(BREACH_TABLE)} WHERE municipality = %s "
              "ORDER BY breached_on DESC, key DESC, seq DESC LIMIT %s OFFSET %s",
              (municipality, 2**62 if limit is None else limit, offset))
    name = t.sealer.open_text  # the person's name, sealed at rest (projections.sealing)
    breaches = [_breach_row(r, today, name(r["name"])) for r in t.cursor.fetchall()]

    last = (today + timedelta(days=max(DUE_SOON_DAYS))).isoformat()
    t.execute(f"SELECT key, name, place_type, since, deadline FROM {t.name(DEADLINE_TABLE)} "
              "WHERE municipality = %s AND kind = 'guarantee' AND deadline <= %s "
              "ORDER BY deadline, key", (municipality, last))
    # Every row counts; each list keeps its first ``limit`` (the soonest deadlines), so
    # that a page and its access-log entry stay bounded however long the lists are.
    keep = 2**62 if limit is None else limit
    overdue: list[DueRow] = []
    due: dict[int, list[DueRow]] = {n: [] for n in DUE_SOON_DAYS}
    sizes = {"overdue": 0, **{n: 0 for n in DUE_SOON_DAYS}}
    for r in t.cursor.fetchall():
        deadline = date.fromisoformat(r["deadline"])
        lists = (["overdue"] if deadline < today  # due: the next deadline check records it
                 else [n for n in DUE_SOON_DAYS if deadline <= today + timedelta(days=n)])
        row = None
        for which in lists:
            sizes[which] += 1
            if sizes[which] <= keep:
                row = row or DueRow(r["key"], name(r["name"]), r["place_type"],
                                    date.fromisoformat(r["since"]), deadline,
                                    (deadline - today).days, False)
                (overdue if which == "overdue" else due[which]).append(row)

    t.execute(f"SELECT key, name, place_type, since, alert_days FROM "
              f"{t.name(DEADLINE_TABLE)} WHERE municipality = %s AND kind = 'grant' "
              "ORDER BY since, key", (municipality,))
    grants = []
    grants_overdue = 0
    for r in t.cursor.fetchall():
        granted_on = date.fromisoformat(r["since"])
        days = (today - granted_on).days
        if days > r["alert_days"]:
            grants_overdue += 1
            if grants_overdue <= keep:
                grants.append(GrantRow(r["key"], name(r["name"]), r["place_type"], granted_on,
                                       days, r["alert_days"]))
    counts = {
        "breaches": total,
        "breaches_still_waiting": int(found["waiting"] or 0),
        "choice_purchase": int(found["purchase"] or 0),
        "choice_wait": int(found["wait"] or 0),
        "choice_pending": int(found["pending"] or 0),
        "overdue": sizes["overdue"],
        "due_14": sizes[14],
        "due_30": sizes[30],
        "grants_overdue": grants_overdue,
    }
    return DeadlineMonitor(today, breaches, overdue, due[14], due[30], counts, grants,
                           total=total, offset=offset, limit=limit)


def _breach_row(r: Any, today: date, name: str) -> BreachRow:
    deadline = date.fromisoformat(r["deadline"])
    first_offer = _d(r["first_offer_after_deadline_on"])
    end = first_offer or _d(r["closed_on"]) or today
    return BreachRow(
        case_id=r["key"], name=name, place_type=r["place_type"],
        decided_on=_d(r["decided_on"]), deadline=deadline,
        breached_on=date.fromisoformat(r["breached_on"]), choice=r["choice"],
        choice_on=_d(r["choice_on"]), status=r["status"],
        still_waiting=bool(r["still_waiting"]), first_offer_after_deadline_on=first_offer,
        days_over=(end - deadline).days,
    )


# --- the breach report -----------------------------------------------------------------------


def _reason_no_offer(offers: list[OfferFate]) -> str | None:
    """Why no offer met the deadline, where the events tell: an offer before the deadline
    that was withdrawn, or declined with the guarantee continuing. None otherwise (the
    events record no reason for the absence of an offer)."""
    reasons = []
    for o in offers:
        if not o.before_deadline:
            continue
        if o.status == "withdrawn":
            reasons.append(f"the offer of {o.facility_name} made on {o.made_on} was withdrawn"
                           + (f" ({o.reason})" if o.reason else ""))
        elif o.status == "declined" and o.guarantee == "continues":
            reasons.append(f"the offer of {o.facility_name} made on {o.made_on} was declined"
                           + (f" ({o.reason})" if o.reason else "")
                           + "; the guarantee continued")
    return "; ".join(reasons) or None


def _report(doc: Doc, b: Doc, today: date) -> BreachReport:
    deadline = date.fromisoformat(b["deadline"])
    offers = [
        OfferFate(o["offer_id"], o["kind"], o["facility_name"], o["place_type"],
                  date.fromisoformat(o["made_on"]), o["status"], _d(o.get("answered_on")),
                  o.get("reason"), o.get("guarantee"),
                  date.fromisoformat(o["made_on"]) <= deadline)
        for o in _offers(doc)
    ]
    stays = doc.get("stays") or []
    decision = doc["decision"] or {}
    return BreachReport(
        case_id=doc["case_id"], name=doc["name"], municipality=doc["municipality"],
        place_type=b["place_type"], decision_kind=decision.get("kind"),
        decided_on=_d(b["decided_on"]), deadline=deadline,
        breached_on=date.fromisoformat(b["breached_on"]),
        days_over=_days_over(doc, deadline, today), offers=offers,
        reason_no_offer=_reason_no_offer(offers),
        interim_services_at_breach=tuple((s, x) for s, x in b["interim_services"]),
        interim_services_now=tuple((s, x) for s, x in doc["interim_services"]),
        choice=b["choice"], choice_on=_d(b["choice_on"]), choice_by=b["choice_by"],
        status=doc["status"],
        admitted_on=_d(stays[0]["admitted_on"]) if stays else None,
        admitted_purchased=stays[0]["purchased"] if stays else None,
        closed_on=_d(doc.get("closed_on")), closure_reason=doc.get("closure_reason"),
    )


def breach_report(store: Store, municipality: str, case_id: str, today: date
                  ) -> BreachReport | None:
    """The report of the person's latest breach; None if the case is not this
    municipality's or has no recorded breach."""
    doc = store.get(CASE, case_id)
    if doc is None or doc["municipality"] != municipality:
        return None
    b = _breach(doc)
    return _report(doc, b, today) if b is not None else None


def breach_reports(store: Store, municipality: str, today: date) -> list[BreachReport]:
    """Every breach in the municipality, in the order they happened."""
    reports = [_report(doc, b, today) for doc in store.all(CASE, municipality)
               for b in _breaches(doc)]
    reports.sort(key=lambda r: (r.breached_on, r.case_id))
    return reports
