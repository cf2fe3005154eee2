"""Plain value types of the allocation optimizer: the problem it is given and the plan it returns.

Everything here is a frozen dataclass or a string enum, converts to plain JSON types with
``to_dict()`` and back with ``from_dict()``, and has a canonical JSON form whose SHA-256 is the
``problem_hash`` recorded with every plan.  Nothing here imports ``domain`` or ``application``.

Money is in øre (1/100 NOK) per day, as integers, everywhere:
``PurchasableOffer.price_per_day_ore``, ``Assignment.price_per_day_ore``.  A problem or plan
recorded by an earlier release (prices in whole NOK, ``granted_outright``, ``decision_date``)
still loads through ``from_dict`` (see ``_LEGACY``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import hashlib
import json
import re
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

import orjson

#: The optimizer's rules version, recorded with every plan (``SolverInfo.parameters``), so that a
#: re-run can tell a plan made under earlier rules.  2: urgent before the R7 screened preference,
#: wishes by serial dictatorship (R16), money in øre, explanations as facts.
RULES_VERSION = "2"


class FacilityKind(enum.StrEnum):
    """R1: sykehjem (nursing home) or tilsvarende bolig med heldøgns tjenester (24-hour housing)."""

    NURSING_HOME = "nursing_home"
    HOUSING_24H = "housing_24h"


class PlaceType(enum.StrEnum):
    """R1: ordinær / skjermet (tilrettelagt) / forsterket plass."""

    ORDINARY = "ordinary"
    SCREENED = "screened"
    REINFORCED = "reinforced"


class Room(enum.StrEnum):
    SINGLE = "single"
    DOUBLE = "double"


class AssignmentKind(enum.StrEnum):
    OWN = "own"
    PURCHASE = "purchase"  # kjøp fra annen leverandør


class PlanStatus(enum.StrEnum):
    OPTIMAL = "OPTIMAL"  # proven optimum (the only status solve() returns)
    HEURISTIC = "HEURISTIC"  # greedy_baseline: no optimality claim


class ReasonCode(enum.StrEnum):
    """Why a person got the outcome they got; stable codes for letters and statistics."""

    PLACED_OWN = "placed_own"
    PURCHASE_URGENT = "purchase_urgent"  # R15 / R4
    PURCHASE_DEADLINE = "purchase_deadline"  # R18 / R19
    HIGHER_NEED_TOOK_PLACES = "higher_need_took_places"  # R16
    SCREENED_RESERVED = "screened_reserved"  # R7
    NO_PLACE_OF_DECIDED_TYPE = "no_place_of_decided_type"
    REINFORCED_NOT_ASSESSED = "reinforced_not_assessed"
    SPOUSE_FACILITY_NO_PLACE = "spouse_facility_no_place"  # R10, spouse already resident
    SPOUSE_CONSTRAINT = "spouse_constraint"  # R10, spouses waiting together
    NO_DOUBLE_ROOM = "no_double_room"  # R11, accompanying spouse
    PURCHASE_OWN_STOCK_LACKS_TYPE = "purchase_own_stock_lacks_type"  # R5
    NO_PLACE_OF_DECIDED_KIND = "no_place_of_decided_kind"  # R1/R18, decided kind of facility
    MOVE = "move"  # R28: a move proposed
    MOVE_NOT_POSSIBLE = "move_not_possible"  # R28: no move this run


class FactKind(enum.StrEnum):
    """What one fact of an explanation claims (each checked by ``optimizer/check.py``).

    Values in brackets are the ``Fact`` fields the claim uses."""

    RANK = "rank"  # [rank] the person's position in the order of the waiting list
    URGENT = "urgent"  # the person is urgent (R15/R4): ahead of everyone not urgent
    NOT_ASSESSED = "not_assessed"  # no assessed need: after the assessed of the same urgency
    OFFER_OWN = "offer_own"  # [facility, place_type] the own place offered
    OFFER_PURCHASE = "offer_purchase"  # [facility, place_type, provider, price] the bought place
    WISH_MET = "wish_met"  # [rank, facility] the place is at the person's wish number rank
    WISH_NO_SUITABLE_PLACE = "wish_no_suitable_place"  # [facilities] no own vacancy there fits
    WISH_NO_PLACE_TO_BUY = "wish_no_place_to_buy"  # [facilities] no offer there fits (bought)
    WISH_WOULD_LEAVE_SOMEONE_WITHOUT = "wish_would_leave_someone_without"  # [facilities]
    WISH_WENT_TO_EARLIER = "wish_went_to_earlier"  # [facilities] feasible only against an
    #   earlier person's (allocation order) wish that was met
    WISH_NOT_POSSIBLE = "wish_not_possible"  # [facilities] either of the two above
    ORDINARY_FOR_DEMENTIA = "ordinary_for_dementia"  # R7 reason: to live with the spouse
    SCREENED_NOT_NEEDED = "screened_not_needed"  # a screened place to someone not needing one
    SCREENED_NEEDERS_ALL_OFFERED = "screened_needers_all_offered"  # everyone needing one placed
    SCREENED_NEEDERS_BEHIND_URGENT = "screened_needers_behind_urgent"  # [count] unplaced, after
    #   this urgent person in the order
    SCREENED_NEEDERS_AHEAD_NOT_PLACEABLE = "screened_needers_ahead_not_placeable"  # [count]
    SPOUSE_SAME_FACILITY = "spouse_same_facility"  # [case_ids, facility] spouse placed there too
    SPOUSE_RESIDENT_THERE = "spouse_resident_there"  # [facility] the spouse already lives there
    DOUBLE_ROOM_WITH_SPOUSE = "double_room_with_spouse"  # R11: a whole double room
    REINFORCED_NOT_ASSESSED = "reinforced_not_assessed"
    NO_VACANCY_OF_DECIDED_TYPE = "no_vacancy_of_decided_type"  # [place_type]
    NO_VACANCY_OF_DECIDED_KIND = "no_vacancy_of_decided_kind"  # [facility_kind]
    NO_VACANCY_AT_SPOUSE_FACILITY = "no_vacancy_at_spouse_facility"  # [facility]
    NO_DOUBLE_ROOM = "no_double_room"
    NOT_PLACEABLE_AFTER_THOSE_AHEAD = "not_placeable_after_those_ahead"  # own places
    TAKEN_BY_URGENT = "taken_by_urgent"  # [case_ids] urgent persons in places that suited
    TAKEN_BY_AHEAD = "taken_by_ahead"  # [case_ids] persons ahead on the list, same
    TAKEN_FOR_DEMENTIA = "taken_for_dementia"  # [case_ids] persons needing screened places
    SPOUSE_PLACED_ELSEWHERE = "spouse_placed_elsewhere"  # [case_ids, facility] the spouse is
    #   placed there; the two shall live at one place
    PURCHASE_URGENT = "purchase_urgent"  # bought because urgent and no own place
    PURCHASE_DEADLINE = "purchase_deadline"  # [on] bought: the deadline is reached or near
    PURCHASE_OWN_STOCK_LACKS_TYPE = "purchase_own_stock_lacks_type"  # R5
    CHOICE_BUY_OR_WAIT = "choice_buy_or_wait"  # R19: may choose the bought place or wait
    PURCHASE_NONE_SUITABLE = "purchase_none_suitable"  # no offer fits at all
    PURCHASE_NOT_PLACEABLE = "purchase_not_placeable"  # offers needed by those ahead
    BRIDGING_STAY_NEEDED = "bridging_stay_needed"  # urgent, unplaced, none recorded
    BRIDGING_STAY_CONTINUES = "bridging_stay_continues"  # urgent, unplaced, one recorded
    CHOSE_TO_WAIT = "chose_to_wait"  # R19: no purchase for the deadline
    DEADLINE = "deadline"  # [on] the running offer deadline
    # moves (R28), in a mover's explanation
    MOVE_REASON = "move_reason"  # [provider = the reason's value, place_type, facility] why
    MOVE_RANK = "move_rank"  # [rank] the position in the movers' own order
    MOVE_OFFER = "move_offer"  # [facility, place_type] the place the move is to
    MOVE_WISH_MET = "move_wish_met"  # [rank, facility] a wished facility (free choice)
    MOVE_NOBODY_WAITING_CAN_USE = "move_nobody_waiting_can_use"  # nobody on the list who got
    #   no own place could use the place
    MOVE_NO_SUITABLE_PLACE = "move_no_suitable_place"  # no vacancy of the problem fits at all
    MOVE_PLACES_TAKEN = "move_places_taken"  # [count, case_ids] every fitting vacancy went to
    #   the waiting list, is kept for a waiting person who can use it, or went to a mover
    #   before this one (case_ids)


@dataclasses.dataclass(frozen=True, slots=True)
class Fact:
    """One claim of an explanation, with the values it states (one sentence in the text).
    Built with its declared types (enums, tuples): many are made per plan, none coerced."""

    kind: FactKind
    rank: int | None = None
    count: int | None = None
    case_ids: tuple[str, ...] = ()
    facility_ids: tuple[str, ...] = ()
    facility_names: tuple[str, ...] = ()
    place_type: PlaceType | None = None
    facility_kind: FacilityKind | None = None
    provider: str = ""
    price_per_day_ore: int | None = None
    on: dt.date | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Vacancy:
    """An own place that is free now or by ``available_from``; ``capacity`` is its free beds."""

    place_id: str
    facility_id: str
    facility_kind: FacilityKind
    unit: str
    place_type: PlaceType
    room: Room
    capacity: int
    available_from: dt.date
    #: The facility's name as a letter writes it (plain text); the id when not given.
    facility_name: str = ""

    def __post_init__(self) -> None:
        _coerce(self, facility_kind=FacilityKind, place_type=PlaceType, room=Room)
        if not self.facility_name:
            object.__setattr__(self, "facility_name", self.facility_id)


@dataclasses.dataclass(frozen=True, slots=True)
class PurchasableOffer:
    """A place another provider offers to sell (kjøp fra annen leverandør); price in øre per day."""

    offer_id: str
    provider: str
    facility_id: str
    place_type: PlaceType
    price_per_day_ore: int
    available_from: dt.date
    room: Room = Room.SINGLE
    facility_kind: FacilityKind = FacilityKind.NURSING_HOME
    #: The facility's name as a letter writes it (plain text); the id when not given.
    facility_name: str = ""

    def __post_init__(self) -> None:
        _coerce(self, place_type=PlaceType, room=Room, facility_kind=FacilityKind)
        if not self.facility_name:
            object.__setattr__(self, "facility_name", self.facility_id)

    @property
    def capacity(self) -> int:
        return 2 if self.room is Room.DOUBLE else 1


@dataclasses.dataclass(frozen=True, slots=True)
class WaitingPerson:
    """A person on the waiting list (venteliste), or granted a stay not yet carried out.

    ``urgent``: granted a stay to be carried out at once (R4 § 2-1 første ledd, R15 § 3-3 første
    ledd; the domain merges the two).  ``need_score``: the assessed need for 24-hour care (R16);
    None = not assessed (ikke vurdert), placed after every assessed person of the same urgency.
    ``waiting_since``: the waiting-list date (ventelistedato, R23), the order's date.
    ``deadline``: the running offer deadline (ventelistegaranti, R18); None when no guarantee is
    running (met, lost, or a grant).
    """

    case_id: str
    need_score: int | None
    urgent: bool
    decided_place_type: PlaceType
    needs_screened: bool
    prefers_screened: bool
    reinforced_assessed: bool
    wishes: tuple[str, ...]
    waiting_since: dt.date
    deadline: dt.date | None
    spouse_case_id: str | None = None
    spouse_resident_facility_id: str | None = None
    accompanying_spouse: bool = False
    #: R19: after a deadline breach the person chose to wait for a municipal place, so no
    #: purchase is proposed for the deadline (unless urgent, R15, or R5 below).
    chose_to_wait: bool = False
    #: R15, notat 2.4: a bridging short-term stay (korttidsopphold) is recorded.
    bridging_stay: bool = False
    #: R5 (§ 2-1 tredje ledd): the municipality has no own place of the decided type or kind (or
    #: none expected within the horizon; the application decides), so a suitable place is bought
    #: from another provider: a buyer at any time.
    own_stock_lacks_type: bool = False
    #: The decided kind of facility (sykehjem / bolig med heldøgns tjenester); when set, only
    #: places of that kind fit, own and bought.
    decided_facility_kind: FacilityKind | None = None

    def __post_init__(self) -> None:
        _coerce(self, decided_place_type=PlaceType)
        if self.decided_facility_kind is not None:
            _coerce(self, decided_facility_kind=FacilityKind)
        if not isinstance(self.wishes, tuple):
            object.__setattr__(self, "wishes", tuple(self.wishes))


@dataclasses.dataclass(frozen=True, slots=True)
class PolicySettings:
    """The municipality's versioned settings that the optimizer uses.

    Wishes (R16 «stor vekt på brukerens egne ønsker») are met in the allocation order, the
    person of greater need first (serial dictatorship); ``wish_weights`` no longer steer the plan
    and only give the reported ``*_wish_score``.  ``prefers_screened_weight`` > 0 switches on the
    small preference for a screened place for someone who prefers but does not need one (after
    the R7 fit, before price); 0 switches it off.
    """

    version: int
    free_choice: bool = False
    deadline_horizon_days: int = 14
    wish_weights: tuple[int, ...] = (100, 60, 35, 20, 10)
    prefers_screened_weight: int = 5


@dataclasses.dataclass(frozen=True, slots=True)
class AllocationProblem:
    municipality: str
    as_of: dt.date
    vacancies: tuple[Vacancy, ...]
    purchasable: tuple[PurchasableOffer, ...]
    persons: tuple[WaitingPerson, ...]
    policy: PolicySettings
    #: (facility id, name) of the municipality's own facilities, full ones too, so that an
    #: explanation names a wished facility with no vacancy by its name, never its id
    facility_names: tuple[tuple[str, str], ...] = ()
    #: R28: residents who may be moved, planned after the whole waiting list (empty: the
    #: problem is as before moves existed, and hashes the same)
    movers: tuple[Mover, ...] = ()

    def name_of(self, facility_id: str) -> str:
        """The name the problem gives a facility (its id when it gives none)."""
        for fid, name in self.facility_names:
            if fid == facility_id:
                return name
        for v in self.vacancies:
            if v.facility_id == facility_id:
                return v.facility_name
        for o in self.purchasable:
            if o.facility_id == facility_id:
                return o.facility_name
        return facility_id

    def to_dict(self) -> dict[str, Any]:
        return _without_empty(fast_to_json(self), "movers")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AllocationProblem:
        return from_json(cls, data)

    def canonical(self) -> AllocationProblem:
        """The same problem with every collection sorted by its identifier."""
        return dataclasses.replace(
            self,
            vacancies=tuple(sorted(self.vacancies, key=lambda v: v.place_id)),
            purchasable=tuple(sorted(self.purchasable, key=lambda o: o.offer_id)),
            persons=tuple(sorted(self.persons, key=lambda p: p.case_id)),
            facility_names=tuple(sorted(self.facility_names)),
            movers=tuple(sorted(self.movers, key=lambda m: m.case_id)),
        )

    def canonical_json(self) -> str:
        """:func:`canonical_json` of the canonical problem, the text its hash is of (written
        by :func:`fast_canonical_json`: the same text, faster)."""
        return fast_canonical_json(_without_empty(fast_to_json(self.canonical()), "movers"))

    def problem_hash(self) -> str:
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()


@dataclasses.dataclass(frozen=True, slots=True)
class Assignment:
    """One proposed offer: an own place (``kind=own``) or a bought one (``kind=purchase``)."""

    case_id: str
    kind: AssignmentKind
    place_id: str  # Vacancy.place_id or PurchasableOffer.offer_id
    facility_id: str
    place_type: PlaceType
    room: Room
    price_per_day_ore: int = 0


@dataclasses.dataclass(frozen=True, slots=True)
class Explanation:
    """The reasons for one person's outcome (begrunnelse): ``facts``, each a claim the checker
    (``optimizer/check.py``) can verify, and ``text``, rendered from them in Norwegian bokmål, one
    sentence per fact."""

    case_id: str
    outcome: str  # "own" | "purchase" | "none"
    code: ReasonCode
    text: str
    waiting_list_rank: int  # 1 = first in the order of the waiting list (domain/order.py)
    wish_rank: int | None = None  # 1 = first wish; None = not a wished facility / not placed
    type_fit: str = ""  # "exact" | "screened_not_needed" | "ordinary_for_dementia" | ""
    own_place_reason: ReasonCode | None = None  # why no own place (for purchase / none)
    spouse_case_id: str | None = None
    #: Persons ahead of this one on the waiting list (urgent, greater need, or the same need and
    #: an earlier date) who were given places that would have suited this person.
    higher_need_case_ids: tuple[str, ...] = ()
    facts: tuple[Fact, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class SolverInfo:
    name: str
    ortools_version: str
    parameters: tuple[tuple[str, str], ...]


@dataclasses.dataclass(frozen=True, slots=True)
class AllocationPlan:
    problem_hash: str
    status: PlanStatus
    assignments: tuple[Assignment, ...]
    unplaced: tuple[str, ...]
    explanations: tuple[Explanation, ...]
    solver: SolverInfo
    objective: tuple[tuple[str, int], ...] = ()
    #: R28: the moves proposed (own places only; ``case_id`` is the mover's) and every
    #: mover's explanation (outcome "move" or "none"; ``waiting_list_rank`` is the rank in
    #: the movers' own order)
    moves: tuple[Assignment, ...] = ()
    move_explanations: tuple[Explanation, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return _without_empty(fast_to_json(self), "moves", "move_explanations")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AllocationPlan:
        data = dict(data)
        if "objective" in data:  # an earlier release's objective: prices in whole NOK
            data["objective"] = [
                ["purchase_price_per_day_ore", v * 100] if k == "purchase_price_per_day"
                else [k, v] for k, v in data["objective"]]
        return from_json(cls, data)

    def assignment_of(self, case_id: str) -> Assignment | None:
        for a in self.assignments:
            if a.case_id == case_id:
                return a
        return None

    def explanation_of(self, case_id: str) -> Explanation:
        for e in self.explanations:
            if e.case_id == case_id:
                return e
        raise KeyError(case_id)

    @property
    def own(self) -> dict[str, str]:
        return {a.case_id: a.place_id for a in self.assignments if a.kind is AssignmentKind.OWN}

    @property
    def purchases(self) -> dict[str, str]:
        return {
            a.case_id: a.place_id for a in self.assignments if a.kind is AssignmentKind.PURCHASE
        }


def _without_empty(data: dict[str, Any], *names: str) -> dict[str, Any]:
    """The JSON form without the moves' fields when they are empty: a problem or plan without
    movers has the form (and the hash) it had before moves existed."""
    for name in names:
        if not data.get(name):
            data.pop(name, None)
    return data


def _coerce(obj: Any, **enums: type[enum.Enum]) -> None:
    """Accept plain strings for enum fields (as the JSON form carries them)."""
    for name, tp in enums.items():
        value = getattr(obj, name)
        if not isinstance(value, tp):
            object.__setattr__(obj, name, tp(value))


# --- plain-JSON conversion -------------------------------------------------------------------

T = TypeVar("T")


def canonical_json(data: Any) -> str:
    """The canonical JSON text (the definition of what a problem's hash is of): keys
    sorted, no spaces, every character outside ASCII (and DEL) escaped as ``\\uXXXX``."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


#: What ``ensure_ascii`` escapes that orjson writes as it is: DEL and everything above ASCII
#: (orjson already escapes the quote, the backslash and the control characters as json does).
_NOT_ASCII = re.compile(r"[^\x00-\x7e]")
#: Sorted keys; a date or a dataclass is not written (json refuses them too).
_ORJSON_CANONICAL = (orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
                     | orjson.OPT_PASSTHROUGH_DATACLASS)


def _ascii_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # outside the basic plane: a surrogate pair, as json writes it
    return f"\\u{0xD800 | (code >> 10):04x}\\u{0xDC00 | (code & 0x3FF):04x}"


def fast_canonical_json(data: Any) -> str:
    """:func:`canonical_json`, the same text, several times faster: orjson with sorted keys,
    then the characters json escapes and orjson does not, escaped as json does (they occur
    only inside strings). For plain JSON values of the problem's types (str, int, bool,
    None, lists, dicts with str keys); what orjson cannot write (a lone surrogate, an int
    beyond 64 bits, a key that is not a str, a date or a dataclass, which json refuses)
    goes to :func:`canonical_json`. Floats (which no problem holds) could be written
    otherwise than json writes them. Held equal to :func:`canonical_json` by
    ``tests/optimizer/test_determinism.py``."""
    try:
        text = orjson.dumps(data, option=_ORJSON_CANONICAL).decode()
    except orjson.JSONEncodeError:
        return canonical_json(data)
    if text.isascii() and "\x7f" not in text:
        return text
    return _NOT_ASCII.sub(_ascii_escape, text)


def to_json(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_json(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, dt.date):
        return obj.isoformat()
    if isinstance(obj, tuple | list):
        return [to_json(x) for x in obj]
    return obj


def fast_to_json(obj: Any) -> Any:
    """``to_json`` for a dataclass, by an encoder compiled once per class from the declared
    field types (the generic version inspects every value).  Same output; tested."""
    return _encoder(type(obj))(obj)


@functools.cache
def _encoder(cls: type) -> Callable[[Any], Any]:
    """One function per class, written from its fields' declared types (as
    :mod:`dataclasses` writes ``__init__``): a dict display of one expression per field,
    with no call or loop for a value that is already plain JSON (a plan of 1,700 persons
    encodes some 15,000 dataclasses)."""
    hints = get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    helpers: dict[str, Any] = {}
    fields = ", ".join(f"{name!r}: {_expression(hints[name], f'obj.{name}', helpers, 0)}"
                       for name in names)
    namespace = dict(helpers)
    exec(f"def encode(obj):\n    return {{{fields}}}\n", namespace)
    encode: Callable[[Any], Any] = namespace["encode"]
    encode.__qualname__ = f"_encoder.<{cls.__name__}>"
    return encode


def _expression(tp: Any, var: str, helpers: dict[str, Any], depth: int) -> str:
    """The expression that makes ``var``, a value of declared type ``tp``, plain JSON
    (``var`` itself when it already is); ``helpers``: the functions it calls, by name."""
    def call(fn: Callable[[Any], Any]) -> str:
        name = f"_f{len(helpers)}"
        helpers[name] = fn
        return f"{name}({var})"

    origin = get_origin(tp)
    if origin is Union or origin is types.UnionType:
        args = [a for a in get_args(tp) if a is not type(None)]
        inner = _expression(args[0], var, helpers, depth) if len(args) == 1 else call(to_json)
        return var if inner == var else f"(None if {var} is None else {inner})"
    if origin is tuple:
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            item_var = f"_x{depth}"
            item = _expression(args[0], item_var, helpers, depth + 1)
            return f"list({var})" if item == item_var else f"[{item} for {item_var} in {var}]"
        return call(to_json)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return call(_encoder(tp))
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return f"{var}.value"
    if tp is dt.date:
        return call(dt.date.isoformat)
    if tp in (int, str, bool):
        return var
    return call(to_json)


@functools.cache
def _field_hints(cls: type) -> tuple[tuple[str, Any], ...]:
    """A dataclass's fields with their declared types, resolved once per class
    (``get_type_hints`` evaluates the annotations' strings on every call)."""
    hints = get_type_hints(cls)
    return tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))


