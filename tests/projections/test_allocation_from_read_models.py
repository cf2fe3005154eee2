"""An allocation run built from the read models proposes exactly what a run built from the
aggregates proposes (R17; issue 16), on generated histories, SQLite and PostgreSQL: case by
case the same facts, then the same problem (hash and all) and the same plan, at several
moments of a story that has every kind of case the problem reads — wishes (R16, R20),
spouses living together, apart by consent, and one of them resident (R10, R11), suspected
dementia not yet investigated and dementia confirmed (R7, R8), bridging stays (R2, R15),
planned move-outs (R24), breaches and the R19 choice, urgent grants (R15), other providers'
places (R5)."""

from __future__ import annotations

import contextlib
import random
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import optimizer as opt
from application.allocation_facts import CaseFacts, FactsMemo, PlaceFacts
from application.allocation_movers import mover_of_row
from application.clock import ManualClock
from application.service import AllocationService
from domain.base import local_date
from domain.case import Case
from domain.errors import DomainError
from domain.place import Place
from domain.values import (
    BreachChoice,
    DementiaFinding,
    FacilityKind,
    MoveReason,
    PlaceType,
    RoomKind,
    StayEndReason,
)
from projections.derived import resident_facts
from projections.read_side import ReadSide
from tests.builders import (
    INTERIM,
    MUNICIPALITY,
    document,
    person_number,
    place,
    waiting_case,
)
from tests.projections.history import MUNICIPALITIES, grow

FACILITIES = ["fjellheim", "solbakken", "lia", "nyheim"]
M = MUNICIPALITY


def _enrich(service: AllocationService, clock: ManualClock, rng: random.Random,
            day: int) -> None:
    """What the shared story lacks, a little every few days (errors of the domain — a
    case that has moved on — are simply not today's)."""
    for m in MUNICIPALITIES:
        on_list = [c for c in service.waiting_case_ids(m) if _case(service, c).on_waiting_list]
        for case_id in rng.sample(on_list, min(3, len(on_list))):
            with contextlib.suppress(DomainError):
                service.record_wishes(m, case_id, facility_ids=rng.sample(
                    FACILITIES, rng.randint(1, 3)))
        if day % 3 == 0:  # a couple: both waiting, sometimes consenting to live apart
            husband = waiting_case(service, municipality=m, name="Ola Par")
            wife = waiting_case(service, municipality=m, name="Kari Par", spouse_case_id=husband)
            service.link_spouses(m, husband, wife)
            service.assess_priority(m, husband, factors={"function": 3}, need_score=60,
                                    assessor="Sykepleier", departure_reason="skjønn")
            if rng.random() < 0.5:
                for c in (husband, wife):
                    service.consent_to_living_apart(m, c, statement="Vil bo hver for seg",
                                                    recorded_by="Saksbehandler")
        if day % 4 == 1:  # suspected dementia on the list, investigated or not yet
            c = waiting_case(service, municipality=m, name="Demens Mistanke")
            service.suspect_dementia(m, c, reason="Glemsom", raised_by="Fastlege")
            if rng.random() < 0.5:
                service.record_dementia_investigation(
                    m, c, finding=rng.choice(list(DementiaFinding)), conclusion="Utredet",
                    recorded_by="Lege")
        if day % 4 == 2 and on_list:  # a bridging stay, ended or not
            c = rng.choice(on_list)
            today = local_date(clock.now())
            with contextlib.suppress(DomainError):
                service.record_bridging_stay(
                    m, c, facility_name="Korttidsavdelingen", unit="K",
                    from_on=today - timedelta(days=rng.randint(0, 5)),
                    to_on=today + timedelta(days=rng.randint(1, 20))
                    if rng.random() < 0.5 else None, recorded_by="Saksbehandler")
        if day % 5 == 3:  # a kind of facility decided (R1)
            c = waiting_case(service, municipality=m, name="Bolig Vedtak")
            service.decide(m, c, kind="waiting_list", grounds="Varig behov",
                           decided_by="Tildelingsenheten", place_type=PlaceType.ORDINARY,
                           facility_kind=FacilityKind.HOUSING_24H,
                           can_be_cared_for_safely_at_home=True, interim_services=INTERIM,
                           alternatives_at_home="Hjemmetjeneste prøvd")
    clock.advance(minutes=30)


