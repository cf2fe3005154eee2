"""What an allocation run reads of the current state: the facts of each case, place and
other provider's offer that the problem is built from, taken either from the aggregates or
from their read-model rows (the packed documents of :mod:`projections.fold`; for the
residents, R28, the few fields of them a run reads, ``lto_rm_resident``).

Both ways give the same facts — the test ``test_r17_run_from_read_models_*`` holds them
equal, case by case, on generated histories — and the problem is built from the facts by
one code (:mod:`application.allocation`). Where a fact is a rule of the domain (free beds
on a day, R24; the guarantee's running deadline, § 3-4; a bridging stay on a day, R2), the
row's facts use the domain's own code, not a copy of it.

The read models are the fast way (one read of the rows on the list, the places and the
offers; nothing replayed); the aggregates are the way without a read side (tests, small
tools). Either way the run only *proposes*: approving an offer loads the aggregates and
saves with their optimistic concurrency, so a stale row cannot cause a wrong admission.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import cached_property
from operator import attrgetter, itemgetter
from typing import Any, TypeVar
from uuid import UUID

from application.allocation_movers import MoverFacts, mover_of_row
from domain.case import BridgingStay, Case, CaseStatus, Guarantee
from domain.case.stays import Stays
from domain.place import Place
from domain.provider import ProviderOffer
from domain.values import BreachChoice, DementiaFinding, FacilityKind, PlaceType, RoomKind

Row = dict[str, Any]
T = TypeVar("T")

_GRANTED, _RESIDENT = CaseStatus.GRANTED.value, CaseStatus.RESIDENT.value
_ON_LIST = frozenset({_GRANTED, CaseStatus.WAITING.value})
_LONG_TERM = _ON_LIST | {_RESIDENT}
_ACCOMPANYING = CaseStatus.ACCOMPANYING.value
_ACCOMPANYING_OR_RESIDENT = frozenset({_ACCOMPANYING, _RESIDENT})
_OUTSTANDING = frozenset({"made", "accepted"})
_CONFIRMED = DementiaFinding.CONFIRMED.value


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


E = TypeVar("E", bound=Enum)


def _member(enum: type[E]) -> Callable[[Any], E]:
    """``enum(value)`` by a dictionary of its values (calling an Enum class costs a few
    microseconds, and a run converts some 20,000 values); what is not a value goes to the
    class, to be refused as before."""
    members = {m.value: m for m in enum}

    def member(value: Any) -> E:
        found = members.get(value)
        return found if found is not None else enum(value)

    return member


_place_type = _member(PlaceType)
_facility_kind = _member(FacilityKind)
_room_kind = _member(RoomKind)
_breach_choice = _member(BreachChoice)


@dataclass(frozen=True)
class CaseFacts:
    """One case as an allocation run sees it (R7, R8, R10, R12, R16–R19, R23)."""

    case_id: UUID
    municipality: str
    on_waiting_list: bool  # R12: granted or waiting
    in_long_term_stay: bool  # R10: granted, waiting or resident
    has_outstanding_offer: bool
    facility_held: str | None  # R10: where the person lives or holds an offer
    decided: bool  # a decision (vedtak) has been made
    place_type: PlaceType | None
    facility_kind: FacilityKind | None
    dementia_uninvestigated: bool  # R8 (5)
    has_dementia: bool  # R7
    dementia_suspected: bool
    need_score: int | None  # R16
    urgent: bool  # R4, R15
    wishes: tuple[str, ...]  # R16, R20
    waiting_since: date | None  # R23
    received_on: date
    guarantee: Guarantee  # § 3-4
    spouse_case_id: UUID | None
    living_apart_consent: bool
    #: R11: the resident spouse's case this person accompanies (an accompanying stay in
    #: force), and whether the person still awaits the offer of the second bed
    accompanies_case_id: UUID | None
    awaits_accompanying_offer: bool
    breach_choice: BreachChoice | None  # R19
    bridging: tuple[BridgingStay, ...] = field(default=())  # R2, R15

    bridging_stay_on = Stays.bridging_stay_on  # the aggregate's own rule

    @classmethod
    def of_case(cls, case: Case) -> CaseFacts:
        return cls(
            case_id=case.id, municipality=case.municipality,
            on_waiting_list=case.on_waiting_list, in_long_term_stay=case.in_long_term_stay,
            has_outstanding_offer=case.outstanding_offer is not None,
            facility_held=case.facility_held, decided=case.current_decision is not None,
            place_type=case.place_type, facility_kind=case.facility_kind,
            dementia_uninvestigated=case.dementia_uninvestigated,
            has_dementia=case.has_dementia, dementia_suspected=case.dementia_suspected,
            need_score=case.need_score, urgent=case.urgent, wishes=tuple(case.wishes),
            waiting_since=case.waiting_since, received_on=case.received_on,
            guarantee=case.guarantee, spouse_case_id=case.spouse_case_id,
            living_apart_consent=case.living_apart_consent,
            accompanies_case_id=(case.accompanying.resident_case_id
                                 if case.in_accompanying_stay and case.accompanying
                                 else None),
            awaits_accompanying_offer=case.accompanying is not None
            and case.awaits_accompanying_offer(case.accompanying.resident_case_id),
            breach_choice=case.breach_choice,
            bridging=tuple(BridgingStay(s.facility_name, s.unit, s.from_on, s.to_on)
                           for s in case.bridging))

    @classmethod
    def of_row(cls, row: Row) -> CaseFacts:
        status = row["status"]
        stays = row.get("stays") or []
        admitted = {s["offer_id"] for s in stays}
        outstanding = [o for o in row["offers"].values()
                       if o["status"] in _OUTSTANDING and o["offer_id"] not in admitted]
        if status == _RESIDENT and stays:
            held: str | None = stays[-1]["facility_id"]
        else:
            held = outstanding[0]["facility_id"] if outstanding else None
        decision = row["decision"]
        place_type = decision.get("place_type") if decision else None
        facility_kind = decision.get("facility_kind") if decision else None
        guarantee = Guarantee.from_dict(row["guarantee"])
        accompanying = row.get("accompanying")
        accompanies = accompanying["resident_case_id"] if accompanying and \
            accompanying["concluded"] is None and status in _ACCOMPANYING_OR_RESIDENT else None
        return cls(
            case_id=UUID(row["case_id"]), municipality=row["municipality"],
            on_waiting_list=status in _ON_LIST, in_long_term_stay=status in _LONG_TERM,
            has_outstanding_offer=bool(outstanding), facility_held=held,
            decided=decision is not None,
            place_type=_place_type(place_type) if place_type else None,
            facility_kind=_facility_kind(facility_kind) if facility_kind else None,
            dementia_uninvestigated=bool(row["dementia_suspected"])
            and not row["dementia_investigated"],
            has_dementia=bool(row["dementia_diagnosis"])
            or row["dementia_finding"] == _CONFIRMED,
            dementia_suspected=bool(row["dementia_suspected"]),
            need_score=row["need_score"], urgent=status == _GRANTED,
            wishes=tuple(row["wishes"]), waiting_since=guarantee.waiting_since,
            received_on=date.fromisoformat(row["received_on"]), guarantee=guarantee,
            spouse_case_id=UUID(row["spouse_case_id"]) if row["spouse_case_id"] else None,
            living_apart_consent=bool(row["living_apart_consent"]),
            accompanies_case_id=UUID(accompanies) if accompanies else None,
            awaits_accompanying_offer=status == _ACCOMPANYING and accompanying is not None
            and not outstanding,
            breach_choice=_breach_choice(row["breach_choice"]) if row["breach_choice"]
            else None,
            bridging=tuple(BridgingStay(b["facility_name"], b["unit"],
                                        date.fromisoformat(b["from"]), _day(b["to"]))
                           for b in row["bridging"]))


@dataclass(frozen=True)
class PlaceFacts:
    """One own place as an allocation run sees it (R1, R24)."""

    place_id: UUID
    municipality: str
    facility_id: str
    facility_name: str
    facility_kind: FacilityKind
    unit: str
    place_type: PlaceType
    room_kind: RoomKind
    is_open: bool
    available_from: date
    occupants: tuple[str, ...]
    leaving: dict[str, date]  # R24: residents moving out on a date still ahead
    reservations: tuple[str, ...]

    # the aggregate's own rules for free beds (R24), over these facts
    free_beds_on = Place.free_beds_on
    free_from = Place.free_from

    @property
    def capacity(self) -> int:
        return self.room_kind.capacity

    @classmethod
    def of_place(cls, place: Place) -> PlaceFacts:
        return cls(
            place_id=place.id, municipality=place.municipality,
            facility_id=place.facility_id, facility_name=place.facility_name,
            facility_kind=place.facility_kind, unit=place.unit, place_type=place.place_type,
            room_kind=place.room_kind, is_open=place.is_open,
            available_from=place.available_from,
            occupants=tuple(sorted(str(c) for c in place.occupants)),
            leaving={str(c): d for c, d in sorted(place.leaving.items(), key=str)},
            reservations=tuple(sorted(str(o) for o in place.reservations)))

    @classmethod
    def of_row(cls, row: Row) -> PlaceFacts:
        return cls(
            place_id=UUID(row["place_id"]), municipality=row["municipality"],
            facility_id=row["facility_id"], facility_name=row["facility_name"],
            facility_kind=_facility_kind(row["facility_kind"]), unit=row["unit"],
            place_type=_place_type(row["place_type"]), room_kind=_room_kind(row["room_kind"]),
            is_open=bool(row["open"]), available_from=date.fromisoformat(row["available_from"]),
            occupants=tuple(sorted(row["occupants"])),
            leaving={c: date.fromisoformat(d) for c, d in sorted(
                (row.get("leaving") or {}).items())},
            reservations=tuple(sorted(row["reservations"])))


@dataclass(frozen=True)
class ProviderOfferFacts:
    """Another provider's offer of a place (kjøp fra annen leverandør, R5, R19)."""

    offer_id: UUID
    municipality: str
    provider: str
    facility_name: str
    facility_kind: FacilityKind
    place_type: PlaceType
    room_kind: RoomKind
    price_per_day: Decimal
    available_from: date
    valid_until: date | None
    withdrawn: bool
    reserved_for: str | None
    purchased_for: str | None

    is_available_on = ProviderOffer.is_available_on  # the aggregate's own rule

    @property
    def facility_id(self) -> str:
        return f"{self.provider}/{self.facility_name}"

    @classmethod
    def of_offer(cls, po: ProviderOffer) -> ProviderOfferFacts:
        return cls(
            offer_id=po.id, municipality=po.municipality, provider=po.provider,
            facility_name=po.facility_name, facility_kind=po.facility_kind,
            place_type=po.place_type, room_kind=po.room_kind, price_per_day=po.price_per_day,
            available_from=po.available_from, valid_until=po.valid_until,
            withdrawn=po.withdrawn,
            reserved_for=str(po.reserved_for[1]) if po.reserved_for else None,
            purchased_for=str(po.purchased_for) if po.purchased_for else None)

    @classmethod
    def of_row(cls, row: Row) -> ProviderOfferFacts:
        return cls(
            offer_id=UUID(row["provider_offer_id"]), municipality=row["municipality"],
            provider=row["provider"], facility_name=row["facility_name"],
            facility_kind=_facility_kind(row["facility_kind"]),
            place_type=_place_type(row["place_type"]), room_kind=_room_kind(row["room_kind"]),
            price_per_day=Decimal(row["price_per_day"]),
            available_from=date.fromisoformat(row["available_from"]),
            valid_until=_day(row["valid_until"]), withdrawn=bool(row["withdrawn"]),
            reserved_for=row["reserved_for"], purchased_for=row["purchased_for"])


