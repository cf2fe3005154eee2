"""Who may get which place: person classes (R7), the order (R15/R16, from ``domain/order.py``),
the buyers (R4/R15, R5, R18/R19), and the groups of interchangeable places a stage allocates."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Sequence

from domain.order import waiting_order_key

from .model import (
    AssignmentKind,
    FacilityKind,
    PlaceType,
    PurchasableOffer,
    Room,
    Vacancy,
    WaitingPerson,
)

_MASK64 = (1 << 64) - 1


def h64(text: str) -> int:
    """A stable 64-bit hash of a text (the first 8 bytes of its SHA-256)."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def mix(x: int) -> int:
    """splitmix64 finaliser: a fixed, platform-independent 64-bit mixing function."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def person_class(p: WaitingPerson) -> str:
    """'R' decided reinforced, 'S' needs a screened place (R7), 'O' ordinary."""
    if p.decided_place_type is PlaceType.REINFORCED:
        return "R"
    if p.needs_screened or p.decided_place_type is PlaceType.SCREENED:
        return "S"
    return "O"


def waiting_list_key(p: WaitingPerson) -> tuple[object, ...]:
    """The one order of the service (``domain.order.waiting_order_key``): urgent first (R15),
    then assessed before not assessed and greatest need (R16), then the earliest waiting-list
    date (R23), then the case id.  The rank an explanation states is the position in it."""
    return waiting_order_key(urgent=p.urgent, need_score=p.need_score,
                             waiting_since=p.waiting_since, case_id=p.case_id)


def allocation_key(p: WaitingPerson) -> tuple[object, ...]:
    """The order the optimizer maximises lexicographically (and meets wishes in, R16).

    The waiting-list order with one refinement from R7 (§ 2-1 femte ledd), *inside* an urgency
    tier: among persons equally urgent, those who need a screened place go first.  Urgency comes
    before it (R15: an urgent person goes before everyone else, also before the R7 preference).
    The two groups compete only for screened places (a person who needs one takes no other), so
    within a tier the refinement means exactly that a screened place is not given to someone who
    does not need it while someone equally urgent who needs it waits.  A total order is all the
    exactness arguments of ``who.py`` need.
    """
    key = waiting_list_key(p)
    return (key[0], person_class(p) != "S", *key[1:])


def is_buyer(p: WaitingPerson, horizon: dt.date) -> bool:
    """Whether a bought place is proposed for ``p`` when no own place is found: urgent (R4/R15),
    or — unless the person chose to wait for a municipal place after a breach (R19) — the own
    stock lacks the decided type or kind (R5), or a running deadline (R18) is at or before
    ``horizon``."""
    return p.urgent or (not p.chose_to_wait and (
        p.own_stock_lacks_type or (p.deadline is not None and p.deadline <= horizon)))


@dataclasses.dataclass
class PlaceGroup:
    """Interchangeable places: same facility, type, room, beds (and price/provider if bought)."""

    idx: int
    key: tuple[object, ...]
    facility_id: str
    place_type: PlaceType
    room: Room
    cap: int
    price: int  # øre per day (0 for own places)
    kind: AssignmentKind
    items: list[Vacancy | PurchasableOffer]
    slots: int
    tb: int
    facility_kind: FacilityKind = FacilityKind.NURSING_HOME


@dataclasses.dataclass
class Candidate:
    """A person in one stage: position in the allocation order and the groups they fit."""

    pos: int
    person: WaitingPerson
    cls: str
    restriction: str | None
    demand: int  # beds: 2 for a person with an accompanying spouse (R11)
    elig: tuple[int, ...]
    mismatch: frozenset[int]
    partner: int | None = None  # pos of the spouse if also a candidate in this stage

    @property
    def coupled(self) -> bool:
        return self.partner is not None or self.demand == 2


def own_groups(vacancies: Sequence[Vacancy]) -> list[PlaceGroup]:
    by_key: dict[tuple[object, ...], list[Vacancy]] = defaultdict(list)
    for v in vacancies:
        if v.capacity <= 0:
            continue
        by_key[(v.facility_id, v.place_type.value, v.room.value, v.capacity,
                v.facility_kind.value)].append(v)
    groups = []
    for i, key in enumerate(sorted(by_key)):
        items = sorted(by_key[key], key=lambda v: (v.available_from, v.unit, v.place_id))
        v0 = items[0]
        groups.append(
            PlaceGroup(i, key, v0.facility_id, v0.place_type, v0.room, v0.capacity, 0,
                       AssignmentKind.OWN, list(items), v0.capacity * len(items),
                       h64("group|" + "|".join(map(str, key[:4]))), v0.facility_kind)
        )
    return groups


def offer_groups(offers: Sequence[PurchasableOffer]) -> list[PlaceGroup]:
    by_key: dict[tuple[object, ...], list[PurchasableOffer]] = defaultdict(list)
    for o in offers:
        key = (o.facility_id, o.place_type.value, o.room.value, o.capacity,
               o.price_per_day_ore, o.provider, o.facility_kind.value)
        by_key[key].append(o)
    groups = []
    for i, key in enumerate(sorted(by_key)):
        items = sorted(by_key[key], key=lambda o: (o.available_from, o.offer_id))
        o0 = items[0]
        groups.append(
            PlaceGroup(i, key, o0.facility_id, o0.place_type, o0.room, o0.capacity,
                       o0.price_per_day_ore, AssignmentKind.PURCHASE, list(items),
                       o0.capacity * len(items), h64("offer|" + "|".join(map(str, key[:6]))),
                       o0.facility_kind)
        )
    return groups


def fits(p: WaitingPerson, cls: str, facility_id: str, place_type: PlaceType, cap: int,
         restriction: str | None, beside_spouse: bool = False,
         facility_kind: FacilityKind = FacilityKind.NURSING_HOME) -> tuple[bool, bool]:
    """(eligible, mismatch needing an R7 reason) of a place for a person.

    ``beside_spouse``: the place is at the facility of a spouse placed in an own place (the
    purchase stage keeps them together, R10), which allows the R7 exception.
    ``facility_kind``: the place's; it must be the decided kind where one is decided.
    """
    if restriction is not None and facility_id != restriction:
        return False, False
    if p.decided_facility_kind is not None and facility_kind is not p.decided_facility_kind:
        return False, False
    if p.accompanying_spouse and cap < 2:
        return False, False
    t = place_type
    if cls == "R":
        return (t is PlaceType.REINFORCED and p.reinforced_assessed), False
    if t is PlaceType.REINFORCED:
        return False, False
    if cls == "S":
        if t is PlaceType.SCREENED:
            return True, False
        # R7 exception: an ordinary place to live with the spouse (already resident there,
        # placed there in this plan, or moving in together into a double room).
        if restriction is not None or p.accompanying_spouse or beside_spouse:
            return True, True
        return False, False
    return True, False


def make_candidates(persons: Sequence[WaitingPerson], groups: Sequence[PlaceGroup],
                    restrictions: dict[str, str | None],
                    beside_spouse: frozenset[str] = frozenset()) -> list[Candidate]:
    """The stage's candidates in allocation order; persons alike in what fits them share the
    computed eligibility.  ``beside_spouse``: case ids whose spouse has an own place."""
    ordered = sorted(persons, key=allocation_key)
    pos_of = {p.case_id: i for i, p in enumerate(ordered)}
    cache: dict[tuple[object, ...], tuple[tuple[int, ...], frozenset[int]]] = {}
    cands = []
    for i, p in enumerate(ordered):
        cls = person_class(p)
        r = restrictions.get(p.case_id)
        beside = p.case_id in beside_spouse
        sig = (cls, r, p.accompanying_spouse, p.reinforced_assessed, beside,
               p.decided_facility_kind)
        hit = cache.get(sig)
        if hit is None:
            elig, mism = [], []
            for g in groups:
                ok, mis = fits(p, cls, g.facility_id, g.place_type, g.cap, r, beside,
                               g.facility_kind)
                if ok:
                    elig.append(g.idx)
                    if mis:
                        mism.append(g.idx)
            hit = cache[sig] = (tuple(elig), frozenset(mism))
        partner = pos_of.get(p.spouse_case_id) if p.spouse_case_id else None
        cands.append(Candidate(i, p, cls, r, 2 if p.accompanying_spouse else 1, hit[0], hit[1],
                               partner))
    return cands
