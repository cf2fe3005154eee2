"""The measures in Norwegian for the page and the report: every measure named and shown
once, and an interval written within the values the measure can take."""

from __future__ import annotations

from simulator.compare import MEASURES
from simulator.words import GROUPS, MEASURE_WORDS, cell


def test_every_measure_has_words_and_one_place_in_the_sections() -> None:
    shown = [m for _, measures in GROUPS for m in measures]
    assert sorted(shown) == sorted(MEASURES) and len(set(shown)) == len(shown)
    assert set(MEASURE_WORDS) == set(MEASURES)


def test_a_mean_with_its_interval_is_written_the_norwegian_way_within_possible_values(
        ) -> None:
    assert cell("breaches", {"mean": 12.34, "low": -3.2, "high": 1234.5}) \
        == "12,3 (0,0 – 1 234,5)"  # no count below zero
    assert cell("purchase_cost_nok", {"mean": 125400.0, "low": -5.0, "high": 9706931.8}) \
        == "125 400 (0 – 9 706 932)"  # whole kroner
    assert cell("screened", {"mean": 0.94, "low": 0.5, "high": 1.2}, share=True) \
        == "94 % (50 % – 100 %)"  # a share never above 100 %
    assert cell("moves", {"mean": 0.0, "low": 0.0, "high": 0.0}) == "0,0"  # all runs alike
    assert cell("moves", {"mean": 2.0, "low": None, "high": None}) == "2,0"  # one run
    assert cell("moves", {"mean": None, "low": None, "high": None}) == "–"
