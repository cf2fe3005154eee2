"""The simulation's random draws, from one ``random.Random`` per run. Pure."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from domain.values import PlaceType
from simulator.profile import Profile

_YEAR = 365.25


@dataclass(frozen=True)
class Need:
    """What an applicant turns out to need, as the investigation will find."""

    decision: str  # "grant", "waiting_list" or "rejection"
    place_type: PlaceType
    dementia: bool
    couple: bool
    need_score: int


def stay_days(rng: random.Random, profile: Profile) -> float:
    """A length of stay from admission (the admission cohort's survival): piecewise
    constant yearly hazards (see :attr:`Profile.hazards`), or exponential (theory)."""
    if profile.exponential_stay_days:
        return rng.expovariate(1.0 / profile.exponential_stay_days)
    h1, h2, h3 = profile.hazards
    t = rng.expovariate(h1)
    if t < 1.0:
        return t * _YEAR
    median = profile.median_stay_years
    t = 1.0 + rng.expovariate(h2)
    if t < median:
        return t * _YEAR
    return (median + rng.expovariate(h3)) * _YEAR


def remaining_stay_days(rng: random.Random, profile: Profile) -> float:
    """For a resident at the start: the rest of a stay already under way, as in a
    steady state (the stay's age drawn in proportion to survival, then the rest given
    that age) — never the cohort's whole stay."""
    if profile.exponential_stay_days:
        return rng.expovariate(1.0 / profile.exponential_stay_days)
    while True:  # length-biased: a stay is met in proportion to its length
        stay = stay_days(rng, profile)
        if rng.random() < min(1.0, stay / (12 * profile.mean_stay_days)):
            return rng.random() * stay


def need(rng: random.Random, profile: Profile) -> Need:
    if profile.plain_queue:
        return Need("waiting_list", PlaceType.ORDINARY, False, False, 50)
    draw = rng.random()
    decision = "rejection" if draw < profile.rejection_share else \
        "grant" if draw < profile.rejection_share + profile.grant_share else "waiting_list"
    # dementia is the decision's ground (diagnosed, R7) for a share of those with it; the
    # others' (milder) dementia is not recorded as a diagnosis on the case
    dementia = rng.random() < profile.dementia_share and \
        rng.random() < profile.screened_if_dementia
    if rng.random() < profile.reinforced_need_share:
        place_type = PlaceType.REINFORCED
    elif dementia:
        place_type = PlaceType.SCREENED
    else:
        place_type = PlaceType.ORDINARY
    couple = decision == "waiting_list" and rng.random() < profile.couple_share
    return Need(decision, place_type, dementia, couple, rng.randint(20, 80))


def days_until(rng: random.Random, per_year: float) -> float:
    """The time to an event happening at ``per_year`` (exponential); inf if never."""
    return rng.expovariate(per_year / _YEAR) if per_year > 0 else math.inf
