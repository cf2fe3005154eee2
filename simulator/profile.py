"""A municipality profile: every figure the simulation draws from, as a setting.

Pure: no I/O, no clock. The defaults are calibrated to published Norwegian figures (the
sources are in the README, section "The policy lab", and in ``CALIBRATION.md``):

- ``admissions_per_1000`` 430 admissions a year per 1,000 long-term residents (derived
  from SSB 2024: 31,129 long-term residents; Ontario ~330 for comparison);
- length of stay from *admission-cohort* survival: ``median_stay_years`` 2.2 and
  ``first_year_exit`` 0.32 (Helse Fonna/UiB 2018, yearly mortality 31.8 %); the hazard
  after the median is chosen so that the mean stay is 1,000 / ``admissions_per_1000``
  years (a full municipality in steady state admits as many as leave);
- ``dementia_share`` 0.838 at admission (PMC5441072); ``rejection_share`` 0.10 (an Oslo
  district's five-year mean, vg.no); ``short_term_share`` 0.60 of the waiting in a
  short-term place (Helsedirektoratet 2018-19); ``purchase_price_per_day`` NOK 2,850
  (Sogndal 2019).

The rest (shares of couples, urgency, declines, deaths while waiting) have no published
Norwegian figure; they are our assumptions, stated as settings a municipality changes.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields, replace
from typing import Any


class SettingError(ValueError):
    """A setting with a value the simulation cannot use; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Profile:
    """The municipality and its people; every field a setting (see the module)."""

    places: int = 120
    #: shares of the own places by type (the rest ordinary)
    screened_share: float = 0.35
    reinforced_share: float = 0.05
    double_room_share: float = 0.05
    facilities: int = 3
    admissions_per_1000: float = 430.0
    #: applications that would be admitted per admission a full municipality can make
    #: (1.0: demand equals the throughput of the places; above it, the list grows)
    demand_factor: float = 1.0
    median_stay_years: float = 2.2
    first_year_exit: float = 0.32
    #: of the stays that end, the share that end by a move (the rest by death)
    moved_out_share: float = 0.05
    #: exponential stays with this mean (days) instead of the cohort survival (theory)
    exponential_stay_days: float = 0.0
    dementia_share: float = 0.838
    #: of those with dementia, the share whose dementia grounds the decision (diagnosed:
    #: a screened place, R7); the rest are decided an ordinary place
    screened_if_dementia: float = 0.42
    reinforced_need_share: float = 0.05
    rejection_share: float = 0.10
    grant_share: float = 0.15
    couple_share: float = 0.03
    short_term_share: float = 0.60
    urgent_later_share: float = 0.10
    died_waiting_per_year: float = 0.25
    withdrawn_share: float = 0.03
    decline_share: float = 0.08
    no_answer_share: float = 0.02
    purchase_after_breach_share: float = 0.5
    purchase_price_per_day: float = 2850.0
    documentation_days: int = 10
    answer_days: int = 2
    #: R4: a grant waits this many days for an own place before one is bought
    purchase_after_days: int = 21
    wishes_share: float = 0.5
    #: the share of beds taken on the first day (1.0: every bed, as in Norway today)
    initial_occupancy: float = 1.0
    #: persons decided in the first days are left out of the measures (the start is not
    #: the steady state)
    warmup_days: int = 0
    #: priorities, dementia, couples, urgency, declines, deaths waiting and rejections off:
    #: one place type, the queue of the theory (M/M/c) — for the sanity check
    plain_queue: bool = False
    #: with ``plain_queue`` and exponential stays: the first day drawn from the M/M/c
    #: steady state (residents and a queue), so that no warm-up is needed
    steady_start: bool = False
    # --- moves and complaints (left out of a run's seed: see :func:`seed_text`)
    #: R28: a resident's need changes so that a new decision gives a screened place (an
    #: ordinary-place resident whose dementia now needs a screened unit), per year
    need_change_per_year: float = 0.10
    #: R28: the share of move offers a resident declines (and keeps the place)
    move_decline_share: float = 0.25
    #: R21: the share of rejections complained of (by the person or a relative)
    complaint_share: float = 0.10
    #: R21: the share of persons put on the waiting list who complain of the priority
    #: given them (§ 3-3: the need score), some weeks after the assessment
    priority_complaint_share: float = 0.05
    #: R21: the share of complaints the unit upholds on its own reconsideration (the rest
    #: go to the State Administrator)
    complaint_upheld_share: float = 0.20
    #: R21: the share of forwarded complaints the State Administrator decides for the
    #: complainant (the decision changed); the rest confirmed
    complaint_changed_share: float = 0.33
    #: R21: mean days from the complaint to the unit's reconsideration, and from the
    #: forwarding to the State Administrator's outcome (each drawn ±70 % around it)
    reconsider_days: int = 14
    state_administrator_days: int = 65

    # --- derived ----------------------------------------------------------------------

    @property
    def mean_stay_years(self) -> float:
        return 1000.0 / self.admissions_per_1000

    @property
    def hazards(self) -> tuple[float, float, float]:
        """Yearly exit hazards: in the first year, from it to the median, after it."""
        h1 = -math.log(1.0 - self.first_year_exit)
        h2 = (math.log(2.0) - h1) / (self.median_stay_years - 1.0)
        s1 = 1.0 - self.first_year_exit
        area = (1.0 - s1) / h1 + s1 * (1.0 - math.exp(-h2 * (self.median_stay_years - 1)))/h2
        rest = self.mean_stay_years - area
        if rest <= 0:
            raise SettingError("admissions_per_1000", "too many admissions for the stays' "
                               "survival (the mean stay would be shorter than its first part)")
        return h1, h2, 0.5 / rest

    @property
    def mean_stay_days(self) -> float:
        if self.exponential_stay_days:
            return self.exponential_stay_days
        return self.mean_stay_years * 365.25

    @property
    def applications_per_year(self) -> float:
        """Applications a year: the admissions the places make, scaled by demand, over the
        share not rejected."""
        admissions = self.places * 365.25 / self.mean_stay_days * self.demand_factor
        return admissions / (1.0 - (0.0 if self.plain_queue else self.rejection_share))

    def with_changes(self, changes: dict[str, Any]) -> Profile:
        return parse_profile({**as_dict(self), **changes})