def _decided_long_ago(service: AllocationService, m: str) -> UUID:
    """A case received and put on the list five months ago (R24: dates as given), so its
    deadline (§ 3-4) has passed."""
    today = local_date(service.clock.now())
    c = service.receive_application(m, identity_number=person_number(), name="Lenge Ventet",
                                    received_on=today - timedelta(days=160))
    document(service, c, municipality=m)
    service.decide(m, c, kind="waiting_list", grounds="Varig behov",
                   decided_by="Tildelingsenheten", place_type=PlaceType.ORDINARY,
                   decided_on=today - timedelta(days=150),
                   can_be_cared_for_safely_at_home=True, interim_services=INTERIM,
                   alternatives_at_home="Hjemmetjeneste prøvd")
    return c


def _case(service: AllocationService, case_id: UUID) -> Case:
    case = service.repository.get(case_id)
    assert isinstance(case, Case)
    return case


def _residents_move_out_later(service: AllocationService, clock: ManualClock) -> int:
    """R24: some residents' stays end on a date still ahead (their beds free from then)."""
    moved = 0
    for m in MUNICIPALITIES:
        for pid in service.place_ids():
            p = service.repository.get(pid)
            if not (isinstance(p, Place) and p.municipality == m and p.occupants):
                continue
            resident = next(iter(p.occupants))
            try:
                service.end_stay(m, resident, reason=StayEndReason.MOVED,
                                 ended_on=local_date(clock.now()) + timedelta(days=3 + moved))
            except DomainError:
                continue
            moved += 1
            break
    return moved


def _features(facts: list[CaseFacts], places: list[PlaceFacts]) -> set[str]:
    """What of the problem's inputs a set of facts exercises."""
    have = {
        "wishes": any(f.wishes for f in facts),
        "spouses apart": any(f.spouse_case_id and f.living_apart_consent for f in facts),
        "spouses together": any(f.spouse_case_id and not f.living_apart_consent
                                for f in facts),
        "dementia": any(f.has_dementia for f in facts),
        "uninvestigated": any(f.dementia_uninvestigated for f in facts),
        "bridging": any(f.bridging for f in facts),
        "housing": any(f.facility_kind is FacilityKind.HOUSING_24H for f in facts),
        "breach choice": any(f.breach_choice for f in facts),
        "urgent": any(f.urgent for f in facts),
        "offer outstanding": any(f.has_outstanding_offer for f in facts),
        "move-out planned": any(p.leaving for p in places),
        "place closed": any(not p.is_open for p in places),
    }
    return {k for k, v in have.items() if v}


_ALL_FEATURES = {"wishes", "spouses apart", "spouses together", "dementia", "uninvestigated",
                 "bridging", "housing", "breach choice", "urgent", "offer outstanding",
                 "move-out planned", "place closed"}


