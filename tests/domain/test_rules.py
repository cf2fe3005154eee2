"""Each rule of RULES.md that a case, place or policy enforces, named by its number.

These run the application layer on an in-memory SQLite store (milliseconds per test);
the same commands run on SQLite files and PostgreSQL in tests/integration.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from application.clock import ManualClock
from domain.base import add_months
from domain.case import Case, GuaranteeStatus, link_spouses
from domain.errors import (
    InvalidState,
    InvalidValue,
    MissingDocumentation,
    NotFound,
    RuleViolation,
)
from domain.values import (
    BreachChoice,
    ClosureReason,
    DeclinedOfferEffect,
    FacilityKind,
    InterimService,
    MedicalSource,
    PlaceType,
    PriorityFactor,
    RoomKind,
)
from tests.builders import (
    INTERIM,
    MUNICIPALITY,
    OTHER_MUNICIPALITY,
    START,
    document,
    person_number,
    place,
    waiting_case,
)

M = MUNICIPALITY


def new_case(svc, born=None, **kw):
    return svc.receive_application(M, identity_number=person_number(born), name="Per", **kw)


def decide_waiting(svc, case_id, **kw):
    args = dict(kind="waiting_list", grounds="Varig behov", decided_by="TE",
                place_type=PlaceType.ORDINARY, can_be_cared_for_safely_at_home=True,
                interim_services=INTERIM)
    args.update(kw)
    return svc.decide(M, case_id, **args)


# --- R8 (§ 2-2) -----------------------------------------------------------------------

def test_r8_decision_without_documentation_lists_every_missing_item(memory_service):
    case_id = new_case(memory_service, dementia_suspected=True)
    with pytest.raises(MissingDocumentation) as err:
        decide_waiting(memory_service, case_id)
    assert err.value.rule == "R8"
    assert set(err.value.missing) == {
        "own_account", "relatives", "iplos", "medical_gp_or_specialist", "leon",
        "dementia_investigation",
    }
    assert memory_service.get_case(M, case_id).decisions == []  # nothing changed


def test_r8_reinforced_place_needs_both_gp_and_specialist(memory_service):
    case_id = new_case(memory_service)
    document(memory_service, case_id)  # GP only
    with pytest.raises(MissingDocumentation) as err:
        decide_waiting(memory_service, case_id, place_type=PlaceType.REINFORCED)
    assert err.value.missing == ("medical_specialist",)
    memory_service.record_medical_information(M, case_id, source=MedicalSource.SPECIALIST,
                                              summary="Epikrise")
    decide_waiting(memory_service, case_id, place_type=PlaceType.REINFORCED)


def test_r8_iplos_not_needed_without_other_services(memory_service):
    case_id = new_case(memory_service, receives_other_services=False)
    with pytest.raises(MissingDocumentation) as err:
        decide_waiting(memory_service, case_id)
    assert "iplos" not in err.value.missing


def test_r8_iplos_older_than_twelve_months_is_not_updated(memory_service, clock):
    case_id = new_case(memory_service)
    document(memory_service, case_id)
    clock.advance(days=400)
    with pytest.raises(MissingDocumentation) as err:
        decide_waiting(memory_service, case_id)
    assert err.value.missing == ("iplos (older than 12 months)",)


def test_r8_iplos_scores_are_one_to_five_or_nine(memory_service):
    case_id = new_case(memory_service)
    from tests.builders import FULL_IPLOS

    with pytest.raises(InvalidValue, match="9 for not relevant"):
        memory_service.register_iplos(M, case_id, scores={**FULL_IPLOS, "syn": 7},
                                      assessed_by="x")
    with pytest.raises(InvalidValue, match="without a score"):
        memory_service.register_iplos(M, case_id, scores={"syn": 1}, assessed_by="x")


# --- R3, R4, R5, R6, R9, R14 -------------------------------------------------------------

def test_r4_grant_requires_that_home_is_not_safe(memory_service):
    case_id = new_case(memory_service)
    document(memory_service, case_id)
    with pytest.raises(RuleViolation) as err:
        memory_service.decide(M, case_id, kind="grant", grounds="g", decided_by="TE",
                              place_type=PlaceType.ORDINARY,
                              can_be_cared_for_safely_at_home=True)
    assert err.value.rule == "R4"
    memory_service.decide(M, case_id, kind="grant", grounds="g", decided_by="TE",
                          place_type=PlaceType.ORDINARY, can_be_cared_for_safely_at_home=False)
    case = memory_service.get_case(M, case_id)
    assert case.on_waiting_list and case.deadline is None


def test_r5_waiting_list_requires_safe_at_home_until_offer(memory_service):
    case_id = new_case(memory_service)
    document(memory_service, case_id)
    with pytest.raises(RuleViolation) as err:
        decide_waiting(memory_service, case_id, can_be_cared_for_safely_at_home=False)
    assert err.value.rule == "R5"


def test_r3_r6_younger_person_needs_alternatives_at_home_recorded(memory_service, clock):
    # 66 years old on the decision date: a younger person (R3)
    born = (clock.now().date() - timedelta(days=66 * 365 + 100))
    case_id = new_case(memory_service, born=born)
    document(memory_service, case_id)
    with pytest.raises(RuleViolation) as err:
        decide_waiting(memory_service, case_id)
    assert err.value.rule == "R6" and err.value.field == "alternatives_at_home"
    decide_waiting(memory_service, case_id, alternatives_at_home="Eget ønske; ingen trygg "
                   "løsning hjemme")
    events = memory_service.repository.get(case_id)
    assert events.status.value == "waiting"


def test_r3_person_of_67_is_not_younger(memory_service):
    case_id = new_case(memory_service, born=date(1959, 3, 2))  # 67 on 2026-03-02
    document(memory_service, case_id)
    decide_waiting(memory_service, case_id)  # no alternatives needed


def test_r9_rejection_keeps_person_off_the_list_and_refuses_offers(memory_service):
    case_id = new_case(memory_service)
    memory_service.decide(M, case_id, kind="rejection", decided_by="TE",
                          grounds="Best hjulpet med hjemmetjenester")
    case = memory_service.get_case(M, case_id)
    assert not case.on_waiting_list and case.deadline is None
    p = place(memory_service)
    with pytest.raises(RuleViolation) as err:
        memory_service.make_offer(M, case_id, made_by="TE", place_id=p)
    assert err.value.rule == "R9"


def test_r14_decision_states_grounds_complaint_right_and_deadline(memory_service):
    case_id = new_case(memory_service)
    document(memory_service, case_id)
    with pytest.raises(RuleViolation) as err:
        decide_waiting(memory_service, case_id, grounds="  ")
    assert err.value.rule == "R14" and err.value.field == "grounds"
    with pytest.raises(RuleViolation) as err:
        decide_waiting(memory_service, case_id, interim_services=[])
    assert err.value.rule == "R14" and err.value.field == "interim_services"
    decide_waiting(memory_service, case_id)
    made = next(e for e in memory_service.events.get(case_id)
            if type(e).__name__ == "DecisionMade")
    assert made.legal_basis.startswith("helse- og omsorgstjenesteloven § 3-2 a")
    assert "pasient- og brukerrettighetsloven § 2-1 e" in made.legal_basis  # the right
    assert "kommunal forskrift om kriterier for langtidsopphold i sykehjem" in made.legal_basis
    assert "§ 7-2" in made.complaint_right
    assert "fire uker fra du mottok" in made.complaint_right
    assert not hasattr(made, "complaint_deadline")  # never a date from the decision date
    assert "Statsforvalteren" in made.complaint_to
    assert made.policy_version == 1
    assert made.interim_services == INTERIM


# --- R18 (§ 3-4): calendar months, breach once ---------------------------------------------

@pytest.mark.parametrize("decided, months, deadline", [
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2027, 11, 30), 3, date(2028, 2, 29)),
    (date(2026, 3, 31), 3, date(2026, 6, 30)),
    (date(2026, 1, 15), 6, date(2026, 7, 15)),
])
def test_r18_deadline_counts_calendar_months(decided, months, deadline):
    assert add_months(decided, months) == deadline


def test_r18_deadline_from_policy_and_breach_recorded_once(memory_service, clock):
    memory_service.set_policy(M, issued_by="kommunedirektør",
                              reason="Kommunens forskrift sier seks måneder", guarantee_months=6)
    case_id = waiting_case(memory_service)
    case = memory_service.get_case(M, case_id)
    assert case.deadline == date(2026, 9, 2)
    clock.set(datetime(2026, 9, 2, 20, 0, tzinfo=UTC))  # deadline day: not yet breached
    assert memory_service.check_deadlines() == []
    clock.set(datetime(2026, 9, 3, 8, 0, tzinfo=UTC))
    assert memory_service.check_deadlines() == [case_id]
    assert memory_service.check_deadlines() == []  # idempotent
    assert memory_service.get_case(M, case_id).breached_on == date(2026, 9, 3)
    breaches = [e for e in memory_service.events.get(case_id)
                if type(e).__name__ == "DeadlineBreached"]
    assert len(breaches) == 1


def test_r18_offer_before_deadline_meets_the_guarantee(memory_service, clock):
    case_id = waiting_case(memory_service)
    p = place(memory_service)
    memory_service.make_offer(M, case_id, made_by="TE", place_id=p)
    clock.advance(days=120)
    assert memory_service.check_deadlines() == []


def test_r18_declined_offer_under_guarantee_continues_policy(memory_service, clock):
    memory_service.set_policy(
        M, issued_by="k", reason="Prøver regelen",
        declined_offer_effect=DeclinedOfferEffect.GUARANTEE_CONTINUES)
    case_id = waiting_case(memory_service)
    p = place(memory_service)
    offer = memory_service.make_offer(M, case_id, made_by="TE", place_id=p)
    memory_service.decline_offer(M, case_id, offer, reason="Vil vente på annet sykehjem")
    assert memory_service.get_place(M, p).is_vacant  # released in the same save
    clock.advance(days=100)
    assert memory_service.check_deadlines() == [case_id]


def test_r20_declining_a_non_preferred_offer_loses_the_guarantee(memory_service, clock):
    memory_service.set_policy(M, issued_by="k", reason="Prøver regelen", free_choice=True)
    case_id = waiting_case(memory_service)
    memory_service.record_wishes(M, case_id, facility_ids=["solbakken", "fjellheim"])
    p = place(memory_service, facility_id="fjellheim")
    offer = memory_service.make_offer(M, case_id, made_by="TE", place_id=p)
    memory_service.decline_offer(M, case_id, offer, reason="Ønsker Solbakken")
    case = memory_service.get_case(M, case_id)
    assert case.guarantee.state(case.decisions[0].decided_on).status is GuaranteeStatus.LOST
    assert case.on_waiting_list
    clock.advance(days=120)
    assert memory_service.check_deadlines() == []


# --- R19 --------------------------------------------------------------------------------

def test_r19_breach_choice_only_after_a_breach(memory_service, clock):
    case_id = waiting_case(memory_service)
    with pytest.raises(RuleViolation) as err:
        memory_service.record_breach_choice(M, case_id, choice=BreachChoice.PURCHASE,
                                            recorded_by="TE")
    assert err.value.rule == "R19"
    clock.advance(days=95)
    memory_service.check_deadlines()
    memory_service.record_breach_choice(M, case_id, choice=BreachChoice.WAIT, recorded_by="TE")
    case = memory_service.get_case(M, case_id)
    assert case.breach_choice is BreachChoice.WAIT and case.breached_on is not None


def test_r19_purchase_refused_when_person_chose_to_wait(memory_service, clock):
    case_id = waiting_case(memory_service)
    place(memory_service)  # the municipality has ordinary places of its own (else R5)
    po = memory_service.register_provider_offer(
        M, provider="Privat AS", reference="P-1", facility_name="Lia",
        facility_kind=FacilityKind.NURSING_HOME, place_type=PlaceType.ORDINARY,
        price_per_day=Decimal("3500"))
    with pytest.raises(RuleViolation) as err:  # far from the deadline, not urgent
        memory_service.make_offer(M, case_id, made_by="TE", provider_offer_id=po)
    assert err.value.rule == "R19"
    clock.advance(days=95)
    memory_service.check_deadlines()
    memory_service.record_breach_choice(M, case_id, choice=BreachChoice.WAIT, recorded_by="TE")
    with pytest.raises(RuleViolation):
        memory_service.make_offer(M, case_id, made_by="TE", provider_offer_id=po)
    memory_service.record_breach_choice(M, case_id, choice=BreachChoice.PURCHASE,
                                        recorded_by="TE")
    memory_service.make_offer(M, case_id, made_by="TE", provider_offer_id=po)


# --- R15 --------------------------------------------------------------------------------

def test_r15_urgency_needs_a_waiting_case_and_a_reason(memory_service):
    case_id = new_case(memory_service)
    with pytest.raises(RuleViolation) as err:
        memory_service.mark_urgent(M, case_id, reason="Fall", assessed_by="lege")
    assert err.value.rule == "R15"
    document(memory_service, case_id)
    decide_waiting(memory_service, case_id)
    with pytest.raises(RuleViolation):
        memory_service.mark_urgent(M, case_id, reason=" ", assessed_by="lege")
    memory_service.mark_urgent(M, case_id, reason="Ektefelle innlagt; alene om natten",
                               assessed_by="lege")
    assert memory_service.get_case(M, case_id).urgent


def test_r15_urgent_case_may_get_a_purchased_place_at_once(memory_service):
    case_id = waiting_case(memory_service)
    memory_service.mark_urgent(M, case_id, reason="Ikke trygt hjemme", assessed_by="lege")
    po = memory_service.register_provider_offer(
        M, provider="Privat AS", reference="P-2", facility_name="Lia",
        facility_kind=FacilityKind.NURSING_HOME, place_type=PlaceType.ORDINARY,
        price_per_day=3400)
    offer = memory_service.make_offer(M, case_id, made_by="TE", provider_offer_id=po)
    memory_service.accept_offer(M, case_id, offer)
    assert memory_service.get_provider_offer(M, po).purchased_for == case_id


# --- R16, R17 ---------------------------------------------------------------------------

def test_r17_priority_departing_from_policy_needs_a_reason(memory_service):
    case_id = waiting_case(memory_service)
    factors = {PriorityFactor.END_OF_LIFE.value: 4, PriorityFactor.FUNCTION.value: 3}
    with pytest.raises(RuleViolation) as err:
        memory_service.assess_priority(M, case_id, factors=factors, need_score=95,
                                       assessor="sykepleier")
    assert err.value.rule == "R17" and err.value.field == "departure_reason"
    memory_service.assess_priority(M, case_id, factors=factors, need_score=95,
                                   assessor="sykepleier",
                                   departure_reason="Kort forventet levetid")
    assessed = memory_service.get_case(M, case_id).priority
    assert assessed is not None and assessed.need_score == 95
    assert assessed.suggested_score < 85


def test_r17_priority_names_the_assessor(memory_service):
    case_id = waiting_case(memory_service)
    with pytest.raises(RuleViolation) as err:
        memory_service.assess_priority(M, case_id, factors={}, need_score=0, assessor="")
    assert err.value.rule == "R17"


# --- R7 ---------------------------------------------------------------------------------

def test_r7_dementia_non_screened_offer_needs_a_reason(memory_service):
    case_id = waiting_case(memory_service, dementia=True, place_type=PlaceType.SCREENED)
    ordinary = place(memory_service, place_type=PlaceType.ORDINARY, room_kind=RoomKind.DOUBLE)
    with pytest.raises(RuleViolation) as err:
        memory_service.make_offer(M, case_id, made_by="TE", place_id=ordinary)
    assert err.value.rule == "R7"
    assert memory_service.get_place(M, ordinary).is_vacant  # nothing half-written
    memory_service.make_offer(M, case_id, made_by="TE", place_id=ordinary,
                              type_reason="Bo med ektefelle i dobbeltrom")


def test_r7_screened_place_needs_no_reason(memory_service):
    case_id = waiting_case(memory_service, dementia=True, place_type=PlaceType.SCREENED)
    screened = place(memory_service, place_type=PlaceType.SCREENED)
    memory_service.make_offer(M, case_id, made_by="TE", place_id=screened)


# --- R10 --------------------------------------------------------------------------------

def test_r10_manual_offer_at_another_facility_than_the_spouse_is_refused(memory_service):
    husband = waiting_case(memory_service, name="Ola")
    wife = waiting_case(memory_service, name="Kari", spouse_case_id=husband)
    assert memory_service.get_case(M, husband).spouse_case_id == wife
    p1 = place(memory_service, facility_id="fjellheim")
    p2 = place(memory_service, facility_id="solbakken")
    memory_service.make_offer(M, husband, made_by="TE", place_id=p1)
    with pytest.raises(RuleViolation) as err:
        memory_service.make_offer(M, wife, made_by="TE", place_id=p2)
    assert err.value.rule == "R10"
    assert memory_service.get_place(M, p2).is_vacant
    p3 = place(memory_service, facility_id="fjellheim")
    memory_service.make_offer(M, wife, made_by="TE", place_id=p3)


def test_r10_consent_of_both_allows_living_apart(memory_service):
    husband = waiting_case(memory_service, name="Ola")
    wife = waiting_case(memory_service, name="Kari", spouse_case_id=husband)
    memory_service.make_offer(M, husband, made_by="TE", place_id=place(memory_service))
    other = place(memory_service, facility_id="solbakken")
    memory_service.consent_to_living_apart(M, wife, statement="Ønsker eget sted",
                                           recorded_by="TE")
    with pytest.raises(RuleViolation):  # one consent is not enough
        memory_service.make_offer(M, wife, made_by="TE", place_id=other)
    memory_service.consent_to_living_apart(M, husband, statement="Enig", recorded_by="TE")
    memory_service.make_offer(M, wife, made_by="TE", place_id=other)


def test_r10_resident_spouse_pulls_the_other_to_that_facility(memory_service):
    husband = waiting_case(memory_service, name="Ola")
    wife = waiting_case(memory_service, name="Kari", spouse_case_id=husband)
    p1 = place(memory_service, facility_id="fjellheim")
    offer = memory_service.make_offer(M, husband, made_by="TE", place_id=p1)
    memory_service.accept_offer(M, husband, offer)
    memory_service.admit(M, husband, offer)
    with pytest.raises(RuleViolation, match="fjellheim"):
        memory_service.make_offer(M, wife, made_by="TE",
                                  place_id=place(memory_service, facility_id="solbakken"))


def versions(svc, *case_ids):
    return [svc.get_case(M, c).version for c in case_ids]


def test_r10_linking_a_person_already_linked_to_another_case_is_refused(memory_service):
    ola = waiting_case(memory_service, name="Ola")
    kari = waiting_case(memory_service, name="Kari", spouse_case_id=ola)
    per = waiting_case(memory_service, name="Per")
    before = versions(memory_service, ola, kari, per)
    for case_id, spouse_case_id in ((per, ola), (ola, per)):  # either side already linked
        with pytest.raises(RuleViolation) as err:
            memory_service.link_spouses(M, case_id, spouse_case_id)
        assert (err.value.rule, err.value.field) == ("R10", "spouse_case_id")
        assert "already linked" in err.value.message
    assert versions(memory_service, ola, kari, per) == before  # nothing written
    assert memory_service.get_case(M, ola).spouse_case_id == kari
    assert memory_service.get_case(M, kari).spouse_case_id == ola
    assert memory_service.get_case(M, per).spouse_case_id is None


def test_r10_an_application_naming_a_spouse_linked_to_another_case_is_refused(
        memory_service):
    ola = waiting_case(memory_service, name="Ola")
    kari = waiting_case(memory_service, name="Kari", spouse_case_id=ola)
    before = memory_service.recorder.max_notification_id()
    with pytest.raises(RuleViolation) as err:
        new_case(memory_service, spouse_case_id=ola)
    assert (err.value.rule, err.value.field) == ("R10", "spouse_case_id")
    assert memory_service.recorder.max_notification_id() == before  # no case, no link
    assert memory_service.get_case(M, ola).spouse_case_id == kari


def test_r10_linking_the_same_pair_again_writes_nothing(memory_service):
    ola = waiting_case(memory_service, name="Ola")
    kari = waiting_case(memory_service, name="Kari")
    memory_service.link_spouses(M, ola, kari)
    before = versions(memory_service, ola, kari)
    memory_service.link_spouses(M, ola, kari)
    memory_service.link_spouses(M, kari, ola)  # the other way round: the same pair
    assert versions(memory_service, ola, kari) == before
    assert memory_service.get_case(M, ola).spouse_case_id == kari
    assert memory_service.get_case(M, kari).spouse_case_id == ola


def test_r10_a_case_is_not_linked_to_itself(memory_service):
    ola = waiting_case(memory_service, name="Ola")
    before = versions(memory_service, ola)
    with pytest.raises(InvalidValue) as err:
        memory_service.link_spouses(M, ola, ola)
    assert err.value.field == "spouse_case_id"
    assert versions(memory_service, ola) == before


def test_r10_cases_of_different_municipalities_are_not_linked(memory_service):
    oslo = memory_service.receive_application(
        OTHER_MUNICIPALITY, identity_number=person_number(), name="Per i Oslo")
    ola = waiting_case(memory_service, name="Ola")
    with pytest.raises(NotFound):  # the service finds only the user's municipality's cases
        memory_service.link_spouses(M, ola, oslo)
    assert memory_service.get_case(M, ola).spouse_case_id is None
    # and the domain refuses it on its own, changing neither case
    here, there = (Case.receive_application(START, municipality=m, name="X",
                                            identity_number=person_number())
                   for m in (M, OTHER_MUNICIPALITY))
    with pytest.raises(RuleViolation) as err:
        link_spouses(START, here, there)
    assert (err.value.rule, err.value.field) == ("R10", "municipality")
    assert here.spouse_case_id is None and there.spouse_case_id is None


def test_r11_accompanying_stay_needs_the_spouse_linked(memory_service):
    with pytest.raises(RuleViolation) as err:
        new_case(memory_service, accompanying_spouse=True)
    assert err.value.rule == "R11"


# --- R1, places and provider offers ---------------------------------------------------------

def test_r1_place_records_facility_kind_unit_type_and_room(memory_service):
    p = memory_service.register_place(
        M, facility_id="lia", facility_name="Lia bo- og omsorgssenter",
        facility_kind=FacilityKind.HOUSING_24H, unit="B", room="12",
        place_type=PlaceType.REINFORCED, room_kind=RoomKind.DOUBLE)
    got = memory_service.get_place(M, p)
    assert (got.facility_kind, got.unit, got.place_type, got.capacity) == (
        FacilityKind.HOUSING_24H, "B", PlaceType.REINFORCED, 2)
    with pytest.raises(InvalidValue, match="R1"):
        memory_service.register_place(M, facility_id="x", facility_name="x",
                                      facility_kind="hotel", unit="A", room="1",  # type: ignore[arg-type]
                                      place_type=PlaceType.ORDINARY)


def test_place_capacity_is_never_exceeded(memory_service):
    a, b = waiting_case(memory_service), waiting_case(memory_service)
    p = place(memory_service)
    memory_service.make_offer(M, a, made_by="TE", place_id=p)
    with pytest.raises(InvalidState, match="not vacant"):
        memory_service.make_offer(M, b, made_by="TE", place_id=p)


def test_a_person_holds_at_most_one_offer(memory_service):
    a = waiting_case(memory_service)
    memory_service.make_offer(M, a, made_by="TE", place_id=place(memory_service))
    with pytest.raises(InvalidState, match="at most one place"):
        memory_service.make_offer(M, a, made_by="TE", place_id=place(memory_service))


def test_reinforced_place_only_for_a_reinforced_decision(memory_service):
    a = waiting_case(memory_service)
    with pytest.raises(InvalidState, match="reinforced"):
        memory_service.make_offer(M, a, made_by="TE",
                                  place_id=place(memory_service, place_type=PlaceType.REINFORCED))


# --- closing a case, and the offer the person moved in on --------------------------------------

def resident(svc):
    """A case admitted to an own place: (case, place, offer)."""
    case_id = waiting_case(svc)
    p = place(svc)
    offer = svc.make_offer(M, case_id, made_by="TE", place_id=p)
    svc.accept_offer(M, case_id, offer)
    svc.admit(M, case_id, offer)
    return case_id, p, offer


def test_closing_a_case_withdraws_the_outstanding_offer_and_releases_the_place(
        memory_service):
    case_id = waiting_case(memory_service)
    p = place(memory_service)
    offer = memory_service.make_offer(M, case_id, made_by="TE", place_id=p)
    memory_service.accept_offer(M, case_id, offer)
    memory_service.close_case(M, case_id, reason=ClosureReason.DIED)
    case = memory_service.get_case(M, case_id)
    assert case.status.value == "closed" and case.outstanding_offer is None
    assert case.offers[offer].status.value == "withdrawn"
    assert memory_service.get_place(M, p).is_vacant  # released in the same save
    names = [type(e).__name__ for e in memory_service.events.get(case_id)]
    assert names[-2:] == ["OfferWithdrawn", "Closed"]


def test_closing_as_placed_is_refused_before_the_offer_is_withdrawn(memory_service):
    case_id = waiting_case(memory_service)
    p = place(memory_service)
    memory_service.make_offer(M, case_id, made_by="TE", place_id=p)
    before = memory_service.recorder.max_notification_id()
    with pytest.raises(InvalidValue) as err:
        memory_service.close_case(M, case_id, reason=ClosureReason.PLACED)
    assert err.value.field == "reason"
    assert memory_service.recorder.max_notification_id() == before
    assert memory_service.get_case(M, case_id).outstanding_offer is not None
    assert not memory_service.get_place(M, p).is_vacant


def test_a_residents_case_is_not_closed_but_the_stay_ended(memory_service):
    """The offer the person moved in on is not outstanding, so closing is refused by the
    case itself ("end the stay instead"), not by the place it would have released."""
    case_id, p, _ = resident(memory_service)
    before = memory_service.recorder.max_notification_id()
    with pytest.raises(InvalidState) as err:
        memory_service.close_case(M, case_id, reason=ClosureReason.DIED)
    assert err.value.code == "invalid_state" and err.value.rule is None
    assert err.value.message == "the person lives in a place: end the stay instead"
    assert memory_service.recorder.max_notification_id() == before  # nothing written
    case = memory_service.get_case(M, case_id)
    assert case.status.value == "resident"
    assert case_id in memory_service.get_place(M, p).occupants


def test_the_offer_moved_in_on_is_not_outstanding_withdrawn_or_admitted_again(
        memory_service):
    case_id, _, offer = resident(memory_service)
    case = memory_service.get_case(M, case_id)
    assert case.outstanding_offer is None
    assert case.offers[offer].status.value == "accepted"  # unchanged: what the person said
    assert case.offers[offer].admitted_on == START.date()
    before = memory_service.recorder.max_notification_id()
    with pytest.raises(InvalidState, match="lives in a long-term place"):
        memory_service.withdraw_offer(M, case_id, offer, reason="feil")
    with pytest.raises(InvalidState, match="lives in a long-term place"):
        memory_service.admit(M, case_id, offer)
    assert memory_service.recorder.max_notification_id() == before


def test_policy_version_in_force_is_recorded_on_the_decision(memory_service, clock):
    first = waiting_case(memory_service)
    memory_service.set_policy(M, issued_by="k", reason="Prøver regelen", guarantee_months=6)
    second = waiting_case(memory_service)
    d1 = memory_service.get_case(M, first).decisions[0]
    d2 = memory_service.get_case(M, second).decisions[0]
    assert (d1.policy_version, d2.policy_version) == (1, 2)
    assert d2.deadline == add_months(d2.decided_on, 6)
    assert d1.deadline == add_months(d1.decided_on, 3)  # unchanged by the new version


def test_interim_services_are_recorded_while_waiting(memory_service):
    a = waiting_case(memory_service)
    memory_service.record_interim_services(
        M, a, services=[InterimService("korttidsopphold", "to uker")], recorded_by="TE")
    assert memory_service.get_case(M, a).interim_services[0].service == "korttidsopphold"


def test_manual_clock_refuses_naive_time():
    with pytest.raises(ValueError):
        ManualClock(datetime(2026, 1, 1))


def test_a_guarantee_as_plain_data_is_the_generic_conversion_and_back() -> None:
    """``Guarantee.to_dict`` (written out, for speed) gives what the generic dataclass
    conversion gives — dates as ISO text, enums as values, in the fields' order — and
    ``from_dict`` reads it back, for guarantees with met, breached and ended periods."""
    from dataclasses import asdict
    from datetime import date

    from domain.case import Guarantee, MetHow
    from domain.case.guarantee import GuaranteePeriod
    from domain.values import DeclinedOfferEffect

    def generic(g: Guarantee) -> dict[str, object]:
        def plain(v: object) -> object:
            return v.isoformat() if isinstance(v, date) else getattr(v, "value", v)
        data = {k: plain(v) for k, v in asdict(g).items() if k != "periods"}
        data["periods"] = [{k: plain(v) for k, v in p.items()} for p in asdict(g)["periods"]]
        return {k: data[k] for k in asdict(g)}

    d = date(2027, 1, 4)
    for g in (Guarantee(),
              Guarantee(6, DeclinedOfferEffect.GUARANTEE_CONTINUES, True, d,
                        [GuaranteePeriod(1, d, date(2027, 7, 4), met_on=date(2027, 2, 1),
                                         met_by="offer-1", met_how=MetHow.DECLINED,
                                         ended_on=date(2027, 2, 3)),
                         GuaranteePeriod(2, date(2027, 2, 3), date(2027, 8, 3),
                                         breached_on=date(2027, 8, 4))],
                        lost_on=date(2027, 9, 1))):
        assert g.to_dict() == generic(g)
        assert list(g.to_dict()) == list(generic(g))
        assert list(g.to_dict()["periods"][0] if g.periods else []) == list(
            generic(g)["periods"][0] if g.periods else [])
        assert Guarantee.from_dict(g.to_dict()) == g