def from_json(tp: Any, data: Any) -> Any:
    """``data`` (plain JSON, as ``to_json`` writes it) as a value of the declared type
    ``tp``, by a decoder made once per type (:func:`_decoder`)."""
    return _decoder(tp)(data)


@functools.cache
def _decoder(tp: Any) -> Callable[[Any], Any]:
    """How plain JSON becomes a value of declared type ``tp`` (the generic walk looked at
    the type again for every value)."""
    origin = get_origin(tp)
    if origin is Union or origin is types.UnionType:
        inner = _decoder(next(a for a in get_args(tp) if a is not type(None)))
        return lambda data: None if data is None else inner(data)
    if origin is tuple:
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            return lambda data: tuple([item(x) for x in data])
        items = [_decoder(a) for a in args]
        return lambda data: tuple(f(x) for f, x in zip(items, data, strict=True))
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass_decoder(tp)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp
    if tp is dt.date:
        return dt.date.fromisoformat
    if tp in (int, str, bool):
        def checked(data: Any) -> Any:
            if not isinstance(data, tp):
                raise TypeError(f"expected {tp.__name__}, got {data!r}")
            return data
        return checked
    if tp is typing.Any:
        return lambda data: data

    def cannot(data: Any) -> Any:
        raise TypeError(f"cannot decode {tp!r}")
    return cannot


