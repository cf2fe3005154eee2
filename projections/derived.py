"""Plain tables derived from the read-model documents, for the management figures (R13,
R22) and the deadline monitor (R4, R18, R19): columns that SQL filters, sums and pages,
instead of every document decoded for every request.

Each row belongs to one aggregate (``key``: the case, place or other provider's offer it
comes from) and holds only that aggregate's contribution, with the municipality, the place
type and the days as columns. The rows of an aggregate are a pure function of its current
document (:data:`DERIVED_FROM`): whenever the store writes a new version of the document it
replaces them (:class:`projections.store.SqlStore`), and a rebuild writes them once, from
the last version. So no row is shared by several aggregates, and a rebuild partitioned by
aggregate id (:mod:`projections.view`) writes exactly the rows the live feed does. A
figure is then a ``SUM`` or ``COUNT`` with ``GROUP BY`` over these rows
(:mod:`projections.figures`).

**lto_rm_fact** — what a case, a place or an other provider's offer contributes to the
statistics and the activity report. Days are whole days since 1970-01-01 (``epoch_day``;
``date.fromordinal(day + EPOCH_ORDINAL)`` reads one back). A fact is either a *point* (a
day: ``end_day = first_day + 1``) or an *interval* ``[first_day, end_day)``, ``end_day =
OPEN_DAY`` while it runs. ``amount`` is what the fact counts per day (intervals) or its
value (points).

============== ====================================================== ===================
kind           what                                                   place type of
============== ====================================================== ===================
decision       a grant or waiting-list decision (point: decided_on)   the decision
offer          an offer made (point: made_on)                         the offered place
first_offer    the first offer since coming on the list (point:       the decision
               made_on; amount: days waited)
admission      a stay begun (point: admitted_on)                      the place used
breach         a deadline breach recorded (point: breached_on)        the decision
waiting        time on the waiting list (interval)                    the decision
bridging       a short-term stay bridging the wait (interval, R2)     the current decision
own_stay       a stay in an own place (interval; ref: the place)      the place used
                                                                      (the offer's: the
                                                                      place's own)
purchased_stay a stay in a purchased place (interval; ref: the offer) the place used
in_service     a place in service (interval from its first day;       the place
               amount: its beds)
closed         a place closed (interval; amount: minus its beds)      the place
provider_offer an other provider's offer (point: purchased_on, none   the offered place
               before it is bought; price: per day, as text)
============== ====================================================== ===================

``facility_kind`` (``nursing_home`` or ``housing_24h``, R1) is on a place's first row
(``in_service``, ``seq`` 0) and on an other provider's offer's row: a stay's row reaches its
place's or offer's kind by ``ref`` (the activity report's service codes, R22). A stay's own
row does not carry it, as the case does not know it for offers made before they recorded
the kind (``OfferMade`` version 1).

**lto_rm_breach** — every recorded deadline breach (R18, R19) with the case as it stands:
its status, the person's choice, the first offer after the deadline, the closing day.
**lto_rm_deadline** — each case with a guarantee deadline running (``kind`` "guarantee":
``since`` the waiting-list date, R23, and the ``deadline``) or a grant not yet carried out
(``kind`` "grant", R4: ``since`` the day of the grant, ``alert_days`` the policy's days
for carrying it out). Dates in these two are ISO text
(compared, never summed); they hold the person's name for the allocation unit's monitor
(managers never get it: the API and the pages leave it out).

**lto_rm_waiting** — each case on the waiting list (R12) with its place in the one order
(:func:`domain.order.waiting_order_key`) as columns: ``o_urgent`` (0 for a grant to be
carried out at once, R15), ``o_unassessed`` (1 without a current assessment, R16),
``o_need`` (minus the need score), ``waiting_since`` (ISO text, R23), then the key. Sorted
by those five, ascending, the rows are the list in rank order, so a page of it is an index
range (``LIMIT``/``OFFSET``) and the list's figures are ``COUNT``s; ``breached`` says a
deadline breach has been recorded (R18). No name: the page reads the documents of the rows
it shows.

**lto_rm_board** — every own place (one row each) for the vacancy board and the list of
facilities: the facility's id and name as columns, ``candidate`` 1 when the place may be on
the board on some day (closed; a bed free, reserved or being vacated; or a room for two with
someone in it, which the board shows as a couple's when an accompanying spouse holds a bed,
R11), and ``facts``, the few fields the board shows as compact JSON (no name: the case ids
of the beds' holders only). The board reads the candidates (a few per cent of the places)
and decides each one's status for the day it is read on.
**lto_rm_provider_board** — each other provider's offer still to be had (neither withdrawn
nor bought), with its last valid day (ISO text, NULL: open-ended) and its facts likewise.
**lto_rm_accompanying** — each case whose accompanying stay (R11) is in force: which beds
the board shows as a couple's.
**lto_rm_resident** — each resident (R28: the movers of an allocation run are among them)
with ``facts``, the few fields of the case document the run decides a mover by
(:func:`resident_facts`: the last stay, the decision's place type and kind, the wishes,
the spouse, the accompanying stay, the move offers), as compact JSON, sealed like a name
(need and dementia are health data). The run reads these rows, not every resident's
document (a resident's document is a few kB; at Oslo size 4,000 of them were decoded for
the 40-odd movers).
**lto_rm_work** and **lto_rm_search** — the case worker's worklists and the blind index
of names and case numbers: see :mod:`projections.casework_rows`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any

from domain.case import ON_LIST as DOMAIN_ON_LIST
from domain.case import Guarantee, GuaranteeStatus
from projections.casework_rows import SEARCH_TABLE, WORK_TABLE, casework_rows

Doc = dict[str, Any]

FACT_TABLE = "lto_rm_fact"
BREACH_TABLE = "lto_rm_breach"
DEADLINE_TABLE = "lto_rm_deadline"
WAITING_TABLE = "lto_rm_waiting"
BOARD_TABLE = "lto_rm_board"
PROVIDER_BOARD_TABLE = "lto_rm_provider_board"
ACCOMPANYING_TABLE = "lto_rm_accompanying"
RESIDENT_TABLE = "lto_rm_resident"

#: Each derived table's columns after ``key`` and ``seq`` (the aggregate and the row's
#: place among its rows), with their SQL types.
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    FACT_TABLE: (
        ("municipality", "TEXT NOT NULL"), ("kind", "TEXT NOT NULL"), ("place_type", "TEXT"),
        ("first_day", "BIGINT"), ("end_day", "BIGINT"), ("amount", "BIGINT NOT NULL"),
        ("ref", "TEXT"), ("price", "TEXT"), ("facility_kind", "TEXT"),
    ),
    BREACH_TABLE: (
        ("municipality", "TEXT NOT NULL"), ("name", "TEXT NOT NULL"), ("place_type", "TEXT"),
        ("decided_on", "TEXT"), ("deadline", "TEXT NOT NULL"),
        ("breached_on", "TEXT NOT NULL"), ("choice", "TEXT"), ("choice_on", "TEXT"),
        ("status", "TEXT NOT NULL"), ("still_waiting", "INTEGER NOT NULL"),
        ("first_offer_after_deadline_on", "TEXT"), ("closed_on", "TEXT"),
    ),
    DEADLINE_TABLE: (
        ("municipality", "TEXT NOT NULL"), ("kind", "TEXT NOT NULL"), ("name", "TEXT NOT NULL"),
        ("place_type", "TEXT"), ("since", "TEXT NOT NULL"), ("deadline", "TEXT"),
        ("alert_days", "INTEGER"), ("urgent", "INTEGER NOT NULL"),
    ),
    WAITING_TABLE: (
        ("municipality", "TEXT NOT NULL"), ("o_urgent", "INTEGER NOT NULL"),
        ("o_unassessed", "INTEGER NOT NULL"), ("o_need", "INTEGER NOT NULL"),
        ("waiting_since", "TEXT NOT NULL"), ("breached", "INTEGER NOT NULL"),
    ),
    BOARD_TABLE: (
        ("municipality", "TEXT NOT NULL"), ("candidate", "INTEGER NOT NULL"),
        ("facility_id", "TEXT NOT NULL"), ("facility_name", "TEXT NOT NULL"),
        ("facts", "TEXT NOT NULL"),
    ),
    PROVIDER_BOARD_TABLE: (
        ("municipality", "TEXT NOT NULL"), ("valid_until", "TEXT"), ("facts", "TEXT NOT NULL"),
    ),
    ACCOMPANYING_TABLE: (("municipality", "TEXT NOT NULL"),),
    RESIDENT_TABLE: (("municipality", "TEXT NOT NULL"), ("facts", "TEXT NOT NULL")),
    # the worklists and the blind search index (:mod:`projections.casework_rows`)
    WORK_TABLE: (("municipality", "TEXT NOT NULL"), ("list", "TEXT NOT NULL"),
                 ("day", "TEXT NOT NULL")),
    SEARCH_TABLE: (("municipality", "TEXT NOT NULL"), ("token", "TEXT NOT NULL")),
}
DERIVED_TABLES = tuple(COLUMNS)

#: The indexes the queries read by (besides the unique ``(key, seq)``); the facts' hold
#: every column the sums read, so the database reads the index alone.
INDEXES: dict[str, tuple[tuple[str, ...], ...]] = {
    FACT_TABLE: (("municipality", "kind", "first_day", "place_type", "amount", "end_day"),
                 ("municipality", "kind", "end_day", "place_type", "amount", "first_day")),
    BREACH_TABLE: (("municipality", "breached_on"),),
    DEADLINE_TABLE: (("municipality", "kind", "deadline"),),
    WAITING_TABLE: (("municipality", "o_urgent", "o_unassessed", "o_need", "waiting_since",
                     "key"),),
    BOARD_TABLE: (("municipality", "candidate"),
                  ("municipality", "facility_id", "facility_name")),
    PROVIDER_BOARD_TABLE: (("municipality", "valid_until"),),
    RESIDENT_TABLE: (("municipality",),),
    ACCOMPANYING_TABLE: (("municipality",),),
    WORK_TABLE: (("municipality", "list", "day", "key"),),
    SEARCH_TABLE: (("municipality", "token", "key"),),
}

#: The derived tables' columns sealed when the store is (:mod:`projections.sealing`), by
#: name, besides every column named ``name``.
SEALED = {RESIDENT_TABLE: frozenset({"facts"})}

#: The derived tables' columns written through the store's blind index
#: (:meth:`projections.sealing.Sealer.blind`), by name.
BLIND = {SEARCH_TABLE: frozenset({"token"})}

#: ``end_day`` of an interval still running.
OPEN_DAY = 2**31 - 1
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

Rows = dict[str, list[tuple[Any, ...]]]


def epoch_day(day: date) -> int:
    return day.toordinal() - EPOCH_ORDINAL


@lru_cache(maxsize=1 << 16)
def _epoch_day_of(iso: str) -> int:
    return date.fromisoformat(iso).toordinal() - EPOCH_ORDINAL


def _day(iso: str | None) -> int | None:
    """An ISO date as an epoch day (None stays None); remembered, as a rebuild derives the
    rows of every document and the same days come again and again."""
    return _epoch_day_of(iso) if iso else None


class _Facts:
    """Collects one aggregate's fact rows, numbered in order."""

    def __init__(self, key: str, municipality: str) -> None:
        self.key, self.municipality = key, municipality
        self.rows: list[tuple[Any, ...]] = []

    def point(self, kind: str, place_type: str | None, day: str | None, amount: int = 1,
              price: str | None = None, facility_kind: str | None = None) -> None:
        first = _day(day)
        self._add(kind, place_type, first, None if first is None else first + 1, amount,
                  None, price, facility_kind)

    def interval(self, kind: str, place_type: str | None, start: str | int | None,
                 end: str | None, amount: int = 1, ref: str | None = None,
                 facility_kind: str | None = None) -> None:
        """``[start, end)``; nothing when it holds no day (it would count none)."""
        first = start if isinstance(start, int) else _day(start)
        last = _day(end)
        if first is None or (last is not None and last <= first):
            return
        self._add(kind, place_type, first, OPEN_DAY if last is None else last, amount, ref,
                  None, facility_kind)

    def _add(self, *values: Any) -> None:
        self.rows.append((self.key, len(self.rows), self.municipality, *values))


