"""Another provider's offer of a place (kjøp fra annen leverandør), and its purchase.

R5 and R15 name purchase as the way to keep the guarantee when the own stock is full;
R19 lets a person whose deadline was breached choose it. The price is per day, in NOK.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.base import Base, check_municipality, local_date
from domain.errors import InvalidState, InvalidValue
from domain.values import FacilityKind, PlaceType, RoomKind

_NS = uuid5(NAMESPACE_URL, "urn:langtidsopphold:provider-offer")


def provider_offer_id(municipality: str, provider: str, reference: str) -> UUID:
    return uuid5(_NS, f"{municipality}/{provider}/{reference}")


class ProviderOffer(Base):
    """Lifecycle: registered (available) → reserved by an offer to a person → purchased
    when the person accepts; released if the person declines; withdrawn by the provider."""

    class Registered(Base.Created):
        provider: str
        reference: str
        facility_name: str
        facility_kind: FacilityKind
        place_type: PlaceType
        room_kind: RoomKind
        price_per_day: Decimal
        available_from: date
        valid_until: date | None

    class Reserved(Base.Event):
        offer_id: UUID
        case_id: UUID

        def on(self, po: ProviderOffer) -> None:
            po.reserved_for = (self.offer_id, self.case_id)

    class Released(Base.Event):
        offer_id: UUID
        reason: str

        def on(self, po: ProviderOffer) -> None:
            po.reserved_for = None

    class Purchased(Base.Event):
        """The municipality buys the place for the person (kjøp av plass)."""

        offer_id: UUID
        case_id: UUID
        price_per_day: Decimal
        purchased_on: date

        def on(self, po: ProviderOffer) -> None:
            po.reserved_for = None
            po.purchased_for = self.case_id
            po.purchased_on = self.purchased_on

    class PurchaseEnded(Base.Event):
        """R28: the person moved from the bought place to an own place: the purchase ends
        on ``ended_on`` (the last day paid for is the day before); from that day the
        municipality saves ``price_per_day``."""

        case_id: UUID
        ended_on: date
        price_per_day: Decimal
        reason: str

        def on(self, po: ProviderOffer) -> None:
            po.purchase_ended_on = self.ended_on

    class Withdrawn(Base.Event):
        reason: str

        def on(self, po: ProviderOffer) -> None:
            po.withdrawn = True

    def __init__(
        self,
        municipality: str,
        command_id: str | None,
        provider: str,
        reference: str,
        facility_name: str,
        facility_kind: FacilityKind,
        place_type: PlaceType,
        room_kind: RoomKind,
        price_per_day: Decimal,
        available_from: date,
        valid_until: date | None,
    ) -> None:
        super().__init__(municipality, command_id)
        self.provider = provider
        self.reference = reference
        self.facility_name = facility_name
        self.facility_kind = facility_kind
        self.place_type = place_type
        self.room_kind = room_kind
        self.price_per_day = price_per_day
        self.available_from = available_from
        self.valid_until = valid_until
        self.reserved_for: tuple[UUID, UUID] | None = None
        self.purchased_for: UUID | None = None
        self.purchased_on: date | None = None
        self.purchase_ended_on: date | None = None
        self.withdrawn = False

    @property
    def facility_id(self) -> str:
        """Other providers' facilities are keyed by provider and facility name."""
        return f"{self.provider}/{self.facility_name}"

    @classmethod
    def register(
        cls,
        now: datetime,
        *,
        municipality: str,
        provider: str,
        reference: str,
        facility_name: str,
        facility_kind: FacilityKind,
        place_type: PlaceType,
        price_per_day: Decimal,
        room_kind: RoomKind = RoomKind.SINGLE,
        available_from: date | None = None,
        valid_until: date | None = None,
        command_id: str | None = None,
    ) -> ProviderOffer:
        check_municipality(municipality)
        for name, value in (("provider", provider), ("reference", reference),
                            ("facility_name", facility_name)):
            if not value or not value.strip():
                raise InvalidValue(name, "must not be empty")
        price = Decimal(price_per_day)
        if price <= 0:
            raise InvalidValue("price_per_day", "the price per day must be above zero")
        start = available_from or local_date(now)
        if valid_until is not None and valid_until < start:
            raise InvalidValue("valid_until", "the offer cannot end before it starts")
        return cls._create(
            cls.Registered,
            id=provider_offer_id(municipality, provider, reference),
            timestamp=now,
            municipality=municipality,
            command_id=command_id,
            provider=provider,
            reference=reference,
            facility_name=facility_name,
            facility_kind=facility_kind,
            place_type=place_type,
            room_kind=room_kind,
            price_per_day=price,
            available_from=start,
            valid_until=valid_until,
        )

    def is_available_on(self, day: date) -> bool:
        return (
            not self.withdrawn
            and self.reserved_for is None
            and self.purchased_for is None
            and self.available_from <= day
            and (self.valid_until is None or day <= self.valid_until)
        )

    def reserve(self, now: datetime, *, offer_id: UUID, case_id: UUID,
                command_id: str | None = None) -> None:
        if not self.is_available_on(local_date(now)):
            raise InvalidState("the other provider's place is not available",
                               field="provider_offer_id")
        self.trigger_event(self.Reserved, timestamp=now, command_id=command_id,
                           offer_id=offer_id, case_id=case_id)

    def release(self, now: datetime, *, offer_id: UUID, reason: str,
                command_id: str | None = None) -> None:
        if self.reserved_for is None or self.reserved_for[0] != offer_id:
            raise InvalidState("the place is not reserved for this offer", field="offer_id")
        self.trigger_event(self.Released, timestamp=now, command_id=command_id,
                           offer_id=offer_id, reason=reason)

    def purchase(self, now: datetime, *, offer_id: UUID, case_id: UUID,
                 command_id: str | None = None) -> None:
        if self.reserved_for != (offer_id, case_id):
            raise InvalidState("the place is not reserved for this person", field="offer_id")
        self.trigger_event(self.Purchased, timestamp=now, command_id=command_id,
                           offer_id=offer_id, case_id=case_id,
                           price_per_day=self.price_per_day, purchased_on=local_date(now))

    def withdraw(self, now: datetime, *, reason: str, command_id: str | None = None) -> None:
        if self.purchased_for is not None:
            raise InvalidState("the place has been purchased", field="provider_offer_id")
        if self.reserved_for is not None:
            raise InvalidState("the place is offered to a person; release it first",
                               field="provider_offer_id")
        self.trigger_event(self.Withdrawn, timestamp=now, command_id=command_id, reason=reason)

    def end_purchase(self, now: datetime, *, case_id: UUID, ended_on: date, reason: str,
                     command_id: str | None = None) -> None:
        """R28: the purchase for ``case_id`` ends on ``ended_on`` (a move to an own place)."""
        if self.purchased_for != case_id:
            raise InvalidState("the place is not bought for this person",
                               field="provider_offer_id")
        if self.purchase_ended_on is not None:
            raise InvalidState("the purchase has ended", field="provider_offer_id")
        if self.purchased_on is not None and ended_on < self.purchased_on:
            raise InvalidValue("moved_on", "cannot be before the purchase")
        self.trigger_event(self.PurchaseEnded, timestamp=now, command_id=command_id,
                           case_id=case_id, ended_on=ended_on,
                           price_per_day=self.price_per_day, reason=reason)
