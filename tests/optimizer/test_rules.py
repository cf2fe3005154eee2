"""Hand-made cases, one rule each, and where the plan beats allocation by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from optimizer import (
    AssignmentKind,
    PlanStatus,
    ReasonCode,
    greedy_baseline,
    solve,
)

from .helpers import D0, offer, person, place, problem


def test_r7_greedy_gives_screened_place_to_someone_who_does_not_need_it() -> None:
    """A (90, ordinary) and B (80, dementia): greedy gives A the screened place, B waits."""
    prob = problem([place("p1", "F1", "screened"), place("p2", "F2")],
                   [person("A", 90), person("B", 80, "screened")])
    greedy = greedy_baseline(prob)
    assert greedy.own == {"A": "p1"}
    plan = solve(prob)
    assert plan.status is PlanStatus.OPTIMAL
    assert plan.own == {"A": "p2", "B": "p1"}


def test_r7_screened_place_not_given_while_someone_who_needs_it_waits() -> None:
    prob = problem([place("s1", "F1", "screened")],
                   [person("A", 90), person("B", 40, "screened")])
    plan = solve(prob)
    assert plan.own == {"B": "s1"}
    e = plan.explanation_of("A")
    assert e.code is ReasonCode.SCREENED_RESERVED
    assert "dementia" in e.text


def test_r7_ordinary_place_for_dementia_only_with_a_reason() -> None:
    """An ordinary place at the resident spouse's facility is allowed, and says why."""
    prob = problem([place("o1", "F1")],
                   [person("A", 70, "screened", spouse_resident_facility_id="F1"),
                    person("B", 60, "screened")])
    plan = solve(prob)
    assert plan.own == {"A": "o1"}
    e = plan.explanation_of("A")
    assert e.type_fit == "ordinary_for_dementia"
    assert "live with your spouse" in e.text
    assert plan.explanation_of("B").code is ReasonCode.NO_PLACE_OF_DECIDED_TYPE


def test_r7_fewest_mismatches_after_wishes() -> None:
    prob = problem([place("o1", "F1"), place("s1", "F1", "screened")],
                   [person("A", 70, "screened", spouse_resident_facility_id="F1")])
    assert solve(prob).own == {"A": "s1"}


def test_r10_spouse_pair_same_facility() -> None:
    """Greedy splits the pair; the plan keeps them at one facility."""
    prob = problem([place("a", "F1"), place("b", "F2"), place("c", "F2")],
                   [person("H", 90, spouse_case_id="W"), person("W", 50, spouse_case_id="H"),
                    person("X", 70)])
    greedy = greedy_baseline(prob)
    assert greedy.own["H"] == "a" and greedy.own["W"] in {"b", "c"}  # split
    plan = solve(prob)
    own = plan.own
    assert set(own) == {"H", "W", "X"}
    fac = {a.case_id: a.facility_id for a in plan.assignments}
    assert fac["H"] == fac["W"] == "F2"
    assert "same facility" in plan.explanation_of("W").text


def test_r10_spouse_pair_share_a_double_room() -> None:
    prob = problem([place("d", "F1", room="double"), place("e", "F1", room="double")],
                   [person("H", 90, spouse_case_id="W"), person("W", 50, spouse_case_id="H"),
                    person("X", 10)])
    own = solve(prob).own
    assert own["H"] == own["W"]


def test_r10_resident_spouse_pulls_to_that_facility() -> None:
    prob = problem([place("a", "F1"), place("b", "F2")],
                   [person("A", 90, wishes=("F1",), spouse_resident_facility_id="F2")])
    assert solve(prob).own == {"A": "b"}
    prob2 = problem([place("a", "F1")], [person("A", 90, spouse_resident_facility_id="F2")])
    plan = solve(prob2)
    assert plan.own == {}
    assert plan.explanation_of("A").code is ReasonCode.SPOUSE_FACILITY_NO_PLACE


def test_r10_pair_left_out_rather_than_split() -> None:
    prob = problem([place("a", "F1"), place("b", "F2")],
                   [person("H", 90, spouse_case_id="W"), person("W", 80, spouse_case_id="H")])
    plan = solve(prob)
    assert set(plan.own) == {"H"}
    assert plan.explanation_of("W").code is ReasonCode.SPOUSE_CONSTRAINT


def test_r11_accompanying_spouse_needs_a_double_room() -> None:
    prob = problem([place("s", "F1"), place("d", "F2", room="double")],
                   [person("A", 90, accompanying_spouse=True), person("B", 80),
                    person("C", 70)])
    plan = solve(prob)
    assert plan.own == {"A": "d", "B": "s"}
    prob2 = problem([place("s", "F1")], [person("A", 90, accompanying_spouse=True)])
    assert solve(prob2).explanation_of("A").code is ReasonCode.NO_DOUBLE_ROOM


def test_r15_urgent_goes_before_greater_need() -> None:
    prob = problem([place("a", "F1")], [person("A", 100), person("U", 30, urgent=True)])
    plan = solve(prob)
    assert plan.own == {"U": "a"}
    assert "U" in plan.explanation_of("A").higher_need_case_ids