def _dataclass_decoder(cls: type) -> Callable[[Any], Any]:
    """A dataclass from its fields (an earlier release's form upgraded first, ``_LEGACY``);
    the fields' decoders are made at the first use (a type may name itself)."""
    fields: list[tuple[str, Callable[[Any], Any]]] = []

    def decode(data: Any) -> Any:
        if not fields:
            fields.extend((name, _decoder(hint)) for name, hint in _field_hints(cls))
        upgrade = _LEGACY.get(cls)
        if upgrade is not None:
            data = upgrade(data)
        return cls(**{name: f(data[name]) for name, f in fields if name in data})
    return decode


# --- forms recorded by earlier releases ------------------------------------------------------


def _legacy_person(data: dict[str, Any]) -> dict[str, Any]:
    """Rules version 1: ``granted_outright`` (R4) beside ``urgent`` (R15), ``decision_date``."""
    if "granted_outright" not in data and "decision_date" not in data:
        return data
    data = dict(data)
    if "decision_date" in data:
        data.setdefault("waiting_since", data.pop("decision_date"))
    if data.pop("granted_outright", False):
        data["urgent"] = True
    return data


def _legacy_price(new: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Rules version 1: ``price_per_day`` in whole NOK; now øre."""
    def upgrade(data: dict[str, Any]) -> dict[str, Any]:
        if "price_per_day" not in data:
            return data
        data = dict(data)
        data.setdefault(new, data.pop("price_per_day") * 100)
        return data
    return upgrade


_LEGACY: dict[type, Callable[[dict[str, Any]], dict[str, Any]]] = {
    WaitingPerson: _legacy_person,
    PurchasableOffer: _legacy_price("price_per_day_ore"),
    Assignment: _legacy_price("price_per_day_ore"),
}

from .move_model import Mover  # noqa: E402  (the move types use the ones above)