def _assert_same(service: AllocationService, read: ReadSide, seen: set[str]) -> int:
    """For each municipality: the same facts, problem and plan either way. Returns the
    offers proposed; adds to ``seen`` what the facts exercised."""
    as_of = local_date(service.clock.now())
    proposed = 0
    for m in MUNICIPALITIES:
        service.use_waiting_cases(None)  # the aggregates, found by scanning the log
        from_aggregates = service.allocation_facts(m)
        problem_a = service.build_problem(m, as_of, service.candidates(m, from_aggregates))
        service.use_waiting_cases(read)
        from_rows = service.allocation_facts(m)
        assert from_rows.read_position == read.position()
        problem_r = service.build_problem(m, as_of, service.candidates(m, from_rows))

        rows = {c.case_id: c for c in from_rows.waiting}
        assert [c.case_id for c in from_aggregates.waiting] == list(rows)
        for case in from_aggregates.waiting:
            assert rows[case.case_id] == case
        assert from_rows.spouses == from_aggregates.spouses
        by_id = {p.place_id: p for p in from_rows.places}
        assert sorted(by_id, key=str) == sorted((p.place_id for p in from_aggregates.places),
                                                key=str)
        for p in from_aggregates.places:
            assert by_id[p.place_id] == p
        assert sorted(from_rows.provider_offers, key=lambda o: str(o.offer_id)) == sorted(
            from_aggregates.provider_offers, key=lambda o: str(o.offer_id))

        seen.update(_features(list(from_rows.waiting), list(from_rows.places)))
        assert problem_r == problem_a
        assert from_rows.movers == from_aggregates.movers  # R28: the same residents, both ways
        assert problem_r.problem_hash() == problem_a.problem_hash()
        assert opt.solve(problem_r).to_dict() == opt.solve(problem_a).to_dict()
        proposed += len(opt.solve(problem_r).assignments)
    return proposed


def test_r17_run_from_read_models_proposes_what_the_aggregates_propose(
        service: AllocationService, clock: ManualClock, read: ReadSide):
    rng = random.Random(16)
    seen: dict[str, int] = {"checks": 0, "proposed": 0}
    features: set[str] = set()
    story_places: list[tuple[str, UUID]] = [
        (m, place(service, municipality=m, facility_id=f)) for m in MUNICIPALITIES
        for f in FACILITIES]

    def between(day: int) -> None:
        _enrich(service, clock, rng, day)
        if day % 9 == 8:
            for m in MUNICIPALITIES:  # R18, R19: a breach long ago, and the choice
                c = _decided_long_ago(service, m)
                service.check_deadlines(m, case_ids=[c])  # recorded by the decision
                assert _case(service, c).breached_on is not None
                service.record_breach_choice(m, c, choice=rng.choice(list(BreachChoice)),
                                             recorded_by="Saksbehandler")
            for m, p in rng.sample(story_places, 6):  # a place or two closed for a while
                with contextlib.suppress(DomainError):
                    service.close_place(m, p, reason="Oppussing")
            if day == 17:
                assert _residents_move_out_later(service, clock) > 0
            seen["proposed"] += _assert_same(service, read, features)
            seen["checks"] += 1
            service.use_waiting_cases(None)

    grow(service, clock, days=27, between=between)
    for m in MUNICIPALITIES:  # vacancies of every type, so that the plans propose offers
        for place_type in (PlaceType.ORDINARY, PlaceType.SCREENED, PlaceType.REINFORCED):
            place(service, municipality=m, facility_id=rng.choice(FACILITIES),
                  place_type=place_type)
    seen["proposed"] += _assert_same(service, read, features)
    assert seen["checks"] == 3 and seen["proposed"] > 0
    # the story had what the facts read: otherwise the equality proves little
    assert features == _ALL_FEATURES, f"never seen: {_ALL_FEATURES - features}"


def test_r17_a_run_records_the_read_position_it_was_built_from(
        service: AllocationService, clock: ManualClock, read: ReadSide):
    m = MUNICIPALITIES[0]
    case_id = waiting_case(service, municipality=m)
    service.assess_priority(m, case_id, factors={"function": 3}, need_score=50,
                            assessor="Sykepleier", departure_reason="skjønn")
    place(service, municipality=m)
    service.use_waiting_cases(read)
    run = service.get_allocation_run(m, service.run_allocation(m, started_by="Lie"))
    assert run.read_position == read.position() > 0
    assert set(run.proposed) == {str(case_id)}
    service.use_waiting_cases(None)
    run = service.get_allocation_run(m, service.run_allocation(m, started_by="Lie"))
    assert run.read_position is None  # built from the aggregates


