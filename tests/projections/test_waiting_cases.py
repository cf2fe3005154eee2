"""The deadline check (R18) and the allocation run (R17) finding the waiting cases in the read
models (``ReadSide.waiting_case_ids``) instead of scanning the event log, on SQLite and
PostgreSQL: the same candidates, the same breaches, the same plan, and a case decided just
before the check is found (the read side catches up before it reads)."""

from __future__ import annotations

from uuid import UUID

import optimizer as opt
from application.clock import ManualClock
from application.service import AllocationService
from domain.base import local_date
from domain.case import Case, CaseStatus
from domain.values import PlaceType
from projections.read_side import ReadSide
from tests.builders import MUNICIPALITY, document, person_number, place, waiting_case
from tests.projections.history import MUNICIPALITIES, grow

DAYS = 35  # about 600 events: waiting, placed, closed on the list, stays ended, breaches


def story_in_every_status(service: AllocationService, clock: ManualClock) -> list[UUID]:
    """The shared story (three municipalities) plus, in each municipality, a case only
    received, one granted at once (R4), one rejected (R9), one moved off the list by a
    rejection after its waiting-list decision, and the granted one's spouse in an
    accompanying stay (R11). Returns every case id."""
    cases = [c for _, c in grow(service, clock, days=DAYS).cases]
    for m in MUNICIPALITIES:
        received = service.receive_application(m, identity_number=person_number(),
                                               name="Mottatt Søknad")
        granted = service.receive_application(m, identity_number=person_number(),
                                              name="Innvilget Straks")
        document(service, granted, municipality=m)
        service.decide(m, granted, kind="grant", grounds="Kan ikke bo trygt hjemme",
                       decided_by="Tildelingsenheten", place_type=PlaceType.ORDINARY,
                       can_be_cared_for_safely_at_home=False)
        rejected = service.receive_application(m, identity_number=person_number(),
                                               name="Avslått Søknad")
        service.decide(m, rejected, kind="rejection", grounds="Behovet dekkes hjemme",
                       decided_by="Tildelingsenheten")
        moved_off = waiting_case(service, municipality=m, name="Ny Vurdering")
        service.decide(m, moved_off, kind="rejection", grounds="Bedret funksjon",
                       decided_by="Tildelingsenheten")
        accompanying = service.receive_application(  # R11: off the list, not a candidate
            m, identity_number=person_number(), name="Medfølgende Ektefelle",
            spouse_case_id=granted)
        service.decide_accompanying_stay(m, accompanying, resident_case_id=granted,
                                         wish="Begge ønsker det", grounds="Ektefelle",
                                         decided_by="Tildelingsenheten")
        cases += [received, granted, rejected, moved_off, accompanying]
        clock.advance(minutes=10)
    return cases


def load(service: AllocationService, case_id: UUID) -> Case:
    case = service.repository.get(case_id)
    assert isinstance(case, Case)
    return case


def on_list(service: AllocationService, case_id: UUID, municipality: str | None) -> bool:
    """What the aggregate says: on the waiting list (R12), in the municipality (or any)."""
    case = load(service, case_id)
    return case.on_waiting_list and municipality in (None, case.municipality)


def test_r12_read_side_candidates_equal_the_log_scan(service: AllocationService,
                                                      clock: ManualClock, read: ReadSide):
    cases = story_in_every_status(service, clock)
    assert {load(service, c).status for c in cases} == set(CaseStatus)
    assert service.waiting_cases is None
    scanned = list(service.waiting_case_ids())  # the fallback: every decided case, anywhere
    assert len(scanned) == len(set(scanned))

    for m in (*MUNICIPALITIES, None):
        from_log = sorted((c for c in scanned if on_list(service, c, m)), key=str)
        from_read_side = read.waiting_case_ids(m)
        assert from_read_side == from_log  # in key order, each once
        assert from_read_side, f"nobody waiting in {m}: the story proves nothing"
        if m is not None:
            assert {UUID(e.case_id) for e in read.waiting_list(m)} == set(from_log)
    # the scan also names cases that have left the list (placed, closed, rejected)
    assert len(scanned) > len(read.waiting_case_ids())

    service.use_waiting_cases(read)
    for m in (*MUNICIPALITIES, None):
        assert list(service.waiting_case_ids(m)) == read.waiting_case_ids(m)


