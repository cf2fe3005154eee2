"""R28 (with R13): the money a municipality saves by moving residents from bought places to
its own. A purchase ended by a move (``ProviderOffer.PurchaseEnded``) saves its price per
day from the move day on; over a year, the days from then (or the year's first day) to the
year's last day or today, whichever is first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from projections.fold import PROVIDER_OFFER
from projections.store import Store


@dataclass(frozen=True)
class MoveSavings:
    year: int
    purchases_ended: int  # bought places given up by a move, ended by the report's day
    saved_per_day: Decimal  # kroner per day, the sum of their prices
    saved_in_year: Decimal  # kroner, in the year up to the report's day


def move_savings(store: Store, municipality: str, year: int, today: date) -> MoveSavings:
    first, last = date(year, 1, 1), min(date(year, 12, 31), today)
    ended, per_day, total = 0, Decimal(0), Decimal(0)
    for doc in store.all(PROVIDER_OFFER, municipality):
        raw = doc.get("purchase_ended_on")
        if not raw:
            continue
        day = date.fromisoformat(raw)
        if day > last:
            continue
        price = Decimal(doc.get("purchase_price_per_day") or doc["price_per_day"])
        ended += 1
        per_day += price
        days = (last - max(day, first)).days + 1
        if days > 0:
            total += price * days
    return MoveSavings(year, ended, per_day, total)


__all__ = ["MoveSavings", "move_savings"]