def test_r17_a_row_and_its_aggregate_give_the_same_facts(service: AllocationService,
                                                         clock: ManualClock, read: ReadSide):
    """Every case and place of a story, on the list or not: the facts of its row equal the
    facts of its aggregate (the run reads only those on the list and their spouses)."""
    rng = random.Random(5)
    story = grow(service, clock, days=12,
                 between=lambda day: _enrich(service, clock, rng, day))
    read.catch_up()
    with read.view.reading() as store:
        for _, case_id in story.cases:
            row = store.get("lto_rm_case", str(case_id))
            assert row is not None
            assert CaseFacts.of_row(row) == CaseFacts.of_case(_case(service, case_id))
        for _, place_id in story.places:
            row = store.get("lto_rm_place", str(place_id))
            p = service.repository.get(place_id)
            assert row is not None and isinstance(p, Place)
            assert PlaceFacts.of_row(row) == PlaceFacts.of_place(p)


def test_r5_the_own_stock_from_the_read_models_is_the_stock_of_the_aggregates(
        service: AllocationService) -> None:
    """R5: a place is bought only when the municipality has no own open place of the
    decided type; the check reads the read side's place rows (not every aggregate), and
    they give the same stock: open, closed and reopened places of several types and kinds,
    and another municipality's."""
    from application.offers import OfferCommands

    Type, Kind, add_place = PlaceType, FacilityKind, place
    read = ReadSide(service)
    assert read.own_stock_kinds(MUNICIPALITY) == set()
    screened = add_place(service, place_type=Type.SCREENED)
    add_place(service, place_type=Type.ORDINARY, facility_kind=Kind.HOUSING_24H)
    reinforced = add_place(service, place_type=Type.REINFORCED)
    add_place(service, municipality="0301", place_type=Type.REINFORCED)
    service.close_place(MUNICIPALITY, reinforced, reason="Oppussing")
    for step in range(3):
        from_aggregates = OfferCommands.own_stock_types(service, MUNICIPALITY)
        service.use_waiting_cases(read)
        from_rows = service.own_stock_types(MUNICIPALITY)
        service.use_waiting_cases(None)
        assert from_rows == from_aggregates
        if step == 0:
            assert (Type.REINFORCED, Kind.NURSING_HOME) not in from_rows  # closed
            service.reopen_place(MUNICIPALITY, reinforced)
        elif step == 1:
            assert (Type.REINFORCED, Kind.NURSING_HOME) in from_rows
            service.close_place(MUNICIPALITY, screened, reason="Stengt")


def test_r17_facts_kept_between_reads_are_those_built_anew(
        service: AllocationService, clock: ManualClock, read: ReadSide):
    """The policy lab's daily runs keep the read's rows, reading again only those whose
    aggregates changed, and the facts built from them (``keep_allocation_docs``,
    :class:`FactsMemo`): day after day of a story, the kept rows equal the rows read anew,
    the kept facts equal the facts built anew from the rows and those of the aggregates; an
    unchanged place's facts are the very object of the day before, and a place that
    changed has its new facts."""
    read.keep_allocation_docs = True  # the last read's documents: one municipality's
    m, memo = MUNICIPALITIES[0], FactsMemo()
    before: dict[UUID, PlaceFacts] = {}
    kept = changed = 0

    def between(day: int) -> None:
        nonlocal kept, changed
        service.use_waiting_cases(read)
        kept_rows = read.allocation_rows(m)
        read.keep_allocation_docs = False
        assert kept_rows == read.allocation_rows(m)  # every row read anew
        read.keep_allocation_docs = True
        service.allocation_facts_memo = memo
        with_memo = service.allocation_facts(m)
        service.allocation_facts_memo = None
        assert with_memo == service.allocation_facts(m)
        service.use_waiting_cases(None)
        from_aggregates = service.allocation_facts(m)
        assert with_memo.waiting == from_aggregates.waiting
        assert with_memo.movers == from_aggregates.movers
        assert sorted(with_memo.places, key=lambda p: str(p.place_id)) == sorted(
            from_aggregates.places, key=lambda p: str(p.place_id))
        for p in with_memo.places:
            old = before.get(p.place_id)
            if old is p:
                kept += 1
            elif old is not None and old != p:  # its row changed: new facts
                changed += 1
        before.update({p.place_id: p for p in with_memo.places})

    grow(service, clock, days=10, between=between)
    assert kept > 0 and changed > 0


