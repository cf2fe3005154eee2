"""The vacancy board: the municipality's own places that are vacant, reserved (offered and
awaiting an answer or admission) or closed, by facility, unit and type; and other providers'
offers (kjøp fra annen leverandør) with their price per day.

Occupied places are not on the board. A place is "vacant" while it has a free bed (a double
room with one resident and no offer has one), "reserved" when every free bed is held by an
offer. Another provider's offer is on the board while it is not withdrawn, not purchased and
within its validity on the day the board is read.

The facilities, by contrast, are every facility with an own place registered, full or not:
what a person may rank among their wishes (R16, R20).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from projections.fold import PLACE, PROVIDER_OFFER
from projections.store import Store


@dataclass(frozen=True)
class PlaceRow:
    place_id: str
    facility_id: str
    facility_name: str
    facility_kind: str
    unit: str
    room: str
    place_type: str
    room_kind: str
    status: str  # "vacant", "vacant_from" (a planned move-out, R24), "reserved", "closed"
    free_beds: int
    reserved_beds: int
    available_from: date | None
    closed_reason: str | None


@dataclass(frozen=True)
class ProviderOfferRow:
    provider_offer_id: str
    provider: str
    reference: str
    facility_name: str
    place_type: str
    price_per_day: Decimal
    available_from: date
    valid_until: date | None
    status: str  # "available" or "reserved"


@dataclass(frozen=True)
class Facility:
    facility_id: str
    facility_name: str


@dataclass(frozen=True)
class VacancyBoard:
    places: list[PlaceRow]
    provider_offers: list[ProviderOfferRow]

    def count(self, status: str) -> int:
        return sum(1 for p in self.places if p.status == status)

    def by_facility(self) -> dict[tuple[str, str, str], dict[str, int]]:
        """(facility, unit, place type) → number of places per status."""
        out: dict[tuple[str, str, str], dict[str, int]] = {}
        for p in self.places:
            counts = out.setdefault((p.facility_id, p.unit, p.place_type), {})
            counts[p.status] = counts.get(p.status, 0) + 1
        return out


def vacancy_board(store: Store, municipality: str, today: date) -> VacancyBoard:
    places: list[PlaceRow] = []
    for d in store.all(PLACE, municipality):
        reserved = len(d["reservations"])
        leaving = {c: date.fromisoformat(x) for c, x in (d.get("leaving") or {}).items()}
        staying = [c for c in d["occupants"] if c not in leaving or leaving[c] > today]
        free = max(d["capacity"] - len(staying) - reserved, 0)
        available = date.fromisoformat(d["available_from"]) if d["available_from"] else None
        if not d["open"]:
            status, free = "closed", 0
        elif free > 0:
            status = "vacant"
        elif reserved:
            status = "reserved"
        elif any(day > today for day in leaving.values()):
            status = "vacant_from"  # R24: free from the planned move-out day
            first = min(day for day in leaving.values() if day > today)
            free, available = 1, max(first, available) if available else first
        else:
            continue  # occupied: not on the board
        places.append(PlaceRow(
            d["place_id"], d["facility_id"], d["facility_name"], d["facility_kind"], d["unit"],
            d["room"], d["place_type"], d["room_kind"], status, free, reserved, available,
            d["closed_reason"]))
    places.sort(key=lambda p: (p.facility_id, p.unit, p.place_type, p.room, p.place_id))

    offers: list[ProviderOfferRow] = []
    for d in store.all(PROVIDER_OFFER, municipality):
        valid_until = date.fromisoformat(d["valid_until"]) if d["valid_until"] else None
        if d["withdrawn"] or d["purchased_for"] or (valid_until and valid_until < today):
            continue
        offers.append(ProviderOfferRow(
            d["provider_offer_id"], d["provider"], d["reference"], d["facility_name"],
            d["place_type"], Decimal(d["price_per_day"]), date.fromisoformat(d["available_from"]),
            valid_until, "reserved" if d["reserved_for"] else "available"))
    offers.sort(key=lambda o: (o.place_type, o.price_per_day, o.provider, o.reference))
    return VacancyBoard(places, offers)


def facilities(store: Store, municipality: str) -> list[Facility]:
    """Every facility with an own place registered in the municipality — vacant, reserved,
    full or closed — once, by name (case-insensitive), then id."""
    names = {d["facility_id"]: d["facility_name"] for d in store.all(PLACE, municipality)}
    return [Facility(facility_id, name) for facility_id, name
            in sorted(names.items(), key=lambda item: (item[1].casefold(), item[0]))]