# --- cases -------------------------------------------------------------------------------


def _breaches(doc: Doc) -> list[Doc]:
    """Every recorded breach of the case, oldest first (a row of an earlier release holds
    only the latest)."""
    return list(doc.get("breaches") or ([doc["breach"]] if doc.get("breach") else []))


def _first_offer_after(doc: Doc, deadline: str) -> str | None:
    """The day of the first offer made after ``deadline`` (ISO dates compare as text)."""
    days = [o["made_on"] for o in doc["offers"].values() if o["made_on"] > deadline]
    return min(days) if days else None


#: Statuses in which a person is on the waiting list (R12), by value.
_ON_LIST = frozenset(s.value for s in DOMAIN_ON_LIST)

#: Any day: a guarantee's status and deadline do not depend on the day they are read on
#: (only its days left and whether a breach is due do, which the queries compute).
_ANY_DAY = date(2000, 1, 1)


def case_rows(doc: Doc) -> Rows:
    key, municipality = doc["case_id"], doc["municipality"]
    facts = _Facts(key, municipality)
    for dec in doc.get("decisions") or []:
        if dec["kind"] != "rejection":
            facts.point("decision", dec["place_type"], dec["decided_on"])
    for o in doc["offers"].values():
        facts.point("offer", o["place_type"], o["made_on"])
        since = o.get("waiting_since")
        if o.get("first") and since is not None and o.get("list_place_type") is not None:
            waited = _epoch_day_of(o["made_on"]) - _epoch_day_of(since)
            facts.point("first_offer", o["list_place_type"], o["made_on"], waited)
    for s in doc.get("stays") or []:
        if not s.get("moved"):  # R28: a move within the stock is not a new admission
            facts.point("admission", s["place_type"], s["admitted_on"])
        facts.interval("purchased_stay" if s["purchased"] else "own_stay", s["place_type"],
                       s["admitted_on"], s["ended_on"], ref=s["target_id"])
    breaches = _breaches(doc)
    for b in breaches:
        facts.point("breach", b["place_type"], b["breached_on"])
    for p in doc.get("list_periods") or []:
        facts.interval("waiting", p["place_type"], p["from"], p["to"])
    decision = doc.get("decision") or {}
    for b in doc.get("bridging") or []:
        facts.interval("bridging", decision.get("place_type"), b["from"], b["to"])

    status, name = doc["status"], doc["name"]
    still_waiting = int(status in _ON_LIST)
    breach_rows = [
        (key, i, municipality, name, b["place_type"], b["decided_on"], b["deadline"],
         b["breached_on"], b["choice"], b["choice_on"], status, still_waiting,
         _first_offer_after(doc, b["deadline"]), doc.get("closed_on"))
        for i, b in enumerate(breaches)]

    deadlines: list[tuple[Any, ...]] = []
    if doc.get("decision") is not None:
        if status == "granted":
            deadlines.append((key, 0, municipality, "grant", name, decision["place_type"],
                              decision["decided_on"], None, doc.get("grant_alert_days") or 3,
                              1))
        elif status == "waiting" and "guarantee" in doc:
            state = Guarantee.from_dict(doc["guarantee"]).state(_ANY_DAY)
            if state.status is GuaranteeStatus.RUNNING and state.deadline is not None:
                deadlines.append((key, 0, municipality, "guarantee", name,
                                  decision["place_type"],
                                  doc["waiting_since"] or decision["decided_on"],
                                  state.deadline.isoformat(), None, 0))
    waiting: list[tuple[Any, ...]] = []
    if still_waiting:
        score = doc["need_score"]
        waiting.append((key, 0, municipality, int(status != "granted"), int(score is None),
                        -(score or 0), doc["waiting_since"] or doc["received_on"],
                        int(bool(breaches))))
    stay = doc.get("accompanying")
    accompanying = ([(key, 0, municipality)]
                    if stay and stay.get("concluded") is None else [])
    resident = resident_facts(doc)
    residents = [] if resident is None else [(key, 0, municipality, _compact(resident))]
    return {FACT_TABLE: facts.rows, BREACH_TABLE: breach_rows, DEADLINE_TABLE: deadlines,
            WAITING_TABLE: waiting, ACCOMPANYING_TABLE: accompanying,
            RESIDENT_TABLE: residents, **casework_rows(doc)}


