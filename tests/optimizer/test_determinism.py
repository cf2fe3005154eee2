"""Same problem, same plan, bit for bit: JSON round trips, re-runs and input order."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random

import pytest

from optimizer import (
    AllocationPlan,
    AllocationProblem,
    FacilityKind,
    PlaceType,
    PolicySettings,
    PurchasableOffer,
    Room,
    Vacancy,
    WaitingPerson,
    solve,
)
from optimizer.model import canonical_json, to_json

from .helpers import random_coupled_problem, random_problem


def _prob(seed: int) -> AllocationProblem:
    rng = random.Random(seed)
    return random_problem(rng, n_persons=30, n_places=12, n_offers=4, pairs=True)


@pytest.mark.parametrize("seed", range(10))
def test_problem_and_plan_round_trip_through_json(seed: int) -> None:
    prob = _prob(seed)
    text = json.dumps(prob.to_dict())
    again = AllocationProblem.from_dict(json.loads(text))
    assert again == prob
    assert again.problem_hash() == prob.problem_hash()
    plan = solve(prob)
    stored = json.dumps(plan.to_dict(), sort_keys=True)
    assert AllocationPlan.from_dict(json.loads(stored)) == plan
    # the complaint handler, years later: re-run the stored problem
    rerun = solve(AllocationProblem.from_dict(json.loads(text)))
    assert json.dumps(rerun.to_dict(), sort_keys=True) == stored
    assert rerun.problem_hash == prob.problem_hash()


@pytest.mark.parametrize("seed", range(10))
def test_plan_does_not_depend_on_input_order(seed: int) -> None:
    prob = _prob(seed)
    rng = random.Random(seed)
    shuffled = AllocationProblem(
        prob.municipality, prob.as_of,
        tuple(rng.sample(prob.vacancies, len(prob.vacancies))),
        tuple(rng.sample(prob.purchasable, len(prob.purchasable))),
        tuple(rng.sample(prob.persons, len(prob.persons))), prob.policy)
    assert solve(shuffled).to_dict() == solve(prob).to_dict()


def test_plan_records_hash_solver_and_status() -> None:
    prob = _prob(1)
    plan = solve(prob)
    assert plan.problem_hash == prob.problem_hash() and len(plan.problem_hash) == 64
    assert plan.status.value == "OPTIMAL"
    assert plan.solver.ortools_version
    assert dict(plan.solver.parameters)["cp_sat"].startswith("max_deterministic_time")
    changed = AllocationProblem.from_dict({**prob.to_dict(), "municipality": "Annen"})
    assert changed.problem_hash() != prob.problem_hash()


def test_every_person_has_an_explanation() -> None:
    prob = _prob(3)
    plan = solve(prob)
    assert [e.case_id for e in plan.explanations] == sorted(p.case_id for p in prob.persons)
    assert all(e.text for e in plan.explanations)


@pytest.mark.parametrize("seed", range(20))
def test_r21_problem_hash_is_the_sha256_of_the_generic_canonical_json(seed: int) -> None:
    """The hash is computed by compiled encoders; it must equal the documented definition, so
    that recorded runs stay comparable."""
    rng = random.Random(seed)
    prob = random_coupled_problem(rng, n_persons=rng.randint(0, 12), n_places=rng.randint(0, 5),
                                  n_offers=rng.randint(0, 3), n_pairs=2)
    text = canonical_json(to_json(prob.canonical()))
    assert prob.canonical_json() == text
    assert prob.problem_hash() == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_r21_problem_hash_is_stable_across_versions() -> None:
    """Pinned: a change here invalidates every recorded problem hash (R21 re-runs)."""
    d = dt.date(2025, 3, 1)
    prob = AllocationProblem(
        "Testkommune", d,
        (Vacancy("v2", "F1", FacilityKind.NURSING_HOME, "u1", PlaceType.SCREENED, Room.DOUBLE, 2,
                 d),
         Vacancy("v1", "F2", FacilityKind.HOUSING_24H, "u2", PlaceType.ORDINARY, Room.SINGLE, 1,
                 d + dt.timedelta(days=3))),
        (PurchasableOffer("o1", "Privat AS", "P1", PlaceType.ORDINARY, 2100, d),),
        (WaitingPerson("B", 80, False, False, PlaceType.SCREENED, True, False, False, ("F1",),
                       d - dt.timedelta(days=40), d + dt.timedelta(days=50),
                       spouse_case_id="A"),
         WaitingPerson("A", 90, True, False, PlaceType.ORDINARY, False, True, False,
                       ("F2", "F1"), d - dt.timedelta(days=30), d + dt.timedelta(days=60),
                       spouse_case_id="B"),
         WaitingPerson("C", 40, False, True, PlaceType.REINFORCED, False, False, True, (),
                       d - dt.timedelta(days=10), d + dt.timedelta(days=80),
                       spouse_resident_facility_id="F2", chose_to_wait=True)),
        PolicySettings(version=3, free_choice=True, deadline_horizon_days=10))
    assert prob.problem_hash() == (
        "af268f03bf9ab564a792dc2e20944191d07c36443d2e9d0579b09b9cfb927302")


@pytest.mark.parametrize("seed", range(3))
def test_r21_rerun_identical_with_many_couples_and_double_rooms(seed: int) -> None:
    """The coupled paths (the walk, CP-SAT, the MIP) are deterministic too, and input order
    does not matter to them."""
    prob = random_coupled_problem(random.Random(60 + seed), n_persons=40, n_places=20,
                                  n_offers=8, n_pairs=10, n_facilities=4)
    rng = random.Random(seed)
    shuffled = AllocationProblem(
        prob.municipality, prob.as_of,
        tuple(rng.sample(prob.vacancies, len(prob.vacancies))),
        tuple(rng.sample(prob.purchasable, len(prob.purchasable))),
        tuple(rng.sample(prob.persons, len(prob.persons))), prob.policy)
    first = json.dumps(solve(prob).to_dict(), sort_keys=True)
    assert json.dumps(solve(shuffled).to_dict(), sort_keys=True) == first
    assert json.dumps(solve(prob).to_dict(), sort_keys=True) == first
