"""How an allocation run is stored (issue 16): the problem and the plan packed (zstd, base64)
beside a small summary; runs recorded in the earlier format (version 1: problem and plan as
JSON in the event) still load, list and re-run to the identical plan (R21); the runs list
reads summaries from the read models."""

from __future__ import annotations

import json
from dataclasses import replace
from uuid import uuid4

from application.service import AllocationService
from domain.allocation import AllocationRun, pack_record, unpack_record
from projections.read_side import ReadSide
from tests.builders import MUNICIPALITY, place, waiting_case

M = MUNICIPALITY


def _story(service: AllocationService, persons: int = 12) -> list:
    cases = []
    for i in range(persons):
        c = waiting_case(service, name=f"Person {i}")
        service.assess_priority(M, c, factors={"function": 2}, need_score=30 + i * 5,
                                assessor="Sykepleier", departure_reason="skjønn")
        cases.append(c)
    for facility in ("fjellheim", "solbakken", "lia"):
        place(service, facility_id=facility)
    return cases


def _stored(service: AllocationService, run_id) -> list:
    return list(service.recorder.select_events(run_id))


def test_r21_a_run_is_stored_packed_and_unpacks_to_what_was_recorded(service, clock):
    _story(service)
    run_id = service.run_allocation(M, started_by="Lie")
    run = service.get_allocation_run(M, run_id)
    assert run.summary == {"persons": 12, "vacancies": 3, "purchasable": 0, "proposed": 3,
                           "unplaced": 9}
    assert set(run.proposed) == {a["case_id"] for a in run.plan["assignments"]}
    (stored,) = _stored(service, run_id)
    state = json.loads(stored.state)
    assert state["problem"] is None and state["plan"] is None
    assert state["codec"] == "zstd+base64"
    plain = len(json.dumps({"problem": run.problem, "plan": run.plan}))
    assert len(stored.state) < plain / 3, "the run is not stored compactly"
    assert unpack_record(state["record"]) == (run.problem, run.plan)
    # the run the application answers with at once holds what the store gives back
    fresh = service.start_allocation_run(M, started_by="Lie", command_id="again")
    stored_again = service.get_allocation_run(M, fresh.id)
    assert (fresh.problem, fresh.plan) == (stored_again.problem, stored_again.plan)
    again = service.rerun_allocation(M, run_id)
    assert again.identical and again.problem_hash == run.problem_hash


def _as_version_1(service: AllocationService, run_id):
    """Rewrite a run's creation event as the earlier release stored it: the problem and
    the plan as JSON in the event, no summary, no record (the same bytes an old store
    holds; the test stores it under a new id)."""
    (stored,) = _stored(service, run_id)
    state = json.loads(stored.state)
    problem, plan = unpack_record(state["record"])
    for key in ("summary", "assignments", "record", "codec", "read_position",
                "class_version"):
        state.pop(key)
    state.update(problem=problem, plan=plan)
    return replace(stored, state=json.dumps(state).encode("utf-8"))


def test_r21_a_run_recorded_in_the_earlier_format_loads_lists_and_reruns(service, clock):
    cases = _story(service)
    run_id = service.run_allocation(M, started_by="Lie", command_id="new-format")
    new = service.get_allocation_run(M, run_id)
    old_stored = _as_version_1(service, run_id)
    # the same event, as version 1, in a stream of its own (an old run)
    old_id = uuid4()
    service.recorder.insert_events([replace(old_stored, originator_id=old_id)])

    old = service.get_allocation_run(M, old_id)
    assert old.problem == new.problem and old.plan == new.plan
    assert old.summary == new.summary and old.proposed == new.proposed
    assert old.read_position is None
    again = service.rerun_allocation(M, old_id)
    assert again.identical and again.problem_hash == old.problem_hash
    first = next(c for c in cases if str(c) in old.proposed)
    service.approve_proposal(M, old_id, first, approved_by="Lie")  # still works
    read = ReadSide(service)
    read.catch_up()
    runs = read.allocation_runs(M)
    assert {r["run_id"] for r in runs} == {str(run_id), str(old_id)}
    by_id = {r["run_id"]: r for r in runs}
    assert by_id[str(old_id)]["proposed"] == new.summary["proposed"]
    assert by_id[str(old_id)]["approved"] == 1 and by_id[str(run_id)]["approved"] == 0


def test_r17_the_runs_list_reads_summaries_and_follows_the_officers_answers(
        service, clock):
    cases = _story(service, persons=4)
    read = ReadSide(service)
    first = service.run_allocation(M, started_by="Lie")
    clock.advance(minutes=5)
    second = service.run_allocation(M, started_by="Berg")
    run = service.get_allocation_run(M, second)
    proposed = [c for c in cases if str(c) in run.proposed]
    service.approve_proposal(M, second, proposed[0], approved_by="Berg")
    service.reject_proposal(M, second, proposed[1], rejected_by="Berg", reason="På sykehus")
    read.catch_up()
    runs = read.allocation_runs(M)
    assert [r["run_id"] for r in runs] == [str(first), str(second)]  # oldest first
    expected = {"started_by": "Berg", "persons": 4, "vacancies": 3, "proposed": 3,
                "unplaced": 1, "approved": 1, "changed": 0, "rejected": 1}
    assert {k: runs[1][k] for k in expected} == expected
    assert read.allocation_runs("0301") == []  # another municipality's runs are not listed
    until = service.get_allocation_run(M, first).created_on
    assert read.allocation_runs(M, until=until) == runs[:1]


def test_pack_record_is_smaller_and_lossless():
    problem = {"persons": [{"case_id": f"c{i}", "wishes": ["fjellheim"]} for i in range(500)]}
    plan = {"assignments": [], "explanations": [{"case_id": f"c{i}", "text": "Å vente"}
                                                for i in range(500)]}
    packed = pack_record(problem, plan)
    assert len(packed) < len(json.dumps({"problem": problem, "plan": plan})) / 5
    assert unpack_record(packed) == (problem, plan)
    assert isinstance(AllocationRun.Proposed.class_version, int)


def test_r28_a_run_recorded_before_moves_loads_with_none(service, clock):
    """Version 2 of the run's creation (before moves, R28) is upcast: no proposed moves."""
    _story(service)
    run_id = service.run_allocation(M, started_by="Lie", command_id="before-moves")
    new = service.get_allocation_run(M, run_id)
    (stored,) = _stored(service, run_id)
    state = json.loads(stored.state)
    state.pop("moves")
    state["class_version"] = 2
    old_id = uuid4()
    service.recorder.insert_events([replace(
        stored, originator_id=old_id, state=json.dumps(state).encode("utf-8"))])
    old = service.get_allocation_run(M, old_id)
    assert old.moves == {} and old.movers() == []
    assert old.proposed == new.proposed and old.plan == new.plan
