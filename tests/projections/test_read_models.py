"""Each read model against hand-computed expectations for a small story (R12, R15, R16, R18,
R21), on SQLite and PostgreSQL; as-of at T equals the live view read at T."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import pairwise
from uuid import UUID

from application.service import AllocationService
from domain.values import FacilityKind, PlaceType, PriorityFactor, RoomKind
from projections.read_side import ReadSide, ReplayedAsOf
from tests.builders import INTERIM, MUNICIPALITY, place, waiting_case

M = MUNICIPALITY
F = PriorityFactor


def story(service: AllocationService, clock) -> dict[str, UUID]:
    """Day 0 (2 March 2026): Anna on the list, need 13. Day 1: Bjørn, need 79 (end-of-life
    care, special weight). Day 2: Cecilie, not assessed but urgent; three own places (one
    closed), one other provider's offer; Bjørn is offered place p1."""
    a = waiting_case(service, name="Anna")
    service.assess_priority(M, a, factors={F.FUNCTION.value: 3, F.HOME_SITUATION.value: 2},
                            need_score=13, assessor="Sykepleier Hansen")
    clock.advance(days=1)
    b = waiting_case(service, name="Bjørn")
    service.assess_priority(M, b, factors={F.END_OF_LIFE.value: 4,
                                           F.COGNITIVE_FAILURE.value: 2},
                            need_score=79, assessor="Sykepleier Berg")
    clock.advance(days=1)
    c = waiting_case(service, name="Cecilie")
    service.mark_urgent(M, c, reason="Fall, alene om natten", assessed_by="Lege Dahl")
    p1 = place(service, facility_id="fjellheim")
    p2 = place(service, facility_id="fjellheim", room_kind=RoomKind.DOUBLE)
    p3 = place(service, facility_id="solbakken", place_type=PlaceType.SCREENED)
    service.close_place(M, p3, reason="Oppussing")
    po = service.register_provider_offer(
        M, provider="Omsorg AS", reference="2026-17", facility_name="Lia",
        facility_kind=FacilityKind.NURSING_HOME, place_type=PlaceType.ORDINARY,
        price_per_day=Decimal("3850.00"))
    offer = service.make_offer(M, b, made_by="Saksbehandler Lie", place_id=p1)
    return {"a": a, "b": b, "c": c, "p1": p1, "p2": p2, "p3": p3, "po": po, "offer": offer}


def test_r12_r15_r16_waiting_list_rank_and_fields(service, clock, read: ReadSide):
    ids = story(service, clock)
    read.catch_up()
    wl = read.waiting_list(M)
    # R15 urgent first, then R16 need score (79 before 13)
    assert [e.name for e in wl] == ["Cecilie", "Bjørn", "Anna"]
    assert [e.rank for e in wl] == [1, 2, 3]
    c, b, a = wl
    assert c.urgent and c.urgency_reason == "Fall, alene om natten" and c.need_score is None
    assert a.need_score == 13 and a.assessor == "Sykepleier Hansen"
    assert a.factors == {"function": 3, "home_situation": 2}
    assert a.waiting_since == date(2026, 3, 2) and a.days_waited == 2
    assert a.deadline == date(2026, 6, 2) and a.days_left == 90  # R18: 3 calendar months
    # R18: Bjørn's offer met the guarantee: no deadline counts down for him any more
    assert b.days_waited == 1 and b.deadline is None and b.days_left is None
    assert b.guarantee.status.value == "met" and b.guarantee.met_on == date(2026, 3, 4)
    assert not b.breached
    assert c.granted_on == date(2026, 3, 4) and not c.grant_overdue  # R4: shown apart
    assert a.place_type == "ordinary" and a.decision_kind == "waiting_list"
    assert a.interim_services == (("hjemmesykepleie", "tre besøk daglig"),)
    assert a.outstanding_offer is None and a.spouse_case_id is None
    assert b.outstanding_offer is not None
    assert b.outstanding_offer.offer_id == str(ids["offer"])
    assert b.outstanding_offer.facility_id == "fjellheim"
    assert b.outstanding_offer.status == "made"


def test_r12_placed_person_leaves_the_list(service, clock, read: ReadSide):
    ids = story(service, clock)
    service.accept_offer(M, ids["b"], ids["offer"])
    service.admit(M, ids["b"], ids["offer"])
    read.catch_up()
    assert [e.name for e in read.waiting_list(M)] == ["Cecilie", "Anna"]
    assert read.waiting_list("0301") == []  # another municipality sees nothing


def test_r15_urgency_ended_by_a_waiting_list_decision_returns_to_need_order(
        service, clock, read: ReadSide):
    ids = story(service, clock)
    decide = dict(kind="waiting_list", grounds="Trygg hjemme med korttidsopphold",
                  decided_by="Lege Dahl", place_type=PlaceType.ORDINARY,
                  can_be_cared_for_safely_at_home=True, interim_services=INTERIM)
    service.decide(M, ids["c"], **decide)
    read.catch_up()
    # not assessed: after every assessed person (R16), shown as not assessed
    wl = read.waiting_list(M)
    assert [e.name for e in wl] == ["Bjørn", "Anna", "Cecilie"]
    assert not wl[2].assessed and not wl[2].urgent
    # the waiting-list date stays the first decision's (R23)
    assert wl[2].waiting_since == date(2026, 3, 4)


def test_r18_breach_flag_on_the_list(service, clock, read: ReadSide):
    ids = story(service, clock)
    clock.advance(days=92)  # 4 March + 92 days = 4 June: Anna's deadline (2 June) passed
    assert ids["a"] in service.check_deadlines()
    read.catch_up()
    anna = next(e for e in read.waiting_list(M) if e.name == "Anna")
    assert anna.breached and anna.breached_on == date(2026, 6, 4)
    assert anna.days_left == -2


