"""The policy lab's baseline from the municipality's own figures (simulator/baseline.py):
its open beds by type, rooms for two and facilities; admissions per 1,000 beds a year from
the last twelve months; the price of a bought place a day; its policy in force. What its
records cannot tell stays at the published figures, and says why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.values import DeclinedOfferEffect
from simulator.baseline import PlaceRow, own_figures, profile_of
from simulator.profile import Profile
from simulator.scenario import parse_scenario

FIRST, LAST = date(2025, 12, 1), date(2026, 11, 1)


@dataclass
class Month:
    place_type: str
    admissions: int
    purchased_place_days: int
    purchase_cost: Decimal


@dataclass
class Policy:
    guarantee_months: int = 3
    free_choice: bool = False
    declined_offer_effect: DeclinedOfferEffect = DeclinedOfferEffect.OFFER_FULFILS_GUARANTEE


def _places() -> list[PlaceRow]:
    return ([PlaceRow("ordinary", "single", "lia", 1, True)] * 30
            + [PlaceRow("ordinary", "double", "lia", 2, True)] * 5
            + [PlaceRow("screened", "single", "fjell", 1, True)] * 16
            + [PlaceRow("reinforced", "single", "fjell", 1, True)] * 4
            + [PlaceRow("screened", "single", "lia", 1, False)] * 3)  # closed: not counted


def _months(admissions: int, days: int = 0, cost: int = 0) -> list[Month]:
    per = [Month("all", admissions // 12, days // 12, Decimal(cost) / 12) for _ in range(12)]
    return [*per, Month("ordinary", 99, 99, Decimal(99))]  # the types' rows are not summed


def test_r13_r18_the_own_figures_are_the_municipalitys_beds_flows_and_policy() -> None:
    figures = own_figures(_places(), _months(24, days=120, cost=120 * 3100),
                          Policy(guarantee_months=4, free_choice=True), FIRST, LAST)
    assert figures is not None
    assert figures.beds == {"ordinary": 40, "screened": 16, "reinforced": 4}
    assert figures.places == 60 and figures.double_room_beds == 10
    assert figures.facilities == 2 and figures.admissions == 24
    s = figures.settings
    assert s["places"] == 60 and s["screened_share"] == round(16 / 60, 4)
    assert s["reinforced_share"] == round(4 / 60, 4)
    assert s["double_room_share"] == round(10 / 60, 4)
    assert s["admissions_per_1000"] == 400.0  # 24 a year on 60 beds
    assert s["purchase_price_per_day"] == 3100
    assert figures.kept == {}
    assert figures.policy == {"guarantee_months": 4, "free_choice": True,
                              "declined_offer_effect": "offer_fulfils_guarantee"}
    # a scenario on them has the municipality's places by type
    scenario = parse_scenario({"name": "Egne", "profile": figures.settings})
    assert {t.value: n for t, n in scenario.places_by_type().items()} == figures.beds
    assert profile_of(figures).admissions_per_1000 == 400.0


def test_r13_figures_the_records_cannot_tell_stay_published_and_say_why() -> None:
    published = Profile()
    none = own_figures(_places(), _months(0), Policy(), FIRST, LAST)
    assert none is not None
    assert none.kept == {"admissions_per_1000": "no_admissions",
                         "purchase_price_per_day": "no_purchases"}
    assert profile_of(none).admissions_per_1000 == published.admissions_per_1000
    assert profile_of(none).purchase_price_per_day == published.purchase_price_per_day
    # so many admissions that the stays' survival cannot hold them: the published figure
    many = own_figures(_places(), _months(600), Policy(), FIRST, LAST)
    assert many is not None and many.kept["admissions_per_1000"] == "out_of_range"
    assert "admissions_per_1000" not in many.settings


def test_no_open_place_gives_no_own_figures() -> None:
    closed = [PlaceRow("ordinary", "single", "lia", 1, False)]
    assert own_figures(closed, _months(10), Policy(), FIRST, LAST) is None
    assert own_figures([], [], Policy(), FIRST, LAST) is None
