"""The bodies of places (R1) and of other providers' offers (kjøp fra annen leverandør)."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel

from api.schemas.common import In, IsoDate, PricePerDay, Short
from domain.values import FacilityKind, PlaceType, RoomKind


class PlaceIn(In):
    """R1: a place, its facility, unit, room and type. Registering the same room again is
    a no-op returning the same place."""

    facility_id: Short
    facility_name: Short
    facility_kind: FacilityKind
    unit: Short
    room: Short
    place_type: PlaceType
    room_kind: RoomKind = RoomKind.SINGLE
    available_from: IsoDate | None = None


class ProviderOfferIn(In):
    """Another provider's place at a price per day (kjøp fra annen leverandør)."""

    provider: Short
    reference: Short
    facility_name: Short
    facility_kind: FacilityKind
    place_type: PlaceType
    price_per_day: PricePerDay
    room_kind: RoomKind = RoomKind.SINGLE
    available_from: IsoDate | None = None
    valid_until: IsoDate | None = None


class PlaceOut(BaseModel):
    place_id: UUID


class ProviderOfferOut(BaseModel):
    provider_offer_id: UUID
