"""The vacancy board: the municipality's own places that are vacant, reserved (offered and
awaiting an answer or admission) or closed, by facility, unit and type; and other providers'
offers (kjøp fra annen leverandør) with their price per day.

Occupied places are not on the board, but for one kind: a double room whose beds are all
taken by a couple with an accompanying spouse (R11) is shown as "couple", so the board says
why the room's second bed is not free. A place is "vacant" while it has a free bed (a double
room with one resident and no offer has one), "reserved" when every free bed is held by an
offer. ``accompanying_beds`` counts the beds held (reserved or occupied) by a spouse in an
accompanying stay: after the resident spouse died or moved, the room shows one bed free and
one still the accompanying spouse's until a new decision on that stay.

Another provider's offer is on the board while it is not withdrawn, not purchased and
within its validity on the day the board is read.

The facilities, by contrast, are every facility with an own place registered, full or not:
what a person may rank among their wishes (R16, R20).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from projections.derived import ACCOMPANYING_TABLE, BOARD_TABLE, PROVIDER_BOARD_TABLE
from projections.fold import CASE, PLACE, PROVIDER_OFFER
from projections.store import Doc, SqlStore, Store


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
    accompanying_beds: int = 0  # R11: beds held by a spouse in an accompanying stay


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
    """The board from the documents (any store, and the read models as of a moment)."""
    places: list[PlaceRow] = []
    for d in store.all(PLACE, municipality):
        row = place_row(d, today, lambda holders: _accompanying_beds(store, holders))
        if row is not None:
            places.append(row)
    offers = [provider_offer_row(d) for d in store.all(PROVIDER_OFFER, municipality)
              if not (d["withdrawn"] or d["purchased_for"]) and _valid(d, today)]
    return _board(places, offers)


def vacancy_board_in_sql(store: SqlStore, municipality: str, today: date) -> VacancyBoard:
    """:func:`vacancy_board` of the current read models, from ``lto_rm_board`` (only the
    places that may be on the board: see :mod:`projections.derived`), the other providers'
    offers still to be had, and the municipality's cases with an accompanying stay in force:
    no document decoded."""
    store.flush()
    store.execute(f"SELECT facts FROM {store.name(BOARD_TABLE)} WHERE municipality = %s "
                  "AND candidate = 1", (municipality,))
    candidates = [json.loads(r["facts"]) for r in store.cursor.fetchall()]
    # the accompanying stays in force are few (a couple in a room for two, R11): the
    # municipality's all, by one statement whatever the board's size
    store.execute(f"SELECT key FROM {store.name(ACCOMPANYING_TABLE)} WHERE municipality = %s",
                  (municipality,))
    accompanying = {r["key"] for r in store.cursor.fetchall()}
    places = [row for d in candidates if (row := place_row(
        d, today, lambda hs: sum(1 for c in hs if c in accompanying))) is not None]
    store.execute(f"SELECT facts FROM {store.name(PROVIDER_BOARD_TABLE)} WHERE municipality "
                  "= %s AND (valid_until IS NULL OR valid_until >= %s)",
                  (municipality, today.isoformat()))
    offers = [provider_offer_row(json.loads(r["facts"])) for r in store.cursor.fetchall()]
    return _board(places, offers)


def _board(places: list[PlaceRow], offers: list[ProviderOfferRow]) -> VacancyBoard:
    places.sort(key=lambda p: (p.facility_id, p.unit, p.place_type, p.room, p.place_id))
    offers.sort(key=lambda o: (o.place_type, o.price_per_day, o.provider, o.reference))
    return VacancyBoard(places, offers)


def _valid(d: Doc, today: date) -> bool:
    return d["valid_until"] is None or date.fromisoformat(d["valid_until"]) >= today


def _staying(d: Doc, today: date) -> list[str]:
    leaving = {c: date.fromisoformat(x) for c, x in (d.get("leaving") or {}).items()}
    return [c for c in d["occupants"] if c not in leaving or leaving[c] > today]


def place_row(d: Doc, today: date, accompanying_beds: Callable[[list[str]], int]
              ) -> PlaceRow | None:
    """A place's row on the board on ``today`` (None: not on it, every bed occupied), from
    its document or its board facts; ``accompanying_beds`` counts the holders given whose
    accompanying stay is in force (R11)."""
    reserved = len(d["reservations"])
    leaving = {c: date.fromisoformat(x) for c, x in (d.get("leaving") or {}).items()}
    staying = _staying(d, today)
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
        status = "occupied"  # not on the board, unless a couple holds it (below)
    accompanying = (accompanying_beds([*staying, *d["reservations"].values()])
                    if d["capacity"] > 1 else 0)
    if status == "occupied":
        if not accompanying:
            return None
        status = "couple"  # R11: both beds the couple's
    return PlaceRow(
        d["place_id"], d["facility_id"], d["facility_name"], d["facility_kind"], d["unit"],
        d["room"], d["place_type"], d["room_kind"], status, free, reserved, available,
        d["closed_reason"], accompanying)


def provider_offer_row(d: Doc) -> ProviderOfferRow:
    valid_until = date.fromisoformat(d["valid_until"]) if d["valid_until"] else None
    return ProviderOfferRow(
        d["provider_offer_id"], d["provider"], d["reference"], d["facility_name"],
        d["place_type"], Decimal(d["price_per_day"]), date.fromisoformat(d["available_from"]),
        valid_until, "reserved" if d["reserved_for"] else "available")


def _accompanying_beds(store: Store, holders: list[str]) -> int:
    """R11: the beds of a room held — reserved or occupied — by a spouse whose case has an
    accompanying stay in force."""
    count = 0
    for case_id in holders:
        doc = store.get(CASE, case_id)
        stay = doc.get("accompanying") if doc else None
        if stay and stay.get("concluded") is None:
            count += 1
    return count


def facilities(store: Store, municipality: str) -> list[Facility]:
    """Every facility with an own place registered in the municipality — vacant, reserved,
    full or closed — once, by name (case-insensitive), then id."""
    names = {d["facility_id"]: d["facility_name"] for d in store.all(PLACE, municipality)}
    return [Facility(facility_id, name) for facility_id, name
            in sorted(names.items(), key=lambda item: (item[1].casefold(), item[0]))]


def facilities_in_sql(store: SqlStore, municipality: str) -> list[Facility]:
    """:func:`facilities` of the current read models, from ``lto_rm_board``'s columns."""
    store.flush()
    store.execute(f"SELECT facility_id, facility_name FROM {store.name(BOARD_TABLE)} "
                  "WHERE municipality = %s ORDER BY key", (municipality,))
    names = {r["facility_id"]: r["facility_name"] for r in store.cursor.fetchall()}
    return [Facility(facility_id, name) for facility_id, name
            in sorted(names.items(), key=lambda item: (item[1].casefold(), item[0]))]