def _resident(service: AllocationService, *, name: str, facility_id: str = "fjellheim",
              place_type: PlaceType = PlaceType.ORDINARY, room_kind: RoomKind = RoomKind.SINGLE,
              spouse_case_id: UUID | None = None, dementia: bool = False) -> UUID:
    """A person on the list, offered a place at ``facility_id`` and admitted."""
    case_id = waiting_case(service, name=name, place_type=place_type, dementia=dementia,
                           spouse_case_id=spouse_case_id)
    p = place(service, facility_id=facility_id, place_type=place_type, room_kind=room_kind)
    offer = service.make_offer(M, case_id, made_by="TE", place_id=p)
    service.accept_offer(M, case_id, offer)
    service.admit(M, case_id, offer)
    return case_id


def _residents_of_every_kind(service: AllocationService) -> dict[str, UUID]:
    """Residents who are movers for every reason (R28), with a spouse in every situation
    the run reads (R10, R11), and some who are not movers."""
    service.set_policy(M, issued_by="k", free_choice=True, reason="Fritt valg")
    out: dict[str, UUID] = {}
    out["free choice"] = _resident(service, name="Fritt Valg")
    service.record_wishes(M, out["free choice"], facility_ids=["solbakken", "fjellheim"])
    out["wished where living"] = _resident(service, name="Bor Der", dementia=True,
                                           place_type=PlaceType.SCREENED)
    service.record_wishes(M, out["wished where living"], facility_ids=["fjellheim", "lia"])
    out["change of need"] = _resident(service, name="Nytt Behov")
    service.decide_new_place_type(M, out["change of need"], place_type=PlaceType.SCREENED,
                                  grounds="Uro om natten", decided_by="TE")
    bought = service.receive_application(M, identity_number=person_number(), name="Kjøpt")
    document(service, bought)
    service.decide(M, bought, kind="grant", grounds="Kan ikke bo hjemme", decided_by="TE",
                   place_type=PlaceType.ORDINARY, can_be_cared_for_safely_at_home=False,
                   alternatives_at_home="Prøvd")
    po = service.register_provider_offer(
        M, provider="Privat AS", reference="K-1", facility_name="Lindegården",
        facility_kind=FacilityKind.NURSING_HOME, place_type=PlaceType.ORDINARY,
        price_per_day=Decimal("3000"))
    offer = service.make_offer(M, bought, made_by="TE", provider_offer_id=po)
    service.accept_offer(M, bought, offer)
    service.admit(M, bought, offer)
    out["bought"] = bought
    # spouses (linked after they came to live apart, R10): both residents at two
    # facilities; apart by consent; one waiting with an offer elsewhere; one only received
    out["spouse elsewhere"] = _resident(service, name="Ola Par", facility_id="solbakken")
    out["spouse of spouse elsewhere"] = _resident(service, name="Kari Par")
    service.link_spouses(M, out["spouse elsewhere"], out["spouse of spouse elsewhere"])
    out["apart"] = _resident(service, name="Per Hver", facility_id="lia")
    out["spouse apart"] = _resident(service, name="Eva Hver")
    service.link_spouses(M, out["apart"], out["spouse apart"])
    for c in (out["apart"], out["spouse apart"]):
        service.consent_to_living_apart(M, c, statement="Vil bo hver for seg",
                                        recorded_by="Saksbehandler")
    out["spouse offered"] = _resident(service, name="Nils Tilbud")
    waiting_spouse = waiting_case(service, name="Liv Tilbud")
    service.make_offer(M, waiting_spouse, made_by="TE",
                       place_id=place(service, facility_id="lia"))
    service.link_spouses(M, out["spouse offered"], waiting_spouse)
    out["spouse received"] = _resident(service, name="Jon Søkt", facility_id="lia")
    service.record_wishes(M, out["spouse received"], facility_ids=["fjellheim"])
    received = service.receive_application(M, identity_number=person_number(),
                                           name="Ane Søkt",
                                           spouse_case_id=out["spouse received"])
    service.link_spouses(M, out["spouse received"], received)
    # R11: the spouse lives with them (an accompanying stay), and they wish to move
    ola = waiting_case(service, name="Ola Følge")
    kari = service.receive_application(M, identity_number=person_number(), name="Kari Følge",
                                       spouse_case_id=ola)
    service.decide_accompanying_stay(M, kari, resident_case_id=ola, wish="Begge ønsker det",
                                     grounds="Ektefelle", decided_by="TE")
    double = place(service, room_kind=RoomKind.DOUBLE)
    offer = service.make_offer(M, ola, made_by="TE", place_id=double)
    service.accept_offer(M, ola, offer)
    service.admit(M, ola, offer)
    service.record_wishes(M, ola, facility_ids=["solbakken"])
    out["accompanied"], out["accompanying"] = ola, kari
    # a move offered and not yet answered: not a mover while it is outstanding
    out["move offered"] = _resident(service, name="Flytter Snart")
    service.record_wishes(M, out["move offered"], facility_ids=["solbakken"])
    service.offer_move(M, out["move offered"], place_id=place(service, facility_id="solbakken"),
                       reason="free_choice", made_by="TE")
    return out