def resident_facts(doc: Doc) -> Doc | None:
    """A resident's case document cut to what an allocation run reads of a resident (R28:
    :func:`application.allocation_movers.mover_of_row`, of the mover and of a spouse), with
    the document's keys: the last stay, the decision's place type and kind, the accompanying
    stay, the move offers (their status), the wishes, the need score, the dementia
    findings, the spouse and the consent to live apart. None for a case that is not a
    resident's."""
    if doc["status"] != "resident":
        return None
    decision = doc.get("decision")
    stay = doc.get("accompanying")
    return {
        "case_id": doc["case_id"], "status": doc["status"],
        "spouse_case_id": doc.get("spouse_case_id"),
        "living_apart_consent": doc["living_apart_consent"],
        "stays": (doc.get("stays") or [])[-1:],
        "decision": None if decision is None else {
            "place_type": decision.get("place_type"),
            "facility_kind": decision.get("facility_kind")},
        "accompanying": None if not stay else {
            "resident_case_id": stay["resident_case_id"], "concluded": stay["concluded"]},
        "offers": {key: {"status": o["status"], "move_reason": o["move_reason"],
                         "moved_on": o.get("moved_on")}
                   for key, o in doc["offers"].items() if o.get("move_reason")},
        "wishes": doc["wishes"], "need_score": doc["need_score"],
        "dementia_diagnosis": bool(doc["dementia_diagnosis"]),
        "dementia_finding": doc["dementia_finding"],
    }


