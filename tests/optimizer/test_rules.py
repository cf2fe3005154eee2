"""Hand-made cases, one rule each, and where the plan beats allocation by hand."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from optimizer import (
    AllocationPlan,
    AssignmentKind,
    FacilityKind,
    FactKind,
    PlaceType,
    PlanStatus,
    ReasonCode,
    Room,
    Vacancy,
    check_explanations,
    greedy_baseline,
    solve,
)

from .helpers import D0, offer, person, place, problem


def kinds(plan: AllocationPlan, case_id: str) -> set[FactKind]:
    return {f.kind for f in plan.explanation_of(case_id).facts}


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
    assert FactKind.TAKEN_FOR_DEMENTIA in kinds(plan, "A") and e.higher_need_case_ids == ()
    assert "trenger skjermet plass (§ 2-1 femte ledd)" in e.text
    assert check_explanations(prob, plan) == []


def test_r7_ordinary_place_for_dementia_only_with_a_reason() -> None:
    """An ordinary place at the resident spouse's facility is allowed, and says why."""
    prob = problem([place("o1", "F1")],
                   [person("A", 70, "screened", spouse_resident_facility_id="F1"),
                    person("B", 60, "screened")])
    plan = solve(prob)
    assert plan.own == {"A": "o1"}
    e = plan.explanation_of("A")
    assert e.type_fit == "ordinary_for_dementia"
    assert FactKind.ORDINARY_FOR_DEMENTIA in kinds(plan, "A")
    assert "bo sammen med ektefellen eller samboeren din" in e.text
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
    assert FactKind.SPOUSE_SAME_FACILITY in kinds(plan, "W")


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
    e = plan.explanation_of("A")
    assert e.higher_need_case_ids == ("U",)
    taken = next(f for f in e.facts if f.kind is FactKind.TAKEN_BY_URGENT)
    assert taken.case_ids == ("U",)
    assert check_explanations(prob, plan) == []


def test_r15_urgent_before_screened_preference() -> None:
    """R15 goes before the R7 preference: an urgent person with an ordinary decision gets the
    only (screened) vacancy before a non-urgent person with dementia of greater need; the
    latter is told the place went to someone urgent, not to someone of greater need."""
    prob = problem([place("s1", "F1", "screened")],
                   [person("U", 30, urgent=True), person("D", 90, "screened")])
    plan = solve(prob)
    assert plan.own == {"U": "s1"}
    d = plan.explanation_of("D")
    assert kinds(plan, "D") >= {FactKind.TAKEN_BY_URGENT, FactKind.NOT_PLACEABLE_AFTER_THOSE_AHEAD}
    assert FactKind.TAKEN_BY_AHEAD not in kinds(plan, "D")
    assert "større behov" not in d.text and "haster" not in d.text
    assert "ikke lenger kan ivaretas forsvarlig i hjemmet" in d.text
    u = plan.explanation_of("U")
    assert u.type_fit == "screened_not_needed"
    behind = next(f for f in u.facts if f.kind is FactKind.SCREENED_NEEDERS_BEHIND_URGENT)
    assert behind.count == 1
    assert FactKind.SCREENED_NEEDERS_ALL_OFFERED not in kinds(plan, "U")
    assert check_explanations(prob, plan) == []


def test_r15_urgent_without_own_place_gets_the_cheapest_bought_place() -> None:
    prob = problem([place("a", "F1")],
                   [person("U1", 90, urgent=True), person("U2", 80, urgent=True),
                    person("N", 100)],
                   [offer("exp", "P1", 300_000), offer("cheap", "P2", 180_050)])
    plan = solve(prob)
    assert plan.own == {"U1": "a"}
    assert plan.purchases == {"U2": "cheap"}
    e = plan.explanation_of("U2")
    assert e.code is ReasonCode.PURCHASE_URGENT and "1 800,50 kroner per døgn" in e.text
    assert plan.assignment_of("U2").price_per_day_ore == 180_050  # type: ignore[union-attr]
    assert plan.explanation_of("N").outcome == "none"


def test_r15_unplaced_urgent_told_of_the_bridging_stay_as_recorded() -> None:
    prob = problem([], [person("U", 80, urgent=True),
                        person("V", 70, urgent=True, bridging_stay=True)])
    plan = solve(prob)
    assert FactKind.BRIDGING_STAY_NEEDED in kinds(plan, "U")
    assert FactKind.BRIDGING_STAY_CONTINUES in kinds(plan, "V")
    assert "korttidsopphold må dekke" not in plan.explanation_of("V").text
    assert "blir på korttidsplassen din" in plan.explanation_of("V").text
    assert check_explanations(prob, plan) == []


def test_r16_greatest_need_first_then_longest_wait() -> None:
    old = D0 - dt.timedelta(days=200)
    prob = problem([place("a", "F1")],
                   [person("A", 60), person("B", 80), person("C", 80, waiting_since=old)])
    plan = solve(prob)
    assert plan.own == {"C": "a"}
    e = plan.explanation_of("A")
    assert e.code is ReasonCode.HIGHER_NEED_TOOK_PLACES
    assert e.higher_need_case_ids == ("C",)
    assert [e.waiting_list_rank for e in plan.explanations] == [3, 2, 1]


