"""Plain value types of the allocation optimizer: the problem it is given and the plan it returns.

Everything here is a frozen dataclass or a string enum, converts to plain JSON types with
``to_dict()`` and back with ``from_dict()``, and has a canonical JSON form whose SHA-256 is the
``problem_hash`` recorded with every plan.  Nothing here imports ``domain`` or ``application``.

Money: ``PurchasableOffer.price_per_day`` is in whole Norwegian kroner (NOK) per day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import hashlib
import json
import operator
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints


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

    def __post_init__(self) -> None:
        _coerce(self, facility_kind=FacilityKind, place_type=PlaceType, room=Room)


@dataclasses.dataclass(frozen=True, slots=True)
class PurchasableOffer:
    """A place another provider offers to sell (kjøp fra annen leverandør); price in NOK per day."""

    offer_id: str
    provider: str
    facility_id: str
    place_type: PlaceType
    price_per_day: int
    available_from: dt.date
    room: Room = Room.SINGLE

    def __post_init__(self) -> None:
        _coerce(self, place_type=PlaceType, room=Room)

    @property
    def capacity(self) -> int:
        return 2 if self.room is Room.DOUBLE else 1


@dataclasses.dataclass(frozen=True, slots=True)
class WaitingPerson:
    """A person on the waiting list (venteliste), or granted a stay outright and not yet placed."""

    case_id: str
    need_score: int
    urgent: bool
    granted_outright: bool
    decided_place_type: PlaceType
    needs_screened: bool
    prefers_screened: bool
    reinforced_assessed: bool
    wishes: tuple[str, ...]
    decision_date: dt.date
    deadline: dt.date
    spouse_case_id: str | None = None
    spouse_resident_facility_id: str | None = None
    accompanying_spouse: bool = False
    #: R19: after a deadline breach the person chose to wait for a municipal place, so no
    #: purchase is proposed (unless urgent, R15).
    chose_to_wait: bool = False

    def __post_init__(self) -> None:
        _coerce(self, decided_place_type=PlaceType)
        if not isinstance(self.wishes, tuple):
            object.__setattr__(self, "wishes", tuple(self.wishes))


@dataclasses.dataclass(frozen=True, slots=True)
class PolicySettings:
    """The municipality's versioned settings that the optimizer uses.

    ``wish_weights[i]`` is the score of getting one's (i+1)-th wished facility (R16 «stor vekt på
    brukerens egne ønsker»); a facility not wished scores 0.  ``prefers_screened_weight`` is the
    score of a screened place for someone who prefers but does not need one.
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

    def to_dict(self) -> dict[str, Any]:
        return to_json(self)

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
        )

    def canonical_json(self) -> str:
        return canonical_json(fast_to_json(self.canonical()))

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
    price_per_day: int = 0


@dataclasses.dataclass(frozen=True, slots=True)
class Explanation:
    """The reasons for one person's outcome, worded for a letter (begrunnelse)."""

    case_id: str
    outcome: str  # "own" | "purchase" | "none"
    code: ReasonCode
    text: str
    waiting_list_rank: int  # 1 = first in the R15/R16 order (urgent, need, waiting time)
    wish_rank: int | None = None  # 1 = first wish; None = not a wished facility / not placed
    type_fit: str = ""  # "exact" | "screened_not_needed" | "ordinary_for_dementia" | ""
    own_place_reason: ReasonCode | None = None  # why no own place (for purchase / none)
    spouse_case_id: str | None = None
    higher_need_case_ids: tuple[str, ...] = ()


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

    def to_dict(self) -> dict[str, Any]:
        return to_json(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AllocationPlan:
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


def _coerce(obj: Any, **enums: type[enum.Enum]) -> None:
    """Accept plain strings for enum fields (as the JSON form carries them)."""
    for name, tp in enums.items():
        value = getattr(obj, name)
        if not isinstance(value, tp):
            object.__setattr__(obj, name, tp(value))


# --- plain-JSON conversion -------------------------------------------------------------------

T = TypeVar("T")


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


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
    """``to_json`` for a dataclass, by converters compiled once per class from the declared
    field types (the generic version inspects every value).  Same output; tested."""
    return _encoder(type(obj))(obj)


@functools.cache
def _encoder(cls: type) -> Callable[[Any], Any]:
    hints = get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    convs = [_converter(hints[name]) for name in names]
    one = operator.attrgetter(*names)
    get = (lambda obj: (one(obj),)) if len(names) == 1 else one

    def encode(obj: Any) -> dict[str, Any]:
        return {name: (v if conv is None else conv(v))
                for name, conv, v in zip(names, convs, get(obj), strict=True)}

    return encode


def _converter(tp: Any) -> Callable[[Any], Any] | None:
    """How a value of declared type ``tp`` becomes plain JSON; None: it already is."""
    origin = get_origin(tp)
    if origin is Union or origin is types.UnionType:
        args = [a for a in get_args(tp) if a is not type(None)]
        inner = _converter(args[0]) if len(args) == 1 else to_json
        if inner is None:
            return None
        return lambda x: None if x is None else inner(x)  # type: ignore[misc]
    if origin is tuple:
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _converter(args[0])
            if item is None:
                return list
            return lambda xs: [item(x) for x in xs]  # type: ignore[misc]
        return to_json
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _encoder(tp)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _enum_value
    if tp is dt.date:
        return dt.date.isoformat
    if tp in (int, str, bool):
        return None
    return to_json


def _enum_value(x: enum.Enum) -> Any:
    return x.value


def from_json(tp: Any, data: Any) -> Any:
    origin = get_origin(tp)
    if origin is Union or origin is types.UnionType:
        args = [a for a in get_args(tp) if a is not type(None)]
        if data is None:
            return None
        return from_json(args[0], data)
    if origin is tuple:
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_json(args[0], x) for x in data)
        return tuple(from_json(a, x) for a, x in zip(args, data, strict=True))
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = get_type_hints(tp)
        kwargs = {
            f.name: from_json(hints[f.name], data[f.name])
            for f in dataclasses.fields(tp)
            if f.name in data
        }
        return tp(**kwargs)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(data)
    if tp is dt.date:
        return dt.date.fromisoformat(data)
    if tp in (int, str, bool):
        if not isinstance(data, tp):
            raise TypeError(f"expected {tp.__name__}, got {data!r}")
        return data
    if tp is typing.Any:
        return data
    raise TypeError(f"cannot decode {tp!r}")