@dataclass(frozen=True)
class AllocationFacts:
    """Everything one run reads, at one moment: the cases on the waiting list (R12) with
    their spouses' cases, the municipality's own places and other providers' offers.
    ``read_position``: the read models' position they were read at (None: the
    aggregates)."""

    waiting: tuple[CaseFacts, ...]
    spouses: dict[UUID, CaseFacts]
    places: tuple[PlaceFacts, ...]
    provider_offers: tuple[ProviderOfferFacts, ...]
    read_position: int | None = None
    #: R28: residents who may be moved (every reason, free choice too: the run drops it
    #: when the policy has none; admissions still planned too: the run drops them)
    movers: tuple[MoverFacts, ...] = ()

    @cached_property
    def _by_id(self) -> dict[UUID, CaseFacts]:
        return {**self.spouses, **{c.case_id: c for c in self.waiting}}

    def case(self, case_id: UUID) -> CaseFacts | None:
        """A case the run read: on the list, or a spouse of someone on it."""
        return self._by_id.get(case_id)

    @classmethod
    def of_rows(cls, rows: dict[str, Any], memo: FactsMemo | None = None) -> AllocationFacts:
        """From what :meth:`projections.read_side.ReadSide.allocation_rows` reads; with
        ``memo``, the facts of a document the previous read had are not built again."""
        of_docs = memo.of_docs if memo is not None else _build_each
        of = {r["case_id"]: r for r in rows.get("resident_spouses", [])}
        of.update({r["case_id"]: r for r in rows["cases"]})
        residents = rows.get("residents", [])
        of.update({r["case_id"]: r for r in residents})
        alone = [r for r in residents if not r.get("spouse_case_id")]
        couples = [(r, of.get(r["spouse_case_id"])) for r in residents
                   if r.get("spouse_case_id")]
        movers = [*of_docs(_mover_alone, alone), *of_docs(_mover_of_couple, couples)]
        facts = cls(waiting=tuple(of_docs(CaseFacts.of_row, rows["cases"])),
                    spouses={s.case_id: s for s in of_docs(CaseFacts.of_row, rows["spouses"])},
                    places=tuple(of_docs(PlaceFacts.of_row, rows["places"])),
                    provider_offers=tuple(of_docs(ProviderOfferFacts.of_row,
                                                  rows["provider_offers"])),
                    read_position=rows["position"],
                    # by the id, in the order of its text (a UUID compares by its number)
                    movers=tuple(sorted((m for m in movers if m is not None),
                                        key=attrgetter("case_id"))))
        if memo is not None:
            memo.done()
        return facts