def test_r18_deadline_check_through_the_read_side_records_the_same_breaches(
        service: AllocationService, clock: ManualClock, read: ReadSide):
    story_in_every_status(service, clock)
    clock.advance(days=60)  # more deadlines pass (§ 3-4: three calendar months)
    today = local_date(clock.now())
    # what the log scan's check would record: every scanned case whose breach is due
    due = {c for c in service.waiting_case_ids() if load(service, c).breach_due(today)}
    assert len({load(service, c).municipality for c in due}) > 1, "too few breaches due"

    service.use_waiting_cases(read)
    first = MUNICIPALITIES[0]
    breached = service.check_deadlines(first)
    assert set(breached) == {c for c in due if load(service, c).municipality == first}
    breached += service.check_deadlines()  # all municipalities
    assert sorted(breached, key=str) == sorted(due, key=str)  # each once, none missed
    assert service.check_deadlines() == []  # recorded once

    service.use_waiting_cases(None)
    assert service.check_deadlines() == []  # the log scan finds nothing left to record
    read.catch_up()
    for m in MUNICIPALITIES:
        assert {UUID(b.case_id) for b in read.breach_reports(m)} >= {
            c for c in due if load(service, c).municipality == m}


def test_r17_allocation_run_through_the_read_side_proposes_the_same_plan(
        service: AllocationService, clock: ManualClock, read: ReadSide):
    story_in_every_status(service, clock)
    for m in MUNICIPALITIES:  # vacancies of every type, so that the plan proposes offers
        for place_type in (PlaceType.ORDINARY, PlaceType.SCREENED, PlaceType.REINFORCED):
            place(service, municipality=m, facility_id="nyheim", place_type=place_type)
    as_of = local_date(clock.now())
    scanned = {m: service.build_problem(m, as_of) for m in MUNICIPALITIES}

    service.use_waiting_cases(read)
    proposed = 0
    for m in MUNICIPALITIES:
        problem = service.build_problem(m, as_of)
        assert problem.persons and problem.vacancies
        assert problem.to_dict() == scanned[m].to_dict()
        run = service.get_allocation_run(m, service.run_allocation(m, started_by="Lie",
                                                                 confirm_unassessed=True))
        assert run.problem_hash == scanned[m].problem_hash()
        assert run.plan == opt.solve(scanned[m]).to_dict()
        proposed += len(run.plan["assignments"])
    assert proposed > 0


def test_r18_a_case_decided_just_before_the_check_is_found(
        service: AllocationService, clock: ManualClock, read: ReadSide):
    M = MUNICIPALITY
    early = waiting_case(service, name="Tidlig Vedtak")
    read.catch_up()
    service.use_waiting_cases(read)
    at = read.position()

    clock.advance(days=1)
    late = waiting_case(service, name="Sent Vedtak")  # the read side has not seen it
    assert read.position() == at < (service.recorder.max_notification_id() or 0)
    clock.advance(days=100)
    assert sorted(service.check_deadlines(M), key=str) == sorted([early, late], key=str)

    # and the allocation run: the problem names a person decided after the last catch-up
    granted = service.receive_application(M, identity_number=person_number(),
                                          name="Innvilget Nettopp")
    document(service, granted)
    service.decide(M, granted, kind="grant", grounds="Kan ikke bo trygt hjemme",
                   decided_by="Tildelingsenheten", place_type=PlaceType.ORDINARY,
                   can_be_cared_for_safely_at_home=False)
    problem = service.build_problem(M, local_date(clock.now()))
    assert str(granted) in {p.case_id for p in problem.persons}


def test_r12_the_rank_shown_is_the_order_the_allocator_uses(service, clock):
    """One order (domain.order): on a generated history, the waiting list's rank, the
    optimizer's rank in its explanations and the aggregates' own order are the same, and the
    deadline each shows is the guarantee's running deadline."""
    story_in_every_status(service, clock)
    read = ReadSide(service)
    read.catch_up()
    today = local_date(clock.now())
    for m in MUNICIPALITIES:
        listed = read.waiting_list(m)
        cases = [load(service, UUID(e.case_id)) for e in listed]
        assert [c.id for c in sorted(cases, key=lambda c: c.order_key())] == \
            [c.id for c in cases]
        problem = service.build_problem(m, today)
        plan = opt.solve(problem)
        in_problem = {p.case_id for p in problem.persons}
        expected = [e.case_id for e in listed if e.case_id in in_problem]
        ranked = sorted(plan.explanations, key=lambda e: e.waiting_list_rank)
        assert [e.case_id for e in ranked] == expected
        by_id = {p.case_id: p for p in problem.persons}
        for entry in listed:
            if entry.case_id in by_id:
                assert by_id[entry.case_id].deadline == entry.deadline
                assert by_id[entry.case_id].need_score == entry.need_score