def test_r15_urgent_without_own_place_gets_the_cheapest_bought_place() -> None:
    prob = problem([place("a", "F1")],
                   [person("U1", 90, urgent=True), person("U2", 80, granted_outright=True),
                    person("N", 100)],
                   [offer("exp", "P1", 3000), offer("cheap", "P2", 1800)])
    plan = solve(prob)
    assert plan.own == {"U1": "a"}
    assert plan.purchases == {"U2": "cheap"}
    e = plan.explanation_of("U2")
    assert e.code is ReasonCode.PURCHASE_URGENT and "1800 NOK" in e.text
    assert plan.explanation_of("N").outcome == "none"


def test_r16_greatest_need_first_then_longest_wait() -> None:
    old = D0 - dt.timedelta(days=200)
    prob = problem([place("a", "F1")],
                   [person("A", 60), person("B", 80), person("C", 80, decision_date=old)])
    plan = solve(prob)
    assert plan.own == {"C": "a"}
    e = plan.explanation_of("A")
    assert e.code is ReasonCode.HIGHER_NEED_TOOK_PLACES
    assert e.higher_need_case_ids == ("C",)


def test_r16_wishes_decide_where_not_who() -> None:
    prob = problem([place("a", "F1"), place("b", "F2")],
                   [person("A", 90, wishes=("F2",)), person("B", 80, wishes=("F2", "F1")),
                    person("C", 70, wishes=("F1",))])
    plan = solve(prob)
    assert set(plan.own) == {"A", "B"}
    assert plan.own == {"A": "b", "B": "a"}
    assert plan.explanation_of("A").wish_rank == 1
    assert plan.explanation_of("B").wish_rank == 2


def test_r16_wishes_maximised_over_everyone() -> None:
    """Both get their first wish only if the higher-need person takes the place they both like
    second: the plan maximises the sum of wish scores, not the first person's alone."""
    prob = problem([place("a", "F1"), place("b", "F2")],
                   [person("A", 90, wishes=("F1", "F2")), person("B", 80, wishes=("F1",))])
    plan = solve(prob, )
    assert plan.own == {"A": "b", "B": "a"} or plan.own == {"A": "a", "B": "b"}
    assert dict(plan.objective)["own_wish_score"] == 160


def test_r18_deadline_breach_that_a_purchase_avoids() -> None:
    prob = problem([], [person("A", 50, deadline=D0 + dt.timedelta(days=3)),
                        person("B", 90, deadline=D0 + dt.timedelta(days=80))],
                   [offer("o", "P1", 2100, provider="Privat AS")])
    assert greedy_baseline(prob).assignments == ()
    plan = solve(prob)
    assert plan.purchases == {"A": "o"}
    a = plan.assignment_of("A")
    assert a is not None and a.kind is AssignmentKind.PURCHASE and a.price_per_day == 2100
    e = plan.explanation_of("A")
    assert e.code is ReasonCode.PURCHASE_DEADLINE and "choose" in e.text
    assert plan.explanation_of("B").outcome == "none"


def test_r18_cheapest_suitable_offer_and_type() -> None:
    prob = problem([], [person("A", 50, "screened", deadline=D0)],
                   [offer("o1", "P1", 1000), offer("o2", "P1", 2500, "screened"),
                    offer("o3", "P2", 2000, "screened")])
    assert solve(prob).purchases == {"A": "o3"}


def test_r18_spouse_placed_pulls_purchase_to_that_facility() -> None:
    prob = problem([place("a", "F1")],
                   [person("H", 90, spouse_case_id="W"),
                    person("W", 50, spouse_case_id="H", deadline=D0)],
                   [offer("x", "P1", 1000), offer("y", "F1", 3000)])
    plan = solve(prob)
    assert plan.own == {"H": "a"} and plan.purchases == {"W": "y"}


def test_reinforced_only_to_someone_assessed() -> None:
    prob = problem([place("r", "F1", "reinforced")],
                   [person("A", 100, "reinforced", reinforced_assessed=False),
                    person("B", 20, "reinforced"), person("C", 90)])
    plan = solve(prob)
    assert plan.own == {"B": "r"}
    assert plan.explanation_of("A").code is ReasonCode.REINFORCED_NOT_ASSESSED
    assert plan.explanation_of("C").code is ReasonCode.NO_PLACE_OF_DECIDED_TYPE


def test_single_vacancy_goes_to_the_highest_ranked_eligible() -> None:
    persons = [person(f"p{i}", (i * 37) % 101, "screened" if i % 3 == 0 else "ordinary")
               for i in range(200)]
    prob = problem([place("a", "F1")], persons)
    plan = solve(prob)
    best = min(persons, key=lambda p: (p.decided_place_type.value != "ordinary",
                                       -p.need_score, p.case_id))
    assert plan.own == {best.case_id: "a"}


def test_unplaced_explanations_name_the_persons_who_took_the_places() -> None:
    prob = problem([place("a", "F1"), place("b", "F1")],
                   [person("A", 90), person("B", 80), person("C", 10)])
    e = solve(prob).explanation_of("C")
    assert e.outcome == "none" and e.higher_need_case_ids == ("A", "B")
    assert "fewer suitable places" in e.text


def test_invalid_spouse_reference_is_refused() -> None:
    with pytest.raises(ValueError):
        solve(problem([], [person("A", 1, spouse_case_id="nobody")]))