def test_vacancy_board(service, clock, read: ReadSide):
    ids = story(service, clock)
    read.catch_up()
    board = read.vacancy_board(M)
    by_id = {p.place_id: p for p in board.places}
    assert by_id[str(ids["p1"])].status == "reserved"
    assert by_id[str(ids["p2"])].status == "vacant" and by_id[str(ids["p2"])].free_beds == 2
    assert by_id[str(ids["p3"])].status == "closed"
    assert by_id[str(ids["p3"])].closed_reason == "Oppussing"
    assert board.by_facility() == {
        ("fjellheim", "A", "ordinary"): {"reserved": 1, "vacant": 1},
        ("solbakken", "A", "screened"): {"closed": 1},
    }
    [po] = board.provider_offers
    assert (po.provider, po.facility_name, po.price_per_day, po.status) == (
        "Omsorg AS", "Lia", Decimal("3850.00"), "available")
    # admission: the occupied place leaves the board
    service.accept_offer(M, ids["b"], ids["offer"])
    service.admit(M, ids["b"], ids["offer"])
    read.catch_up()
    assert str(ids["p1"]) not in {p.place_id for p in read.vacancy_board(M).places}


def test_r16_r20_facilities_are_every_facility_with_an_own_place_full_ones_too(
        service, clock, read: ReadSide):
    ids = story(service, clock)
    read.catch_up()
    t1 = clock.now()
    clock.advance(days=1)
    full = place(service, facility_id="havglimt")  # its only room, soon occupied
    offer = service.make_offer(M, ids["a"], made_by="Saksbehandler Lie", place_id=full)
    service.accept_offer(M, ids["a"], offer)
    service.admit(M, ids["a"], offer)
    read.catch_up()
    assert str(full) not in {p.place_id for p in read.vacancy_board(M).places}
    # by name; full (Havglimt) and closed (Solbakken) ones too; other providers' are not
    # facilities of the municipality (Lia)
    assert [(f.facility_id, f.facility_name) for f in read.facilities(M)] == [
        ("fjellheim", "Fjellheim"), ("havglimt", "Havglimt"), ("solbakken", "Solbakken")]
    assert read.facilities("0301") == []
    # as of a moment (R21): as the allocation unit saw them then, equal to the replay
    then = read.as_of(t1).facilities(M)
    assert [f.facility_id for f in then] == ["fjellheim", "solbakken"]
    assert then == ReplayedAsOf(service, t1).facilities(M)


def test_r21_case_history_in_plain_words(service, clock, read: ReadSide):
    ids = story(service, clock)
    service.accept_offer(M, ids["b"], ids["offer"])
    read.catch_up()
    history = read.case_history(ids["b"])
    assert [h.event for h in history] == [
        "ApplicationReceived", "OwnAccountRecorded", "RelativesInformationRecorded",
        "IplosRegistered", "MedicalInformationRecorded", "LeonMeasuresRecorded",
        "DecisionMade", "PriorityAssessed", "OfferMade", "OfferAccepted",
    ]
    assert [h.version for h in history] == list(range(1, 11))
    decision = history[6]
    assert decision.who == "Tildelingsenheten"
    assert decision.text.startswith("Waiting-list decision (ordinary place); offer due by "
                                    "2026-06-03")
    assert history[7].who == "Sykepleier Berg" and "score 79" in history[7].text
    assert history[8].text == "Offered a place at Fjellheim (ordinary); answer by 2026-03-07"
    assert history[8].who == "Saksbehandler Lie"
    assert history[0].at == history[6].at  # the same business day, the injected clock
    assert all(a.at <= b.at for a, b in pairwise(history))


def test_r21_as_of_equals_live_view_read_then(service, clock, read: ReadSide):
    ids = story(service, clock)
    read.catch_up()
    t1 = clock.now()
    live_list_1, live_board_1 = read.waiting_list(M), read.vacancy_board(M)
    live_history_1 = read.case_history(ids["b"])

    clock.advance(days=10)
    service.accept_offer(M, ids["b"], ids["offer"])
    service.admit(M, ids["b"], ids["offer"])
    service.assess_priority(M, ids["a"], factors={F.FUNCTION.value: 4}, need_score=12,
                            assessor="Sykepleier Hansen")
    read.catch_up()
    t2 = clock.now()
    live_list_2, live_board_2 = read.waiting_list(M), read.vacancy_board(M)

    then = read.as_of(t1)
    assert then.waiting_list(M) == live_list_1
    assert then.vacancy_board(M) == live_board_1
    assert then.case_history(ids["b"]) == live_history_1
    now = read.as_of(t2)
    assert now.waiting_list(M) == live_list_2
    assert now.vacancy_board(M) == live_board_2
    assert live_list_1 != live_list_2


def test_r21_every_kind_of_case_event_has_its_change_in_the_fold():
    """A kind of case event the fold does not know would change no row unnoticed (its
    history line would still be written): each is in the fold's table of changes; the
    § 2-2 documentation records which items the case holds (the worklists read what is
    missing from it, R8), and the case number is kept on the row."""
    from domain.base import Base
    from domain.case import Case
    from projections import fold

    kinds = {c for c in vars(Case).values()
             if isinstance(c, type) and issubclass(c, Case.Event)
             and not issubclass(c, Case.Created | Base.Created) and c is not Case.Event}
    assert Case.DecisionMade in kinds and Case.WishesRecorded in kinds
    assert kinds == set(fold._CASE_CHANGES)
    doc: dict = {"documented": []}
    assert fold._CASE_CHANGES[Case.OwnAccountRecorded](doc, None) is True
    assert doc["documented"] == ["own_account"]
    assert fold._CASE_CHANGES[Case.OwnAccountRecorded](doc, None) is False
