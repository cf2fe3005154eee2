"""The municipality's own figures as the policy lab's baseline (kommunens egne tall).

Management may start «Hva om?» from the published figures (:class:`~simulator.profile.Profile`'s
defaults) or from its own: the beds it has by place type, in rooms for two, in how many
facilities; how many it admitted in the last twelve months per 1,000 beds; what a bought
place cost it a day; and its policy in force (the guarantee's months, free choice, what a
declined offer does). :func:`own_figures` turns what the read models say into those
settings; whatever the municipality's own records cannot tell (stays' survival, dementia,
rejections, complaints …) stays at the published figures, and :attr:`OwnFigures.kept`
names what could not be taken and why. Pure: the caller reads, this computes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from simulator.profile import Profile, SettingError, parse_profile

_TYPES = ("ordinary", "screened", "reinforced")


@dataclass(frozen=True)
class PlaceRow:
    """One own place as the read models hold it (its document's fields)."""

    place_type: str
    room_kind: str
    facility_id: str
    capacity: int
    open: bool


@dataclass(frozen=True)
class OwnFigures:
    """What the lab takes from the municipality (see the module)."""

    beds: dict[str, int]  # open beds by place type
    double_room_beds: int
    facilities: int
    first_month: date
    last_month: date
    admissions: int  # in the months first_month … last_month
    purchased_place_days: int
    purchase_cost: Decimal
    policy: dict[str, Any]
    #: the settings taken (profile setting -> value), valid together
    settings: dict[str, Any] = field(default_factory=dict)
    #: figures that could not be taken, and why (the published figure stands)
    kept: dict[str, str] = field(default_factory=dict)

    @property
    def places(self) -> int:
        return sum(self.beds.values())


def own_figures(places: Iterable[PlaceRow], months: Iterable[Any], policy: Any,
                first_month: date, last_month: date) -> OwnFigures | None:
    """The municipality's figures from its own places, its management statistics' rows for
    all place types (``place_type == "all"``, with ``admissions``, ``purchased_place_days``
    and ``purchase_cost``) over ``first_month`` … ``last_month``, and its policy settings in
    force (``guarantee_months``, ``free_choice``, ``declined_offer_effect``). None when it
    has no open place (nothing to simulate)."""
    beds = dict.fromkeys(_TYPES, 0)
    doubles, facilities = 0, set()
    for p in places:
        if not p.open or p.place_type not in beds:
            continue
        beds[p.place_type] += p.capacity
        doubles += p.capacity if p.capacity > 1 else 0
        facilities.add(p.facility_id)
    total = sum(beds.values())
    if total == 0:
        return None
    rows = [r for r in months if r.place_type == "all"]
    admissions = sum(r.admissions for r in rows)
    days = sum(r.purchased_place_days for r in rows)
    cost = sum((Decimal(r.purchase_cost) for r in rows), Decimal(0))
    settings: dict[str, Any] = {
        "places": total, "screened_share": round(beds["screened"] / total, 4),
        "reinforced_share": round(beds["reinforced"] / total, 4),
        "double_room_share": round(doubles / total, 4),
        "facilities": min(50, max(1, len(facilities)))}
    kept: dict[str, str] = {}
    span = len(rows)
    if admissions and span:
        per_1000 = round(admissions * 12 / span * 1000 / total, 1)
        candidate = {**settings, "admissions_per_1000": per_1000}
        try:
            parse_profile(candidate).hazards  # noqa: B018 - the stays must fit the rate
            settings = candidate
        except SettingError:
            kept["admissions_per_1000"] = "out_of_range"
    else:
        kept["admissions_per_1000"] = "no_admissions"
    if days:
        settings["purchase_price_per_day"] = round(float(cost) / days)
    else:
        kept["purchase_price_per_day"] = "no_purchases"
    parse_profile(settings)  # a bug here is ours: the settings must make a profile
    return OwnFigures(
        beds=beds, double_room_beds=doubles, facilities=len(facilities),
        first_month=first_month, last_month=last_month, admissions=admissions,
        purchased_place_days=days, purchase_cost=cost,
        policy=_policy(policy), settings=settings, kept=kept)


def _policy(settings: Any) -> dict[str, Any]:
    effect = settings.declined_offer_effect
    return {"guarantee_months": int(settings.guarantee_months),
            "free_choice": bool(settings.free_choice),
            "declined_offer_effect": getattr(effect, "value", effect)}


def profile_of(figures: OwnFigures, changes: Mapping[str, Any] | None = None) -> Profile:
    """The published profile with the municipality's figures (and ``changes``) in it."""
    return parse_profile({**figures.settings, **(changes or {})})


__all__ = ["OwnFigures", "PlaceRow", "own_figures", "profile_of"]