def test_r28_the_residents_rows_give_the_movers_the_aggregates_give(
        service: AllocationService, clock: ManualClock, read: ReadSide):
    """R28: a run reads the residents from ``lto_rm_resident`` (a few fields each, not the
    documents); the movers are those of the aggregates, for every reason and every
    situation of a spouse, and a resident's row decides as its document would (with or
    without free choice, on any day)."""
    who = _residents_of_every_kind(service)
    clock.advance(days=1)
    read.catch_up()
    service.use_waiting_cases(None)
    from_aggregates = service.allocation_facts(M)
    service.use_waiting_cases(read)
    from_rows = service.allocation_facts(M)
    assert from_rows.movers == from_aggregates.movers
    movers = {m.case_id: m for m in from_rows.movers}
    assert {r for m in from_rows.movers for r in m.reasons} == set(MoveReason)
    for kind in ("free choice", "change of need", "bought", "spouse elsewhere",
                 "spouse of spouse elsewhere", "spouse offered", "accompanied"):
        assert who[kind] in movers, kind
    for kind in ("wished where living", "apart", "spouse apart", "move offered",
                 "accompanying"):
        assert who[kind] not in movers, kind
    assert movers[who["accompanied"]].accompanying_spouse
    assert movers[who["spouse offered"]].spouse_facility_id == "lia"
    with read.view.reading() as store:
        docs = {str(c): store.get("lto_rm_case", str(c)) for c in who.values()}
        for key, doc in docs.items():
            assert doc is not None
            row = resident_facts(doc)
            assert (row is None) == (doc["status"] != "resident")
            if row is None:
                continue
            spouse_key = doc.get("spouse_case_id")
            spouse = store.get("lto_rm_case", spouse_key) if spouse_key else None
            spouse_row = (resident_facts(spouse) or spouse) if spouse else None
            for free_choice in (True, False):
                for today in (date.max, local_date(clock.now()) - timedelta(days=1)):
                    assert mover_of_row(row, spouse_row, free_choice=free_choice,
                                        today=today) == mover_of_row(
                        doc, spouse, free_choice=free_choice, today=today), key