def _build_each(build: Callable[[Any], T], docs: list[Any]) -> list[T]:
    return [build(d) for d in docs]


def _mover_alone(row: Row) -> MoverFacts | None:
    return mover_of_row(row, None, free_choice=True, today=date.max)


def _mover_of_couple(couple: tuple[Row, Row | None]) -> MoverFacts | None:
    return mover_of_row(couple[0], couple[1], free_choice=True, today=date.max)


class FactsMemo:
    """The facts built from read-model documents, kept from one allocation read to the
    next: where a document is the very object the previous read had — an unchanged
    document handed out again (``ReadSide.keep_allocation_docs``,
    :class:`projections.allocation_rows.DecodedDocs`) — its facts are those built then,
    not built again (the policy lab's daily runs read the same places and residents every
    day). Facts are a function of their documents alone, and the documents are read-only;
    a document decoded anew is a new object, so its facts are built anew."""

    def __init__(self) -> None:
        #: per way of building: the documents' ids → the documents and their facts
        self._previous: dict[Callable[[Any], Any], dict[Any, tuple[Any, Any]]] = {}
        self._used: dict[Callable[[Any], Any], dict[Any, tuple[Any, Any]]] = {}

    def of_docs(self, build: Callable[[Any], T], docs: list[Any]) -> list[T]:
        """``[build(d) for d in docs]``, each kept or built. A ``d`` is a document or a
        tuple of documents (or None)."""
        # by the documents' ids: an entry holds its documents, so while it is kept no
        # other object can have their ids
        previous = self._previous.get(build, {})
        used = self._used.setdefault(build, {})
        if docs and type(docs[0]) is tuple:
            keys: list[Any] = [tuple(map(id, d)) for d in docs]
        else:
            keys = list(map(id, docs))
        found = list(map(previous.get, keys))
        if None in found:
            for i, hit in enumerate(found):
                if hit is None:
                    found[i] = used.get(keys[i]) or (docs[i], build(docs[i]))
        used.update(zip(keys, found, strict=True))
        return list(map(itemgetter(1), found))

    def done(self) -> None:
        """The end of a read: what it used is kept for the next, the rest forgotten."""
        self._previous, self._used = self._used, {}


__all__ = ["AllocationFacts", "CaseFacts", "FactsMemo", "PlaceFacts", "ProviderOfferFacts"]