_SHARES = {f.name for f in fields(Profile) if f.name.endswith("_share")} | {
    "first_year_exit"}
_POSITIVE = {"places", "admissions_per_1000", "demand_factor", "median_stay_years",
             "purchase_price_per_day", "facilities"}
_LIMITS: dict[str, tuple[float, float]] = {
    "places": (1, 5000), "facilities": (1, 50), "demand_factor": (0.1, 3.0),
    "median_stay_years": (1.05, 10), "admissions_per_1000": (50, 2000),
    "documentation_days": (0, 120), "answer_days": (0, 30), "purchase_after_days": (0, 365),
    "died_waiting_per_year": (0, 5),
    "initial_occupancy": (0, 1), "warmup_days": (0, 3650), "exponential_stay_days": (0, 5000),
    "need_change_per_year": (0, 5), "reconsider_days": (1, 365),
    "state_administrator_days": (1, 730),
}
#: settings a run's seed leaves out: ``steady_start`` at its default (added after runs were
#: first published, which stay the same), the settings of moves and complaints whatever
#: their values (they draw from a stream of their own: scenarios that differ only in them
#: meet the same applicants)
_UNSEEDED_AT_DEFAULT = ("steady_start",)
_UNSEEDED = ("need_change_per_year", "move_decline_share", "complaint_share",
             "complaint_upheld_share", "complaint_changed_share", "reconsider_days",
             "state_administrator_days", "priority_complaint_share")


def seed_text(profile: Profile) -> str:
    """The profile as a run's seed reads it (see :data:`_UNSEEDED`)."""
    text = str(profile)
    for name in _UNSEEDED_AT_DEFAULT:
        text = text.replace(f", {name}={getattr(Profile(), name)!r}", "")
    for name in _UNSEEDED:
        text = re.sub(rf", {name}=[^,)]*", "", text)
    return text


def as_dict(profile: Profile) -> dict[str, Any]:
    return {f.name: getattr(profile, f.name) for f in fields(Profile)}


def parse_profile(values: dict[str, Any]) -> Profile:
    """A profile from plain values (a scenario file, a form), every value checked; a bad
    one raises :class:`SettingError` naming its field."""
    known = {f.name: f for f in fields(Profile)}
    kwargs: dict[str, Any] = {}
    for name, value in values.items():
        if name not in known:
            raise SettingError(name, "unknown setting")
        default = getattr(Profile(), name)
        try:
            if isinstance(default, bool):
                if not isinstance(value, bool):
                    raise TypeError
                kwargs[name] = value
            elif isinstance(default, int):
                if isinstance(value, bool) or float(value) != int(float(value)):
                    raise TypeError
                kwargs[name] = int(float(value))
            else:
                if isinstance(value, bool):
                    raise TypeError
                kwargs[name] = float(value)
        except (TypeError, ValueError):
            raise SettingError(name, f"must be a {type(default).__name__}") from None
        number = kwargs[name]
        if name in _SHARES and not 0.0 <= number <= 1.0:
            raise SettingError(name, "a share lies between 0 and 1")
        low, high = _LIMITS.get(name, (-math.inf, math.inf))
        if (name in _POSITIVE and number <= 0) or not low <= number <= high:
            raise SettingError(name, f"must lie between {low:g} and {high:g}")
    profile = replace(Profile(), **kwargs)
    if profile.screened_share + profile.reinforced_share > 1.0:
        raise SettingError("screened_share", "screened and reinforced shares exceed 1")
    if profile.rejection_share + profile.grant_share > 1.0:
        raise SettingError("grant_share", "rejections and grants exceed all decisions")
    profile.hazards  # noqa: B018 — checks that the survival can be met
    return profile