# --- places and other providers' offers --------------------------------------------------


def place_rows(doc: Doc) -> Rows:
    facts = _Facts(doc["place_id"], doc["municipality"])
    place_type, beds = doc["place_type"], doc["capacity"]
    start = _day(doc.get("in_service_from") or doc["available_from"])
    assert start is not None
    # the first row (seq 0) names the facility's kind: a stay's row reaches it by its ref
    facts.interval("in_service", place_type, start, None, beds,
                   facility_kind=doc.get("facility_kind"))
    for closed_on, reopened_on in doc.get("closures") or []:
        closed = _day(closed_on)
        assert closed is not None
        facts.interval("closed", place_type, max(closed, start), reopened_on, -beds)
    occupants, reserved = len(doc["occupants"]), len(doc["reservations"])
    leaving = doc.get("leaving") or {}
    candidate = (not doc["open"] or beds - occupants - reserved > 0 or reserved > 0
                 or bool(leaving) or (beds > 1 and occupants > 0))
    board = {name: doc[name] for name in BOARD_FIELDS}
    board["occupants"] = sorted(doc["occupants"])
    board["leaving"] = leaving
    return {FACT_TABLE: facts.rows,
            BOARD_TABLE: [(doc["place_id"], 0, doc["municipality"], int(candidate),
                           doc["facility_id"], doc["facility_name"], _compact(board))]}