def test_r16_unassessed_ranks_after_assessed_and_is_told_so() -> None:
    """A person without an assessment comes after every assessed person of the same urgency
    (not as if their need were 0), before nobody urgent, and is told so."""
    prob = problem([place("a", "F1")],
                   [person("N", None, waiting_since=D0 - dt.timedelta(days=400)),
                    person("Z", 0), person("U", None, urgent=True)])
    plan = solve(prob)
    assert plan.own == {"U": "a"}
    rank = {e.case_id: e.waiting_list_rank for e in plan.explanations}
    assert rank == {"U": 1, "Z": 2, "N": 3}
    n = plan.explanation_of("N")
    assert FactKind.NOT_ASSESSED in kinds(plan, "N") and "ikke vurdert" in n.text
    assert FactKind.NOT_ASSESSED not in kinds(plan, "Z")
    assert check_explanations(prob, plan) == []


def test_r16_wishes_decide_where_not_who() -> None:
    prob = problem([place("a", "F1"), place("b", "F2")],
                   [person("A", 90, wishes=("F2",)), person("B", 80, wishes=("F2", "F1")),
                    person("C", 70, wishes=("F1",))])
    plan = solve(prob)
    assert set(plan.own) == {"A", "B"}
    assert plan.own == {"A": "b", "B": "a"}
    assert plan.explanation_of("A").wish_rank == 1
    assert plan.explanation_of("B").wish_rank == 2


def test_r16_wish_goes_to_greater_need() -> None:
    """Two placed persons wish for the same facility, which has one place: the one of greater
    need gets it, though giving it to the other would meet more wishes in sum."""
    prob = problem([place("a", "F1"), place("b", "F2")],
                   [person("A", 90, wishes=("F1", "F2")), person("B", 80, wishes=("F1",))])
    plan = solve(prob)
    assert plan.own == {"A": "a", "B": "b"}
    assert plan.explanation_of("A").wish_rank == 1
    b = plan.explanation_of("B")
    assert b.wish_rank is None
    miss = next(f for f in b.facts if f.kind is FactKind.WISH_WENT_TO_EARLIER)
    assert miss.facility_ids == ("F1",) and miss.facility_names == ("F1 sykehjem",)
    assert check_explanations(prob, plan) == []


def test_r16_wish_goes_to_greater_need_across_types() -> None:
    """The lower-need person's first wish is not bought by moving the higher-need person
    off theirs: A (ordinary) keeps F1's only ordinary place, B gets F2."""
    prob = problem([place("a", "F1"), place("b", "F2", "screened"), place("c", "F2")],
                   [person("A", 90, wishes=("F1",)), person("B", 80, wishes=("F1", "F2")),
                    person("C", 70, wishes=("F2",))])
    plan = solve(prob)
    fac = {a.case_id: a.facility_id for a in plan.assignments}
    assert fac == {"A": "F1", "B": "F2", "C": "F2"}
    assert plan.explanation_of("B").wish_rank == 2
    assert check_explanations(prob, plan) == []


def test_r18_deadline_breach_that_a_purchase_avoids() -> None:
    prob = problem([], [person("A", 50, deadline=D0 + dt.timedelta(days=3)),
                        person("B", 90, deadline=D0 + dt.timedelta(days=80))],
                   [offer("o", "P1", 210_000, provider="Privat AS")])
    assert greedy_baseline(prob).assignments == ()
    plan = solve(prob)
    assert plan.purchases == {"A": "o"}
    a = plan.assignment_of("A")
    assert a is not None and a.kind is AssignmentKind.PURCHASE and a.price_per_day_ore == 210_000
    e = plan.explanation_of("A")
    assert e.code is ReasonCode.PURCHASE_DEADLINE
    assert FactKind.CHOICE_BUY_OR_WAIT in kinds(plan, "A") and "Privat AS" in e.text
    assert plan.explanation_of("B").outcome == "none"


def test_r18_no_deadline_purchase_when_guarantee_not_running() -> None:
    """No running guarantee (deadline None: met, lost, or a grant), or a choice to wait (R19):
    no purchase for the deadline; a running deadline inside the horizon: a purchase."""
    prob = problem([], [person("A", 90, deadline=None), person("W", 80, deadline=D0,
                                                                 chose_to_wait=True),
                        person("D", 10, deadline=D0 + dt.timedelta(days=7))],
                   [offer("o1", "P1", 200_000), offer("o2", "P1", 200_000)],
                   deadline_horizon_days=7)
    plan = solve(prob)
    assert plan.purchases == {"D": "o1"}
    assert FactKind.DEADLINE not in kinds(plan, "A")
    assert FactKind.CHOSE_TO_WAIT in kinds(plan, "W")
    assert check_explanations(prob, plan) == []


