"""Places (R1) and other providers' offers of places (kjøp fra annen leverandør, R5, R19).

A place's id is its natural key (facility, unit, room), and another provider's offer's is
(provider, reference): registering either again returns the same one and writes nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.base import ServiceBase
from domain.errors import InvalidState, InvalidValue
from domain.place import Place
from domain.provider import ProviderOffer
from domain.values import FacilityKind, PlaceType, RoomKind


class PlaceCommands(ServiceBase):
    """The allocation unit's places and the places other providers offer."""

    def register_place(
        self, municipality: str, *, facility_id: str, facility_name: str,
        facility_kind: FacilityKind, unit: str, room: str, place_type: PlaceType,
        room_kind: RoomKind = RoomKind.SINGLE, available_from: date | None = None,
        command_id: str | None = None,
    ) -> UUID:
        """Register a place. Its id is its natural key (facility, unit, room): registering
        the same room again returns the same place and writes nothing."""
        place = Place.register(
            self._now(), municipality=municipality, facility_id=facility_id,
            facility_name=facility_name, facility_kind=facility_kind, unit=unit, room=room,
            place_type=place_type, room_kind=room_kind, available_from=available_from,
            command_id=command_id,
        )
        existing = self._exists(place.id)
        if existing is not None:
            if not isinstance(existing, Place) or (
                (existing.place_type, existing.facility_kind, existing.room_kind)
                != (place_type, facility_kind, room_kind)
            ):
                raise InvalidState("a different place is already registered in that room",
                                   field="room")
            return existing.id
        try:
            self.save(place)
        except IntegrityError:
            return place.id  # registered concurrently by the same natural key
        return place.id

    def close_place(self, municipality: str, place_id: UUID, *, reason: str,
                    command_id: str | None = None) -> None:
        place = self.get_place(municipality, place_id)
        if place.has_handled(command_id):
            return
        place.close(self._now(), reason=reason, command_id=command_id)
        self._commit(place)

    def reopen_place(self, municipality: str, place_id: UUID, *,
                     command_id: str | None = None) -> None:
        place = self.get_place(municipality, place_id)
        if place.has_handled(command_id):
            return
        place.reopen(self._now(), command_id=command_id)
        self._commit(place)

    def register_provider_offer(
        self, municipality: str, *, provider: str, reference: str, facility_name: str,
        facility_kind: FacilityKind, place_type: PlaceType, price_per_day: Decimal | int | str,
        room_kind: RoomKind = RoomKind.SINGLE, available_from: date | None = None,
        valid_until: date | None = None, command_id: str | None = None,
    ) -> UUID:
        """Another provider offers a place at a price per day (natural key: provider and
        their reference)."""
        try:
            price = Decimal(str(price_per_day))
        except ArithmeticError:
            raise InvalidValue("price_per_day", "not a number") from None
        offer = ProviderOffer.register(
            self._now(), municipality=municipality, provider=provider, reference=reference,
            facility_name=facility_name, facility_kind=facility_kind, place_type=place_type,
            price_per_day=price, room_kind=room_kind, available_from=available_from,
            valid_until=valid_until, command_id=command_id,
        )
        if self._exists(offer.id) is not None:
            return self.get_provider_offer(municipality, offer.id).id
        try:
            self.save(offer)
        except IntegrityError:
            return offer.id
        return offer.id

    def withdraw_provider_offer(self, municipality: str, provider_offer_id: UUID, *,
                                reason: str, command_id: str | None = None) -> None:
        po = self.get_provider_offer(municipality, provider_offer_id)
        if po.has_handled(command_id):
            return
        po.withdraw(self._now(), reason=reason, command_id=command_id)
        self._commit(po)


__all__ = ["PlaceCommands"]