#: The place's fields the vacancy board shows or decides by (with its occupants' and
#: holders' case ids, and the planned move-outs); an allocation run reads a place's facts
#: from here too (:func:`projections.allocation_rows.place_rows`).
BOARD_FIELDS = ("place_id", "facility_id", "facility_name", "facility_kind", "unit", "room",
                "place_type", "room_kind", "capacity", "available_from", "open",
                "closed_reason", "reservations")
PROVIDER_BOARD_FIELDS = ("provider_offer_id", "provider", "reference", "facility_name",
                         "place_type", "price_per_day", "available_from", "valid_until",
                         "reserved_for")


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def provider_offer_rows(doc: Doc) -> Rows:
    facts = _Facts(doc["provider_offer_id"], doc["municipality"])
    facts.point("provider_offer", doc["place_type"], doc.get("purchased_on"),
                price=doc.get("purchase_price_per_day") or doc["price_per_day"],
                facility_kind=doc.get("facility_kind"))
    board = [] if doc["withdrawn"] or doc["purchased_for"] else [
        (doc["provider_offer_id"], 0, doc["municipality"], doc["valid_until"],
         _compact({name: doc[name] for name in PROVIDER_BOARD_FIELDS}))]
    return {FACT_TABLE: facts.rows, PROVIDER_BOARD_TABLE: board}


#: The document tables whose rows have derived rows, and how to derive them (the names
#: are those of :mod:`projections.fold`: case, place, other provider's offer).
DERIVED_FROM: dict[str, Callable[[Doc], Rows]] = {
    "lto_rm_case": case_rows,
    "lto_rm_place": place_rows,
    "lto_rm_provider_offer": provider_offer_rows,
}
