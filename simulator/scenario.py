"""A scenario: the allocation method, capacity and policy one simulation runs under. Pure.

A scenario file (JSON) or the page's form gives plain values; :func:`parse_scenario`
checks every one and names the field of a bad value::

    {"name": "6 måneder", "method": "optimizer", "run_every_days": 7,
     "extra_places": {"screened": 10}, "convert_places": {"ordinary": -5, "screened": 5},
     "policy": {"guarantee_months": 6, "free_choice": true,
                "declined_offer_effect": "guarantee_continues"},
     "profile": {"places": 120, "demand_factor": 1.05}}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.values import DeclinedOfferEffect, PlaceType, PriorityFactor
from simulator.profile import Profile, SettingError, as_dict, parse_profile

METHODS = ("optimizer", "greedy", "fcfs")
_POLICY_INTS = {"guarantee_months": (1, 12), "offer_answer_days": (1, 30),
                "deadline_horizon_days": (0, 92), "offer_available_within_days": (0, 92)}


@dataclass(frozen=True)
class Scenario:
    """``method``: ``optimizer`` (the allocation run, approved by an officer), ``greedy``
    (``optimizer.greedy_baseline``: one vacancy at a time, by hand) or ``fcfs`` (first come,
    first served: the waiting-list date only). ``run_every_days``: 1 daily, 7 weekly; 0 at
    once (whenever a person is decided or a bed frees: the queue of the theory).
    ``extra_places``: own places added per type from the start; ``convert_places``: places
    changed from one type to another (the sum is zero). ``policy``: the policy's settings
    (R18, R20, the priority weights)."""

    name: str = "Grunnlag"
    method: str = "optimizer"
    run_every_days: int = 1
    extra_places: dict[str, int] = field(default_factory=dict)
    convert_places: dict[str, int] = field(default_factory=dict)
    policy: dict[str, Any] = field(default_factory=dict)
    profile: Profile = field(default_factory=Profile)

    def places_by_type(self) -> dict[PlaceType, int]:
        """The own places per type the municipality has in this scenario."""
        p = self.profile
        screened = round(p.places * p.screened_share)
        reinforced = round(p.places * p.reinforced_share)
        if p.plain_queue:
            screened = reinforced = 0
        out = {PlaceType.ORDINARY: p.places - screened - reinforced,
               PlaceType.SCREENED: screened, PlaceType.REINFORCED: reinforced}
        for changes in (self.extra_places, self.convert_places):
            for name, n in changes.items():
                out[PlaceType(name)] += n
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "method": self.method, "run_every_days": self.run_every_days,
                "extra_places": dict(self.extra_places),
                "convert_places": dict(self.convert_places), "policy": dict(self.policy),
                "profile": as_dict(self.profile)}


def _int(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise SettingError(name, "must be a whole number")
    try:
        number = float(value)
    except ValueError:
        raise SettingError(name, "must be a whole number") from None
    if number != int(number) or not low <= number <= high:
        raise SettingError(name, f"must be a whole number {low}–{high}")
    return int(number)


def _per_type(name: str, value: Any, *, low: int) -> dict[str, int]:
    if not isinstance(value, dict):
        raise SettingError(name, "must give a number per place type")
    out = {}
    for key, n in value.items():
        if key not in {t.value for t in PlaceType}:
            raise SettingError(f"{name}.{key}", "unknown place type")
        out[key] = _int(f"{name}.{key}", n, low, 5000)
    return out


def _policy(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SettingError("policy", "must be an object of settings")
    out: dict[str, Any] = {}
    for key, v in value.items():
        where = f"policy.{key}"
        if key in _POLICY_INTS:
            out[key] = _int(where, v, *_POLICY_INTS[key])
        elif key == "free_choice":
            if not isinstance(v, bool):
                raise SettingError(where, "must be true or false")
            out[key] = v
        elif key == "declined_offer_effect":
            try:
                out[key] = DeclinedOfferEffect(v).value
            except ValueError:
                raise SettingError(where, "must be "
                                   + " or ".join(e.value for e in DeclinedOfferEffect)) from None
        elif key == "priority_weights":
            if not isinstance(v, dict):
                raise SettingError(where, "must give a weight per factor")
            known = {f.value for f in PriorityFactor}
            weights = {}
            for factor, w in v.items():
                if factor not in known:
                    raise SettingError(f"{where}.{factor}", "unknown priority factor")
                weights[factor] = _int(f"{where}.{factor}", w, 0, 10)
            out[key] = weights
        else:
            raise SettingError(where, "unknown policy setting")
    return out


def parse_scenario(values: dict[str, Any], base: Profile | None = None) -> Scenario:
    """A scenario from plain values; a bad value raises :class:`SettingError` naming it."""
    if not isinstance(values, dict):
        raise SettingError("scenario", "must be an object")
    known = {"name", "method", "run_every_days", "extra_places", "convert_places", "policy",
             "profile"}
    for key in values:
        if key not in known:
            raise SettingError(key, "unknown field of a scenario")
    method = values.get("method", "optimizer")
    if method not in METHODS:
        raise SettingError("method", "must be " + ", ".join(METHODS))
    name = values.get("name", method)
    if not isinstance(name, str) or not name.strip() or len(name) > 80:
        raise SettingError("name", "must be a text of 1–80 characters")
    profile_values = values.get("profile", {})
    if not isinstance(profile_values, dict):
        raise SettingError("profile", "must be an object of settings")
    profile = parse_profile({**as_dict(base or Profile()), **profile_values})
    scenario = Scenario(
        name=name.strip(), method=method,
        run_every_days=_int("run_every_days", values.get("run_every_days", 1), 0, 28),
        extra_places=_per_type("extra_places", values.get("extra_places", {}), low=0),
        convert_places=_per_type("convert_places", values.get("convert_places", {}),
                                 low=-5000),
        policy=_policy(values.get("policy", {})), profile=profile)
    if sum(scenario.convert_places.values()) != 0:
        raise SettingError("convert_places", "places converted from one type to another "
                           "sum to zero")
    for place_type, n in scenario.places_by_type().items():
        if n < 0:
            raise SettingError("convert_places", f"fewer than no {place_type.value} places")
    return scenario


def plain_queue(servers: int, load: float, stay_days: float = 1.0) -> Scenario:
    """The queue of the theory (M/M/c, for the Erlang C check): first come, first served on
    one place type, exponential stays, Poisson arrivals at ``load`` × the places'
    throughput, allocation at once, answer and admission at once, the first day drawn
    from the steady state (a day's warm-up leaves out the queue it starts with)."""
    return parse_scenario({"method": "fcfs", "run_every_days": 0, "profile": {
        "places": servers, "plain_queue": True, "exponential_stay_days": stay_days,
        "steady_start": True, "demand_factor": load, "documentation_days": 0,
        "warmup_days": 1}})