def test_r5_purchase_when_own_stock_lacks_type() -> None:
    """The own stock has no place of the decided type (the application says so): a buyer at any
    time, though the deadline is far (R5, § 2-1 tredje ledd)."""
    far = D0 + dt.timedelta(days=80)
    prob = problem([place("a", "F1")],
                   [person("R", 50, "reinforced", deadline=far, own_stock_lacks_type=True),
                    person("S", 60, "reinforced", deadline=far)],
                   [offer("o1", "P1", 400_000, "reinforced"),
                    offer("o2", "P1", 400_000, "reinforced")])
    plan = solve(prob)
    assert plan.purchases == {"R": "o1"} and plan.own == {}
    e = plan.explanation_of("R")
    assert e.code is ReasonCode.PURCHASE_OWN_STOCK_LACKS_TYPE
    assert FactKind.PURCHASE_OWN_STOCK_LACKS_TYPE in kinds(plan, "R")
    assert "§ 2-1 tredje ledd" in e.text
    assert check_explanations(prob, plan) == []


def test_r19_a_person_who_chose_to_wait_is_not_bought_a_place_even_without_own_stock() -> None:
    """R19: the person's choice after a breach wins; R5 does not override it."""
    prob = problem([], [person("W", 50, "reinforced", deadline=D0, own_stock_lacks_type=True,
                               chose_to_wait=True)],
                   [offer("o1", "P1", 400_000, "reinforced")])
    plan = solve(prob)
    assert plan.purchases == {} and "W" in plan.unplaced
    assert check_explanations(prob, plan) == []


def test_money_compared_in_ore() -> None:
    """Two offers 1 øre apart: the cheaper is chosen, and the price is told to the øre."""
    prob = problem([], [person("A", 50, deadline=D0)],
                   [offer("dear", "P1", 200_001), offer("cheap", "P2", 200_000)])
    plan = solve(prob)
    assert plan.purchases == {"A": "cheap"}
    assert dict(plan.objective)["purchase_price_per_day_ore"] == 200_000
    assert "2 000 kroner per døgn" in plan.explanation_of("A").text
    prob2 = problem([], [person("A", 50, deadline=D0)],
                    [offer("dear", "P1", 200_000), offer("cheap", "P2", 199_999)])
    plan2 = solve(prob2)
    assert plan2.purchases == {"A": "cheap"}
    assert "1 999,99 kroner per døgn" in plan2.explanation_of("A").text


def test_r1_decided_kind_of_facility_only() -> None:
    prob = problem([place("n", "F1"), place("h", "F2", kind="housing_24h")],
                   [person("A", 90, decided_facility_kind=FacilityKind.HOUSING_24H),
                    person("B", 80, decided_facility_kind=FacilityKind.HOUSING_24H)],
                   [offer("o", "P1", 200_000, kind="nursing_home")])
    plan = solve(prob)
    assert plan.own == {"A": "h"} and plan.purchases == {}
    assert check_explanations(prob, plan) == []


def test_explanations_in_bokmal_name_facilities_by_name_never_ids_or_rule_codes() -> None:
    v = Vacancy("plass-17", "fac-0042", FacilityKind.NURSING_HOME, "u", PlaceType.ORDINARY,
                Room.SINGLE, 1, D0, "Solsiden sykehjem")
    prob = problem([v], [person("A", 90, wishes=("fac-0042",)), person("B", 80)],
                   [offer("o", "fac-0099", 150_000)])
    plan = solve(prob)
    texts = " ".join(e.text for e in plan.explanations)
    assert "Solsiden sykehjem" in texts and "fac-00" not in texts and "plass-17" not in texts
    for word in ("R15", "R16", "R7", "place", "waiting", "urgent", "NOK"):
        assert word not in texts
    assert plan.explanation_of("A").text == (
        "Du er nummer 1 på ventelisten. Du får tilbud om en ordinær plass på Solsiden "
        "sykehjem. Det er stedet du ønsket deg mest.")


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
    plan = solve(prob)
    e = plan.explanation_of("C")
    assert e.outcome == "none" and e.higher_need_case_ids == ("A", "B")
    taken = next(f for f in e.facts if f.kind is FactKind.TAKEN_BY_AHEAD)
    assert taken.case_ids == ("A", "B") and taken.count == 2
    assert "gikk til 2 personer som står foran deg på ventelisten" in e.text


def test_invalid_spouse_reference_is_refused() -> None:
    with pytest.raises(ValueError):
        solve(problem([], [person("A", 1, spouse_case_id="nobody")]))


def test_a_wished_facility_without_a_vacancy_is_named_by_its_name() -> None:
    """Explanations name facilities, never their ids or slugs: a wished facility with nothing
    vacant takes its name from the problem's list of the municipality's facilities."""
    prob = dataclasses.replace(
        problem([place("a", "F1")], [person("A", 50, wishes=("F9", "F1"))]),
        facility_names=(("F1", "Fjellheim sykehjem"), ("F9", "Solbakken bo- og omsorgssenter")))
    plan = solve(prob)
    text = plan.explanation_of("A").text
    assert "Solbakken bo- og omsorgssenter" in text and "F9" not in text
    assert check_explanations(prob, plan) == []
