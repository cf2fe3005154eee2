"""A case's whole life and the guarantee (§ 3-4), in every path — not only the happy one.

Each test names the rule of RULES.md it checks (R9, R18, R23 …), tries the bad orders too
(admit after a rejection, an offer after a death, …), and checks that a refused command
writes nothing. They run the application layer on an in-memory SQLite store.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain.case import CaseStatus, GuaranteeStatus, MetHow
from domain.errors import InvalidState, InvalidValue, MissingDocumentation, RuleViolation
from domain.person import CaseAlreadyOpen
from domain.values import (
    ClosureReason,
    DeclinedOfferEffect,
    FacilityKind,
    MedicalSource,
    OfferStatus,
    OfferUnsuitability,
    PlaceType,
    StayEndReason,
)
from tests.builders import (
    INTERIM,
    MUNICIPALITY,
    START,
    document,
    person_number,
    place,
    waiting_case,
)

M = MUNICIPALITY


def today(svc) -> date:
    return svc.clock.now().date()


def new_case(svc, **kw):
    return svc.receive_application(M, identity_number=person_number(), name="Per", **kw)


def decide(svc, case_id, kind="waiting_list", **kw):
    args = dict(kind=kind, grounds="Varig behov", decided_by="TE",
                place_type=PlaceType.ORDINARY,
                can_be_cared_for_safely_at_home=kind != "grant", interim_services=INTERIM)
    if kind == "rejection":
        args = dict(kind=kind, grounds="Best hjulpet hjemme", decided_by="TE")
    args.update(kw)
    return svc.decide(M, case_id, **args)


def offered(svc, case_id, **place_kw):
    p = place(svc, **place_kw)
    return p, svc.make_offer(M, case_id, made_by="TE", place_id=p)


def state(svc, case_id):
    case = svc.get_case(M, case_id)
    return case.guarantee.state(today(svc))


def unchanged(svc):
    """A context that asserts nothing was written."""
    class _Same:
        def __enter__(self):
            self.before = svc.recorder.max_notification_id()

        def __exit__(self, *exc):
            assert svc.recorder.max_notification_id() == self.before
            return False
    return _Same()


# --- R9: nobody is admitted against the decision in force ---------------------------------

@pytest.mark.parametrize("how", ["rejection", "withdrawn", "died", "moved_away"])
def test_r9_rejection_or_closure_withdraws_the_offer_and_releases_the_place(
        memory_service, how):
    svc = memory_service
    case_id = waiting_case(svc)
    p, offer = offered(svc, case_id)
    svc.accept_offer(M, case_id, offer)
    assert not svc.get_place(M, p).is_vacant
    if how == "rejection":
        decide(svc, case_id, kind="rejection")
    else:
        svc.close_case(M, case_id, reason=ClosureReason(how))
    case = svc.get_case(M, case_id)
    assert case.offers[offer].status is OfferStatus.WITHDRAWN
    assert case.outstanding_offer is None
    assert svc.get_place(M, p).is_vacant  # released in the same save
    for bad in (lambda: svc.admit(M, case_id, offer),
                lambda: svc.accept_offer(M, case_id, offer),
                lambda: svc.decline_offer(M, case_id, offer, reason="x")):
        with unchanged(svc), pytest.raises(InvalidState):
            bad()
    assert svc.get_case(M, case_id).status is not CaseStatus.RESIDENT


def test_r9_an_offer_after_death_or_rejection_is_refused(memory_service):
    svc = memory_service
    dead, rejected = waiting_case(svc), waiting_case(svc)
    svc.close_case(M, dead, reason=ClosureReason.DIED)
    decide(svc, rejected, kind="rejection")
    p = place(svc)
    with unchanged(svc), pytest.raises(InvalidState, match="closed"):
        svc.make_offer(M, dead, made_by="TE", place_id=p)
    with unchanged(svc), pytest.raises(RuleViolation) as err:
        svc.make_offer(M, rejected, made_by="TE", place_id=p)
    assert err.value.rule == "R9"
    assert svc.get_place(M, p).is_vacant


def test_r9_decline_after_admission_and_two_offers_of_the_last_bed_are_refused(
        memory_service):
    svc = memory_service
    a, b = waiting_case(svc), waiting_case(svc)
    p, offer = offered(svc, a)
    with unchanged(svc), pytest.raises(InvalidState, match="not vacant"):
        svc.make_offer(M, b, made_by="TE", place_id=p)
    svc.accept_offer(M, a, offer)
    svc.admit(M, a, offer)
    with unchanged(svc), pytest.raises(InvalidState):
        svc.decline_offer(M, a, offer, reason="angret")
    with unchanged(svc), pytest.raises(InvalidState):
        svc.close_case(M, a, reason=ClosureReason.WITHDRAWN)


def test_r9_a_new_decision_for_another_place_type_withdraws_an_offer_that_no_longer_fits(
        memory_service):
    svc = memory_service
    case_id = waiting_case(svc)
    p, offer = offered(svc, case_id)
    svc.record_medical_information(M, case_id, source=MedicalSource.SPECIALIST, summary="Ny")
    decide(svc, case_id, place_type=PlaceType.REINFORCED)
    case = svc.get_case(M, case_id)
    assert case.offers[offer].status is OfferStatus.WITHDRAWN
    assert svc.get_place(M, p).is_vacant


# --- R18: only a suitable offer meets the guarantee ---------------------------------------

def test_r18_offer_of_the_wrong_place_type_is_refused_without_a_reason(memory_service):
    svc = memory_service
    case_id = waiting_case(svc, place_type=PlaceType.SCREENED, dementia=True)
    ordinary = place(svc, place_type=PlaceType.ORDINARY)
    with unchanged(svc), pytest.raises(RuleViolation):
        svc.make_offer(M, case_id, made_by="TE", place_id=ordinary)
    assert svc.get_place(M, ordinary).is_vacant


@pytest.mark.parametrize("unsuitable", ["facility_kind", "available_late", "place_type"])
def test_r18_unsuitable_offer_needs_a_reason_and_does_not_stop_the_clock(
        memory_service, clock, unsuitable):
    svc = memory_service
    case_id = new_case(svc)
    document(svc, case_id)
    decide(svc, case_id, facility_kind=FacilityKind.NURSING_HOME)
    if unsuitable == "facility_kind":
        p = place(svc, facility_kind=FacilityKind.HOUSING_24H)
    elif unsuitable == "place_type":
        p = place(svc, place_type=PlaceType.SCREENED)  # no dementia: not the decided type
    else:  # a resident leaves only in 40 days (R24): the place is free too late
        p = place(svc)
        other = waiting_case(svc)
        o = svc.make_offer(M, other, made_by="TE", place_id=p)
        svc.accept_offer(M, other, o)
        svc.admit(M, other, o)
        svc.end_stay(M, other, reason=StayEndReason.MOVED,
                     ended_on=today(svc) + timedelta(days=40))
    with unchanged(svc), pytest.raises(RuleViolation) as err:
        svc.make_offer(M, case_id, made_by="TE", place_id=p)
    assert err.value.rule == "R18" and err.value.field == "unsuitable_reason"
    offer = svc.make_offer(M, case_id, made_by="TE", place_id=p,
                           unsuitable_reason="Eneste plass; personen ønsker den")
    made = svc.get_case(M, case_id).offers[offer]
    assert not made.suitable and made.unsuitable == (OfferUnsuitability(unsuitable),)
    assert state(svc, case_id).status is GuaranteeStatus.RUNNING  # the clock did not stop
    clock.advance(days=95)
    svc.lapse_offers(M)  # records the breach that is due before the lapse
    svc.check_deadlines(M)
    assert state(svc, case_id).status is GuaranteeStatus.BREACHED


def test_r18_an_offer_withdrawn_by_the_municipality_does_not_meet_the_guarantee(
        memory_service, clock):
    svc = memory_service
    case_id = waiting_case(svc)
    p, offer = offered(svc, case_id)
    assert state(svc, case_id).status is GuaranteeStatus.MET
    svc.withdraw_offer(M, case_id, offer, reason="Plassen måtte brukes til akuttinnleggelse")
    assert state(svc, case_id).status is GuaranteeStatus.RUNNING
    assert svc.get_place(M, p).is_vacant
    clock.advance(days=95)
    assert svc.check_deadlines(M) == [case_id]


def test_r18_an_offer_after_the_deadline_does_not_undo_the_breach(memory_service, clock):
    svc = memory_service
    case_id = waiting_case(svc)
    clock.advance(days=93)
    p = place(svc)
    svc.make_offer(M, case_id, made_by="TE", place_id=p)  # late: the breach is still due
    assert svc.check_deadlines(M) == [case_id]
    assert state(svc, case_id).status is GuaranteeStatus.BREACHED


def test_r18_a_place_free_within_the_policys_days_is_suitable(memory_service, clock):
    svc = memory_service
    waiting = waiting_case(svc)
    resident = waiting_case(svc)
    p, o = offered(svc, resident)
    svc.accept_offer(M, resident, o)
    svc.admit(M, resident, o)
    svc.end_stay(M, resident, reason=StayEndReason.DIED,
                 ended_on=today(svc) + timedelta(days=10))  # planned (R24)
    offer = svc.make_offer(M, waiting, made_by="TE", place_id=p)
    made = svc.get_case(M, waiting).offers[offer]
    assert made.suitable and made.available_on == today(svc) + timedelta(days=10)
    svc.accept_offer(M, waiting, offer)
    with unchanged(svc), pytest.raises(InvalidValue, match="available from"):
        svc.admit(M, waiting, offer, admitted_on=today(svc) + timedelta(days=3))
    svc.admit(M, waiting, offer, admitted_on=today(svc) + timedelta(days=10))


# --- R18, R23: the waiting-list date and the guarantee survive new decisions ---------------

def test_r23_a_new_decision_keeps_the_waiting_list_date_and_the_deadline(memory_service, clock):
    svc = memory_service
    case_id = waiting_case(svc)
    first = svc.get_case(M, case_id)
    since, deadline = first.waiting_since, first.deadline
    assert since == START.date() and deadline == date(2026, 6, 2)
    clock.advance(days=40)
    svc.record_medical_information(M, case_id, source=MedicalSource.SPECIALIST, summary="Ny")
    decide(svc, case_id, place_type=PlaceType.REINFORCED)  # a re-assessment: a new type
    case = svc.get_case(M, case_id)
    assert case.waiting_since == since and case.deadline == deadline
    assert case.order_key()[3] == since  # seniority unchanged (R12)


def test_r23_a_breach_stays_recorded_after_a_new_decision(memory_service, clock):
    svc = memory_service
    case_id = waiting_case(svc)
    clock.advance(days=93)
    assert svc.check_deadlines(M) == [case_id]
    clock.advance(days=2)
    decide(svc, case_id)  # a new waiting-list decision in the same period
    case = svc.get_case(M, case_id)
    assert case.breached_on == START.date() + timedelta(days=93)
    assert state(svc, case_id).status is GuaranteeStatus.BREACHED
    clock.advance(days=100)
    assert svc.check_deadlines(M) == []  # once per guarantee period


def test_r18_guarantee_continues_a_new_period_can_breach_again_once(memory_service, clock):
    svc = memory_service
    svc.set_policy(M, issued_by="k", reason="Prøver regelen",
                   declined_offer_effect=DeclinedOfferEffect.GUARANTEE_CONTINUES)
    case_id = waiting_case(svc)
    clock.advance(days=93)
    assert svc.check_deadlines(M) == [case_id]  # period 1 breached
    _, offer = offered(svc, case_id)
    svc.decline_offer(M, case_id, offer, reason="Vil vente på Solbakken")
    s = state(svc, case_id)
    assert s.status is GuaranteeStatus.RUNNING and s.period == 2
    assert s.deadline == today(svc) + (date(2026, 9, 3) - date(2026, 6, 3))
    clock.advance(days=93)
    assert svc.check_deadlines(M) == [case_id]  # period 2 breached
    assert svc.check_deadlines(M) == []
    breaches = svc.get_case(M, case_id).guarantee.breaches
    assert [b.number for b in breaches] == [1, 2]


def test_r18_offer_fulfils_policy_a_declined_suitable_offer_met_it(memory_service, clock):
    svc = memory_service
    case_id = waiting_case(svc)
    _, offer = offered(svc, case_id)
    svc.decline_offer(M, case_id, offer, reason="Nei takk")
    s = state(svc, case_id)
    assert s.status is GuaranteeStatus.MET and s.met_how is MetHow.DECLINED
    clock.advance(days=200)
    assert svc.check_deadlines(M) == []


def test_r23_rejection_ends_the_waiting_period_and_a_later_decision_starts_a_new_one(
        memory_service, clock):
    svc = memory_service
    case_id = waiting_case(svc)
    clock.advance(days=10)
    decide(svc, case_id, kind="rejection")
    assert svc.get_case(M, case_id).waiting_since is None
    clock.advance(days=10)
    decide(svc, case_id)  # e.g. after the unit reconsidered a complaint
    assert svc.get_case(M, case_id).waiting_since == START.date() + timedelta(days=20)


def test_r21_r23_a_decision_after_a_complaint_may_keep_the_waiting_list_date(
        memory_service, clock):
    svc = memory_service
    case_id = waiting_case(svc)
    first = svc.get_case(M, case_id).waiting_since
    decide(svc, case_id, kind="rejection")
    clock.advance(days=30)
    decide(svc, case_id, keep_waiting_since=first)
    case = svc.get_case(M, case_id)
    assert case.waiting_since == first and case.deadline == date(2026, 6, 2)


# --- R15, R4: urgency is a grant, carried out at once --------------------------------------

def test_r15_urgency_records_a_grant_and_takes_the_person_off_the_list(memory_service, clock):
    svc = memory_service
    case_id = waiting_case(svc)
    clock.advance(days=5)
    grant = svc.mark_urgent(M, case_id, reason="Ektefellen innlagt; alene om natten",
                            assessed_by="Lege")
    case = svc.get_case(M, case_id)
    assert grant is not None and case.status is CaseStatus.GRANTED and case.urgent
    assert case.current_decision.kind == "grant"
    assert case.urgency_reason == "Ektefellen innlagt; alene om natten"
    assert case.deadline is None and state(svc, case_id).status is GuaranteeStatus.NONE
    assert case.waiting_since == START.date()  # R23: the same waiting period
    assert case.order_key()[0] is False  # first in the order (R15)
    assert svc.mark_urgent(M, case_id, reason="igjen", assessed_by="Lege") is None
    clock.advance(days=200)
    assert svc.check_deadlines(M) == []  # a grant has no three-month deadline (R4)


def test_r4_a_grant_not_carried_out_within_the_policys_days_is_overdue(memory_service, clock):
    svc = memory_service
    case_id = waiting_case(svc)
    svc.mark_urgent(M, case_id, reason="Fall", assessed_by="Lege")
    clock.advance(days=3)
    assert svc.get_case(M, case_id).grant_overdue(today(svc)) is None
    clock.advance(days=1)
    assert svc.get_case(M, case_id).grant_overdue(today(svc)) == 4


def test_r15_urgency_is_for_a_person_on_the_list(memory_service):
    svc = memory_service
    case_id = new_case(svc)
    with unchanged(svc), pytest.raises(RuleViolation) as err:
        svc.mark_urgent(M, case_id, reason="Fall", assessed_by="Lege")
    assert err.value.rule == "R15"


def test_r2_r15_a_bridging_short_term_stay_is_recorded_and_ends_at_admission(memory_service):
    svc = memory_service
    case_id = waiting_case(svc)
    svc.mark_urgent(M, case_id, reason="Fall", assessed_by="Lege")
    svc.record_bridging_stay(M, case_id, facility_name="Byhaugen korttid", unit="K2",
                             from_on=today(svc), recorded_by="TE")
    with unchanged(svc), pytest.raises(InvalidState, match="already"):
        svc.record_bridging_stay(M, case_id, facility_name="Annen", unit="K",
                                 from_on=today(svc), recorded_by="TE")
    case = svc.get_case(M, case_id)
    assert case.bridging_stay_on(today(svc)).facility_name == "Byhaugen korttid"
    _, offer = offered(svc, case_id)
    svc.accept_offer(M, case_id, offer)
    svc.admit(M, case_id, offer)
    assert svc.get_case(M, case_id).bridging[0].to_on == today(svc)


# --- R5: a place is bought when the municipality has none of the type ----------------------

def test_r5_purchase_at_any_time_when_the_own_stock_lacks_the_type(memory_service):
    svc = memory_service
    place(svc, place_type=PlaceType.ORDINARY)  # ordinary places only
    case_id = new_case(svc)
    document(svc, case_id, reinforced=True)
    decide(svc, case_id, place_type=PlaceType.REINFORCED)
    po = svc.register_provider_offer(
        M, provider="Privat AS", reference="R-1", facility_name="Lia",
        facility_kind=FacilityKind.NURSING_HOME, place_type=PlaceType.REINFORCED,
        price_per_day=Decimal("4100"))
    svc.make_offer(M, case_id, made_by="TE", provider_offer_id=po)  # far from the deadline
    ordinary = waiting_case(svc)
    po2 = svc.register_provider_offer(
        M, provider="Privat AS", reference="O-1", facility_name="Lia",
        facility_kind=FacilityKind.NURSING_HOME, place_type=PlaceType.ORDINARY,
        price_per_day=Decimal("3100"))
    with unchanged(svc), pytest.raises(RuleViolation) as err:
        svc.make_offer(M, ordinary, made_by="TE", provider_offer_id=po2)
    assert err.value.rule == "R19"


# --- R8: the § 2-2 gaps ------------------------------------------------------------------

def test_r8_no_relatives_statement_instead_of_a_relatives_record(memory_service):
    svc = memory_service
    case_id = new_case(svc)
    document(svc, case_id)
    case_2 = new_case(svc)
    svc.record_own_account(M, case_2, what_matters="Ro", account="Alene", recorded_by="TE")
    with pytest.raises(MissingDocumentation) as err:
        decide(svc, case_2)
    assert "relatives" in err.value.missing
    svc.state_no_relatives(M, case_2, statement="Ingen nære pårørende; ingen verge",
                           recorded_by="TE")
    with pytest.raises(MissingDocumentation) as err:
        decide(svc, case_2)
    assert "relatives" not in err.value.missing


def test_r8_reinforced_needs_the_competence_centre_where_one_was_involved(memory_service):
    svc = memory_service
    case_id = new_case(svc)
    document(svc, case_id, reinforced=True)
    svc.record_medical_information(M, case_id, source=MedicalSource.GP,
                                   summary="Fulgt opp av kompetansesenter i lindring",
                                   competence_centre_involved=True)
    with unchanged(svc), pytest.raises(MissingDocumentation) as err:
        decide(svc, case_id, place_type=PlaceType.REINFORCED)
    assert err.value.missing == ("medical_competence_centre",)
    svc.record_medical_information(M, case_id, source=MedicalSource.COMPETENCE_CENTRE,
                                   summary="Anbefaler forsterket plass")
    decide(svc, case_id, place_type=PlaceType.REINFORCED)


def test_r8_medical_information_names_its_source_from_the_list(memory_service):
    """A source that is not one of the three (a free word where the kind was expected) is
    refused by name and records nothing: the read side could not fold it."""
    svc = memory_service
    case_id = new_case(svc)
    with unchanged(svc), pytest.raises(InvalidValue) as err:
        svc.record_medical_information(M, case_id, source="Fastlegen",  # type: ignore[arg-type]
                                       summary="Hjertesvikt")
    assert err.value.field == "source"


def test_r8_dementia_suspected_after_the_decision_blocks_offers_until_investigated(
        memory_service):
    svc = memory_service
    case_id = waiting_case(svc)
    svc.suspect_dementia(M, case_id, reason="Glemsom og urolig om natten", raised_by="TE")
    p = place(svc)
    with unchanged(svc), pytest.raises(RuleViolation) as err:
        svc.make_offer(M, case_id, made_by="TE", place_id=p)
    assert err.value.rule == "R8" and err.value.missing == ("dementia_investigation",)
    from domain.values import DementiaFinding
    svc.record_dementia_investigation(M, case_id, finding=DementiaFinding.NOT_CONFIRMED,
                                      conclusion="Delirium, ikke demens", recorded_by="Lege")
    svc.make_offer(M, case_id, made_by="TE", place_id=p)


def test_r8_other_services_can_change_after_the_application(memory_service):
    svc = memory_service
    case_id = new_case(svc, receives_other_services=False)
    svc.record_other_services(M, case_id, receives_other_services=True, recorded_by="TE")
    with pytest.raises(MissingDocumentation) as err:
        decide(svc, case_id)
    assert "iplos" in err.value.missing


# --- R24: dates users give ---------------------------------------------------------------

def test_r24_the_decision_date_is_given_and_checked(memory_service, clock):
    svc = memory_service
    case_id = new_case(svc)
    document(svc, case_id)
    clock.advance(days=10)
    for bad in (today(svc) + timedelta(days=1), START.date() - timedelta(days=1)):
        with unchanged(svc), pytest.raises(InvalidValue) as err:
            decide(svc, case_id, decided_on=bad)
        assert err.value.field == "decided_on"
    decide(svc, case_id, decided_on=START.date() + timedelta(days=3))
    case = svc.get_case(M, case_id)
    assert case.current_decision.decided_on == START.date() + timedelta(days=3)
    assert case.deadline == date(2026, 6, 5)  # from the decision date, not the recording
    made = [e for e in svc.events.get(case_id) if type(e).__name__ == "DecisionMade"][-1]
    assert made.timestamp.date() == today(svc)  # when it was recorded, kept beside
    with unchanged(svc), pytest.raises(InvalidValue):  # not before the decision in force
        decide(svc, case_id, decided_on=START.date() + timedelta(days=2))


def test_r24_a_planned_admission_holds_the_place_and_keeps_the_case_open(memory_service):
    svc = memory_service
    case_id = waiting_case(svc)
    p, offer = offered(svc, case_id)
    svc.accept_offer(M, case_id, offer)
    svc.admit(M, case_id, offer, admitted_on=today(svc) + timedelta(days=7))
    case = svc.get_case(M, case_id)
    assert case.status is CaseStatus.RESIDENT and case.admission_planned(today(svc))
    assert case.is_open
    assert svc.get_place(M, p).free_beds_on(today(svc)) == 0
    # the person dies before moving in: the planned stay ends, the place is free again
    svc.end_stay(M, case_id, reason=StayEndReason.DIED, ended_on=today(svc))
    assert svc.get_place(M, p).free_beds_on(today(svc)) == 1


def test_r24_a_planned_move_out_keeps_the_place_occupied_until_that_day(memory_service, clock):
    svc = memory_service
    case_id = waiting_case(svc)
    p, offer = offered(svc, case_id)
    svc.accept_offer(M, case_id, offer)
    svc.admit(M, case_id, offer)
    out = today(svc) + timedelta(days=20)
    svc.end_stay(M, case_id, reason=StayEndReason.MOVED, ended_on=out)
    place_now = svc.get_place(M, p)
    assert place_now.free_beds_on(today(svc)) == 0
    assert place_now.free_beds_on(out) == 1
    assert place_now.free_from(today(svc)) == out


# --- R25: one person, one open case ------------------------------------------------------

def test_r25_a_second_application_for_the_same_person_points_to_the_open_case(memory_service):
    svc = memory_service
    number = person_number()
    first = svc.receive_application(M, identity_number=number, name="Per")
    with unchanged(svc), pytest.raises(CaseAlreadyOpen) as err:
        svc.receive_application(M, identity_number=number, name="Per Hansen")
    assert err.value.case_id == first
    assert svc.open_case_of(M, number) == first
    # another municipality: a case of its own
    other = svc.receive_application("0301", identity_number=number, name="Per")
    assert other != first
    # once the case is closed, a new application opens a new case
    svc.close_case(M, first, reason=ClosureReason.WITHDRAWN)
    assert svc.open_case_of(M, number) is None
    second = svc.receive_application(M, identity_number=number, name="Per")
    assert second != first and svc.open_case_of(M, number) == second


def test_r25_a_rejected_case_reopened_by_a_decision_is_refused_if_another_is_open(
        memory_service):
    svc = memory_service
    number = person_number()
    first = svc.receive_application(M, identity_number=number, name="Per")
    document(svc, first)
    decide(svc, first, kind="rejection")
    second = svc.receive_application(M, identity_number=number, name="Per")
    with unchanged(svc), pytest.raises(CaseAlreadyOpen) as err:
        decide(svc, first)
    assert err.value.case_id == second


# --- R26: the answer deadline ----------------------------------------------------------

def test_r26_an_unanswered_offer_lapses_and_its_place_is_released(memory_service, clock):
    svc = memory_service
    case_id = waiting_case(svc)
    p, offer = offered(svc, case_id)
    made = svc.get_case(M, case_id).offers[offer]
    assert made.answer_by == today(svc) + timedelta(days=3)
    clock.advance(days=3)
    assert svc.lapse_offers(M) == []  # the answer deadline day itself: not yet
    with unchanged(svc), pytest.raises(InvalidState, match="not passed"):
        svc.lapse_offer(M, case_id, offer)
    clock.advance(days=1)
    assert svc.lapse_offers(M) == [case_id]
    assert svc.lapse_offers(M) == []  # once
    case = svc.get_case(M, case_id)
    assert case.offers[offer].status is OfferStatus.LAPSED
    assert svc.get_place(M, p).is_vacant
    # counted as declined (the default policy): the suitable offer met the guarantee
    s = state(svc, case_id)
    assert s.status is GuaranteeStatus.MET and s.met_how is MetHow.LAPSED


def test_r26_a_lapse_not_counted_as_declined_lets_the_clock_run_again(memory_service, clock):
    svc = memory_service
    svc.set_policy(M, issued_by="k", reason="Prøver regelen", lapsed_offer_counts_as_declined=False)
    case_id = waiting_case(svc)
    offered(svc, case_id)
    clock.advance(days=4)
    svc.lapse_offers(M)
    assert state(svc, case_id).status is GuaranteeStatus.RUNNING


# --- R27: reviews while waiting ----------------------------------------------------------

def test_r27_every_waiting_case_has_a_review_date_moved_by_a_new_assessment(
        memory_service, clock):
    svc = memory_service
    case_id = waiting_case(svc)
    assert svc.get_case(M, case_id).review_due_on() == date(2026, 6, 2)
    clock.advance(days=40)
    svc.assess_priority(M, case_id, factors={"function": 2}, need_score=9, assessor="Spl")
    assert svc.get_case(M, case_id).review_due_on() == date(2026, 7, 11)


def test_r27_an_outdated_iplos_registration_is_flagged(memory_service, clock):
    svc = memory_service
    case_id = waiting_case(svc)
    case = svc.get_case(M, case_id)
    assert not case.iplos_outdated(today(svc))
    assert case.iplos_outdated(today(svc) + timedelta(days=400))


# --- the state machine -----------------------------------------------------------------

def test_every_case_command_consults_the_state_machine():
    """Each command the case has is in the state machine's table (a new command cannot
    forget to ask where the case is in its life)."""
    import inspect

    from domain.case import ALLOWED, Case
    from domain.case.state import CaseState

    names = set(ALLOWED)
    source = "".join(inspect.getsource(c) for c in Case.__mro__[1:]
                     if issubclass(c, CaseState) and c is not CaseState)
    for command in names:
        assert f'"{command}"' in source, command


def test_r16_suggested_score_gives_special_weight_precedence():
    from domain.values import SPECIAL_WEIGHT_LINE, PolicySettings

    policy = PolicySettings()
    all_optional = {f: 4 for f in ("function", "medical", "nutrition", "prognosis",
                                   "home_situation", "spouse_in_long_term_stay")}
    weakest_special = {"other_special_needs": 1}
    assert policy.suggested_need_score(all_optional) <= SPECIAL_WEIGHT_LINE
    assert policy.suggested_need_score(weakest_special) > SPECIAL_WEIGHT_LINE
    # factors that lower the need lower the suggestion
    base = {"function": 3, "home_situation": 3}
    assert policy.suggested_need_score({**base, "rehabilitation": 4}) < \
        policy.suggested_need_score(base)
    assert policy.suggested_need_score({**base, "other_services": 4}) < \
        policy.suggested_need_score(base)


def test_r16_special_weight_is_never_zero(memory_service):
    svc = memory_service
    with pytest.raises(InvalidValue, match="special weight"):
        svc.set_policy(M, issued_by="k", reason="Prøver regelen",
                       priority_weights={"end_of_life": 0})
    weights = dict(svc.policy(M).current.priority_weights, nutrition=0)
    # an optional one may be 0
    svc.set_policy(M, issued_by="k", reason="Prøver regelen", priority_weights=weights)


def test_r17_assessment_uses_the_policy_in_force_on_its_date(memory_service, clock):
    svc = memory_service
    case_id = waiting_case(svc)
    weights = dict(svc.policy(M).current.priority_weights, function=10)
    svc.set_policy(M, issued_by="k", reason="Prøver regelen", priority_weights=weights,
                   effective_from=today(svc) + timedelta(days=5))
    svc.assess_priority(M, case_id, factors={"function": 4}, need_score=10, assessor="Spl")
    assert svc.get_case(M, case_id).priority.policy_version == 1
    clock.advance(days=6)
    with pytest.raises(RuleViolation):  # version 2 suggests far more for the same factors
        svc.assess_priority(M, case_id, factors={"function": 4}, need_score=10,
                            assessor="Spl")
    svc.assess_priority(M, case_id, factors={"function": 4}, need_score=10, assessor="Spl",
                        assessed_on=today(svc) - timedelta(days=3))  # dated earlier: v1
    assert svc.get_case(M, case_id).priority.policy_version == 1



def test_r18_back_on_the_list_after_a_grant_with_the_deadline_passed_records_the_breach_now(
        memory_service, clock):
    """A waiting person granted a stay, then put back on the waiting list after the
    deadline of their guarantee period: the breach is recorded with the decision, not left
    for the next check (found by the property test)."""
    svc = memory_service
    case_id = waiting_case(svc)
    svc.mark_urgent(M, case_id, reason="Fall", assessed_by="Lege")
    clock.advance(days=95)
    assert svc.check_deadlines(M) == []  # a grant has no three-month deadline
    decide(svc, case_id)
    assert state(svc, case_id).status is GuaranteeStatus.BREACHED
    assert svc.check_deadlines(M) == []  # recorded once


def test_r18_an_offer_withdrawn_after_the_deadline_records_the_breach_at_once(
        memory_service, clock):
    svc = memory_service
    case_id = waiting_case(svc)
    _, offer = offered(svc, case_id)
    clock.advance(days=95)
    svc.withdraw_offer(M, case_id, offer, reason="Plassen trengtes til en akutt innleggelse")
    assert state(svc, case_id).status is GuaranteeStatus.BREACHED
    assert svc.check_deadlines(M) == []
