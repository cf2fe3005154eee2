"""A long-term place (R1): a bed in a room of a unit at a nursing home or 24-hour housing.

A double room holds two (a spouse pair, R10). The place's own stream keeps the capacity
invariant: a reservation or admission beyond capacity is refused, and two officers
offering the last free bed at once meet an optimistic-concurrency conflict on this
stream, so exactly one succeeds.

Dates are facts of their own (R24): a resident who moves out on a date still ahead keeps
the bed until that date, and the place is vacant *from* it; the allocator may plan for such
a bed, and an offer of it says the day it is available (:meth:`Place.free_from`).
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.base import Base, check_municipality, local_date
from domain.errors import InvalidState, InvalidValue
from domain.values import FacilityKind, PlaceType, RoomKind, VacancyReason

_NS = uuid5(NAMESPACE_URL, "urn:langtidsopphold:place")


def place_id(municipality: str, facility_id: str, unit: str, room: str) -> UUID:
    """A place's identity is its natural key, so registering it twice is one place."""
    return uuid5(_NS, f"{municipality}/{facility_id}/{unit}/{room}")


class Place(Base):
    """Lifecycle: registered (vacant) → reserved by an offer → occupied → vacated …;
    closed and reopened around renovation or staffing gaps."""

    class Registered(Base.Created):
        facility_id: str
        facility_name: str
        facility_kind: FacilityKind
        unit: str
        room: str
        place_type: PlaceType
        room_kind: RoomKind
        available_from: date

    class Reserved(Base.Event):
        offer_id: UUID
        case_id: UUID

        def on(self, place: Place) -> None:
            place.forget_left(local_date(self.timestamp))
            place.reservations[self.offer_id] = self.case_id

    class Released(Base.Event):
        """The reservation ends without admission (offer declined or withdrawn)."""

        offer_id: UUID
        reason: str

        def on(self, place: Place) -> None:
            place.reservations.pop(self.offer_id, None)

    class Occupied(Base.Event):
        offer_id: UUID | None
        case_id: UUID
        admitted_on: date

        def on(self, place: Place) -> None:
            place.forget_left(local_date(self.timestamp))
            if self.offer_id is not None:
                place.reservations.pop(self.offer_id, None)
            place.occupants[self.case_id] = self.admitted_on

    class Vacated(Base.Event):
        case_id: UUID
        reason: VacancyReason
        vacated_on: date

        def on(self, place: Place) -> None:
            if self.vacated_on > local_date(self.timestamp):
                place.leaving[self.case_id] = self.vacated_on  # R24: planned
            else:
                place.occupants.pop(self.case_id, None)
                place.leaving.pop(self.case_id, None)
            place.vacated_on = self.vacated_on

    class Closed(Base.Event):
        reason: str
        closed_on: date

        def on(self, place: Place) -> None:
            place.is_open = False

    class Reopened(Base.Event):
        reopened_on: date

        def on(self, place: Place) -> None:
            place.is_open = True
            place.available_from = self.reopened_on

    def __init__(
        self,
        municipality: str,
        command_id: str | None,
        facility_id: str,
        facility_name: str,
        facility_kind: FacilityKind,
        unit: str,
        room: str,
        place_type: PlaceType,
        room_kind: RoomKind,
        available_from: date,
    ) -> None:
        super().__init__(municipality, command_id)
        self.facility_id = facility_id
        self.facility_name = facility_name
        self.facility_kind = facility_kind
        self.unit = unit
        self.room = room
        self.place_type = place_type
        self.room_kind = room_kind
        self.available_from = available_from
        self.is_open = True
        self.reservations: dict[UUID, UUID] = {}
        self.occupants: dict[UUID, date] = {}
        #: R24: residents who move out on a date still ahead (when the move was recorded)
        self.leaving: dict[UUID, date] = {}
        self.vacated_on: date | None = None

    # --- commands -------------------------------------------------------------------

    @classmethod
    def register(
        cls,
        now: datetime,
        *,
        municipality: str,
        facility_id: str,
        facility_name: str,
        facility_kind: FacilityKind,
        unit: str,
        room: str,
        place_type: PlaceType,
        room_kind: RoomKind = RoomKind.SINGLE,
        available_from: date | None = None,
        command_id: str | None = None,
    ) -> Place:
        check_municipality(municipality)
        for name, value in (("facility_id", facility_id), ("facility_name", facility_name),
                            ("unit", unit), ("room", room)):
            if not value or not value.strip():
                raise InvalidValue(name, "must not be empty")
        if not isinstance(facility_kind, FacilityKind):
            raise InvalidValue(
                "facility_kind", "R1: a long-term place is in a nursing home or 24-hour housing"
            )
        return cls._create(
            cls.Registered,
            id=place_id(municipality, facility_id, unit, room),
            timestamp=now,
            municipality=municipality,
            command_id=command_id,
            facility_id=facility_id,
            facility_name=facility_name,
            facility_kind=facility_kind,
            unit=unit,
            room=room,
            place_type=place_type,
            room_kind=room_kind,
            available_from=available_from or local_date(now),
        )

    @property
    def capacity(self) -> int:
        return self.room_kind.capacity

    def forget_left(self, today: date) -> None:
        """Residents whose planned move-out day has come are gone (R24)."""
        for case_id, day in list(self.leaving.items()):
            if day <= today:
                self.occupants.pop(case_id, None)
                del self.leaving[case_id]

    def free_beds_on(self, day: date) -> int:
        """Beds free on ``day``: neither reserved by an offer nor held by a resident who
        has not left by then (R24)."""
        if not self.is_open:
            return 0
        if self.leaving:
            held = sum(1 for case_id in self.occupants
                       if case_id not in self.leaving or self.leaving[case_id] > day)
        else:  # nobody moving out: every resident holds a bed
            held = len(self.occupants)
        return max(self.capacity - held - len(self.reservations), 0)

    @property
    def free_beds(self) -> int:
        """Beds free now and staying free (a planned move-out does not count yet)."""
        if not self.is_open:
            return 0
        return max(self.capacity - len(self.occupants) - len(self.reservations), 0)

    @property
    def is_vacant(self) -> bool:
        return self.free_beds > 0

    def free_from(self, today: date) -> date | None:
        """The first day from ``today`` on which a bed is free, or None (R24)."""
        if not self.is_open:
            return None
        if not self.leaving:  # nobody moving out: free today, or not before someone is
            return max(today, self.available_from) if self.free_beds_on(today) > 0 else None
        for day in sorted({today, *(d for d in self.leaving.values() if d > today)}):
            if self.free_beds_on(day) > 0:
                return max(day, self.available_from)
        return None

    def reserve(self, now: datetime, *, offer_id: UUID, case_id: UUID,
                from_day: date | None = None, command_id: str | None = None) -> None:
        """Hold a bed for an offer; ``from_day`` is the day the offer says the place is
        available (today if None)."""
        if not self.is_open:
            raise InvalidState("the place is closed and cannot be offered", field="place_id")
        if self.free_beds_on(from_day or local_date(now)) <= 0:
            raise InvalidState("the place is not vacant", field="place_id")
        if case_id in self.reservations.values() or case_id in self.occupants:
            raise InvalidState("the person already holds this place", field="case_id")
        self.trigger_event(self.Reserved, timestamp=now, command_id=command_id,
                           offer_id=offer_id, case_id=case_id)

    def release(self, now: datetime, *, offer_id: UUID, reason: str,
                command_id: str | None = None) -> None:
        if offer_id not in self.reservations:
            raise InvalidState("the place holds no reservation for this offer", field="offer_id")
        self.trigger_event(self.Released, timestamp=now, command_id=command_id,
                           offer_id=offer_id, reason=reason)

    def occupy(self, now: datetime, *, case_id: UUID, offer_id: UUID | None,
               admitted_on: date, command_id: str | None = None) -> None:
        if offer_id is not None and self.reservations.get(offer_id) != case_id:
            raise InvalidState("admission needs the offer that reserved this place",
                               field="offer_id")
        if offer_id is None and self.free_beds_on(admitted_on) <= 0:
            raise InvalidState("the place is not vacant", field="place_id")
        self.trigger_event(self.Occupied, timestamp=now, command_id=command_id,
                           offer_id=offer_id, case_id=case_id, admitted_on=admitted_on)

    def vacate(self, now: datetime, *, case_id: UUID, reason: VacancyReason,
               vacated_on: date, command_id: str | None = None) -> None:
        if case_id not in self.occupants:
            raise InvalidState("the person does not live in this place", field="case_id")
        if vacated_on < min(self.occupants[case_id], local_date(now)):
            raise InvalidValue("vacated_on", "cannot be before the admission")
        self.trigger_event(self.Vacated, timestamp=now, command_id=command_id,
                           case_id=case_id, reason=reason, vacated_on=vacated_on)

    def close(self, now: datetime, *, reason: str, command_id: str | None = None) -> None:
        if not self.is_open:
            raise InvalidState("the place is already closed", field="place_id")
        if self.reservations:
            raise InvalidState("the place has an outstanding offer; withdraw it first",
                               field="place_id")
        if not reason.strip():
            raise InvalidValue("reason", "say why the place is closed")
        self.trigger_event(self.Closed, timestamp=now, command_id=command_id,
                           reason=reason, closed_on=local_date(now))

    def reopen(self, now: datetime, *, command_id: str | None = None) -> None:
        if self.is_open:
            raise InvalidState("the place is open", field="place_id")
        self.trigger_event(self.Reopened, timestamp=now, command_id=command_id,
                           reopened_on=local_date(now))
