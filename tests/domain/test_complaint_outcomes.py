"""R21 complaints that act: an outcome that changes a decision is a new decision on the case,
linked to the complaint and keeping the waiting-list date (R23) where the waiting period
continues; one that quashes it sends the case back for a new assessment, and the unit's new
decision is linked to the complaint. Every rule of an ordinary decision holds. Also: what a
complaint can be about (pbrl § 7-2: decisions, offers, breaches, the priority) and who
complains. The application layer on an in-memory store, like test_complaints.py.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from application.complaints import NewDecision
from domain.base import local_date
from domain.case import CaseStatus, GuaranteeStatus
from domain.complaint import ComplainantRole, ComplaintOutcome, ComplaintStatus
from domain.errors import (
    InvalidState,
    InvalidValue,
    MissingDocumentation,
    NotFound,
    RuleViolation,
)
from domain.values import ClosureReason, PlaceType
from tests.builders import INTERIM, MUNICIPALITY, document, person_number, place, waiting_case

M = MUNICIPALITY
WAITING = NewDecision(kind="waiting_list", grounds="Vilkårene er oppfylt; kan bo hjemme "
                      "med tjenester til plass tilbys", place_type=PlaceType.ORDINARY,
                      can_be_cared_for_safely_at_home=True, interim_services=INTERIM)
SCREENED = NewDecision(kind="waiting_list", grounds="Skjermet plass etter klage",
                       place_type=PlaceType.SCREENED, can_be_cared_for_safely_at_home=True,
                       interim_services=INTERIM)


def today(clock) -> date:
    return local_date(clock.now())


def written(svc) -> int:
    return svc.recorder.max_notification_id() or 0


def reject(svc, case_id, **kw):
    return svc.decide(M, case_id, kind="rejection", grounds="Best hjulpet hjemme",
                      decided_by="TE", **kw)


def complain(svc, clock, case_id, subject_id, against="decision", **kw):
    return svc.register_complaint(M, case_id, against=against, subject_id=subject_id,
                                  received_on=today(clock), grounds="Uenig i vedtaket",
                                  registered_by="Klagebehandler", **kw)


def to_state_administrator(svc, clock, complaint_id):
    svc.record_reconsideration(M, complaint_id, upheld=False, reasoning="Ingen nye forhold",
                               decided_by="Leder", decided_on=today(clock))
    svc.forward_complaint(M, complaint_id, forwarded_on=today(clock), forwarded_by="Leder")


def rejected_after_waiting(svc, clock):
    """On the list from 2 March; rejected on 12 March (the waiting period ends)."""
    case_id = waiting_case(svc)
    clock.advance(days=10)
    rejection = reject(svc, case_id)
    assert svc.get_case(M, case_id).waiting_since is None
    return case_id, rejection


# --- changed: a new decision, linked, keeping the waiting-list date -----------------------

def test_r21_r23_state_administrator_changes_a_rejection_the_waiting_period_continues(
        memory_service, clock):
    """The rejection ended a waiting period begun on 2 March; Statsforvalteren changes it to
    a waiting-list decision on 20 July: the person is back on the list with the date of
    2 March, the guarantee's deadline of 2 June — passed, so the breach is recorded now
    (R18) — and the decision names the complaint."""
    svc = memory_service
    case_id, rejection = rejected_after_waiting(svc, clock)
    k = complain(svc, clock, case_id, rejection)
    to_state_administrator(svc, clock, k)
    clock.advance(days=130)
    made = svc.record_complaint_outcome(M, k, outcome="changed", decided_on=today(clock),
                                        summary="Vilkårene for venteliste er oppfylt",
                                        new_decision=WAITING)
    case = svc.get_case(M, case_id)
    assert case.status is CaseStatus.WAITING
    assert case.current_decision.decision_id == made
    assert case.current_decision.complaint_id == k
    assert case.current_decision.decided_by == "Statsforvalteren"
    assert case.waiting_since == date(2026, 3, 2)
    assert case.deadline == date(2026, 6, 2)
    assert case.breached_on == today(clock)
    complaint = svc.get_complaint(M, k)
    assert complaint.status is ComplaintStatus.DECIDED
    assert complaint.result == (ComplaintOutcome.CHANGED, "state_administrator")
    assert complaint.new_decision_id == made


def test_r21_r23_a_rejected_application_changed_to_waiting_list_starts_its_period(
        memory_service, clock):
    """No waiting period to continue: the new decision's date is the waiting-list date."""
    svc = memory_service
    case_id = svc.receive_application(M, identity_number=person_number(), name="Kari")
    document(svc, case_id)
    rejection = reject(svc, case_id)
    k = complain(svc, clock, case_id, rejection)
    clock.advance(days=14)
    svc.record_reconsideration(M, k, upheld=True, reasoning="Nye opplysninger fra fastlegen",
                               decided_by="Leder", decided_on=today(clock),
                               new_decision=WAITING)
    case = svc.get_case(M, case_id)
    assert case.status is CaseStatus.WAITING and case.is_open
    assert case.waiting_since == today(clock)
    assert case.current_decision.decided_by == "Leder"
    assert svc.get_complaint(M, k).result == (ComplaintOutcome.CHANGED, "unit")


def test_r21_r23_a_changed_place_type_keeps_the_date_and_the_deadline(memory_service, clock):
    svc = memory_service
    case_id = waiting_case(svc)
    first = svc.get_case(M, case_id).decisions[0].decision_id
    k = complain(svc, clock, case_id, first)
    clock.advance(days=20)
    svc.record_reconsideration(M, k, upheld=True, reasoning="Demens bekreftet",
                               decided_by="Leder", decided_on=today(clock),
                               new_decision=SCREENED)
    case = svc.get_case(M, case_id)
    assert case.place_type is PlaceType.SCREENED
    assert case.waiting_since == date(2026, 3, 2) and case.deadline == date(2026, 6, 2)
    assert case.guarantee.state(today(clock)).status is GuaranteeStatus.RUNNING
    assert len(case.guarantee.periods) == 1


def test_r21_r8_a_changed_decision_obeys_every_rule_of_a_decision(memory_service, clock):
    """Without the § 2-2 documentation, a change to a waiting-list decision is refused as
    an ordinary decision is, naming what is missing, and nothing is written."""
    svc = memory_service
    case_id = svc.receive_application(M, identity_number=person_number(), name="Kari")
    rejection = reject(svc, case_id)
    k = complain(svc, clock, case_id, rejection)
    before = written(svc)
    with pytest.raises(MissingDocumentation):
        svc.record_reconsideration(M, k, upheld=True, reasoning="Tas til følge",
                                   decided_by="Leder", decided_on=today(clock),
                                   new_decision=WAITING)
    with pytest.raises(RuleViolation) as err:  # R5: the waiting-list assessment
        document(svc, case_id)
        before = written(svc)
        svc.record_reconsideration(
            M, k, upheld=True, reasoning="Tas til følge", decided_by="Leder",
            decided_on=today(clock),
            new_decision=NewDecision(kind="waiting_list", grounds="x",
                                     place_type=PlaceType.ORDINARY, interim_services=INTERIM))
    assert err.value.rule == "R5"
    assert written(svc) == before
    assert svc.get_complaint(M, k).status is ComplaintStatus.RECEIVED


def test_r21_a_change_states_the_new_decision(memory_service, clock):
    svc = memory_service
    case_id = waiting_case(svc)
    k = complain(svc, clock, case_id, svc.get_case(M, case_id).decisions[0].decision_id)
    before = written(svc)
    with pytest.raises(RuleViolation) as err:
        svc.record_reconsideration(M, k, upheld=True, reasoning="Tas til følge",
                                   decided_by="Leder", decided_on=today(clock))
    assert (err.value.rule, err.value.field) == ("R21", "new_decision")
    with pytest.raises(InvalidValue) as bad:
        svc.record_reconsideration(M, k, upheld=True, outcome="confirmed",
                                   reasoning="Tas til følge", decided_by="Leder",
                                   decided_on=today(clock))
    assert bad.value.field == "outcome"
    with pytest.raises(InvalidValue) as bad:
        svc.record_reconsideration(M, k, upheld=False, reasoning="Nei", decided_by="Leder",
                                   decided_on=today(clock), new_decision=WAITING)
    assert bad.value.field == "new_decision"
    assert written(svc) == before


def test_r21_a_retried_outcome_makes_one_decision(memory_service, clock):
    svc = memory_service
    case_id, rejection = rejected_after_waiting(svc, clock)
    k = complain(svc, clock, case_id, rejection)
    args = dict(upheld=True, reasoning="Tas til følge", decided_by="Leder",
                decided_on=today(clock), new_decision=WAITING, command_id="k-1")
    first = svc.record_reconsideration(M, k, **args)
    before = written(svc)
    assert svc.record_reconsideration(M, k, **args) == first
    assert written(svc) == before
    assert [d.kind for d in svc.get_case(M, case_id).decisions] == \
        ["waiting_list", "rejection", "waiting_list"]


# --- quashed: back to assessment; the new decision is linked -----------------------------

def test_r21_r9_a_quashed_waiting_list_decision_sends_the_case_back(memory_service, clock):
    """The offer made under it is withdrawn and its place released in the same save; the
    unit's new decision names the complaint and keeps the waiting-list date; a second new
    decision naming it is refused."""
    svc = memory_service
    case_id = waiting_case(svc)
    room = place(svc)
    offer = svc.make_offer(M, case_id, made_by="TE", place_id=room)
    k = complain(svc, clock, case_id, svc.get_case(M, case_id).decisions[0].decision_id)
    to_state_administrator(svc, clock, k)
    clock.advance(days=30)
    assert svc.record_complaint_outcome(M, k, outcome="quashed", decided_on=today(clock),
                                        summary="Mangelfull utredning") is None
    case = svc.get_case(M, case_id)
    assert case.status is CaseStatus.RECEIVED and not case.on_waiting_list
    assert case.offers[offer].status.value == "withdrawn"
    assert offer not in svc.get_place(M, room).reservations
    assert svc.get_complaint(M, k).awaiting_new_decision
    clock.advance(days=7)
    decision = svc.decide(M, case_id, kind="waiting_list", grounds="Ny vurdering",
                          decided_by="TE", place_type=PlaceType.ORDINARY,
                          can_be_cared_for_safely_at_home=True, interim_services=INTERIM,
                          complaint_id=k)
    case = svc.get_case(M, case_id)
    assert case.current_decision.complaint_id == k
    assert case.waiting_since == date(2026, 3, 2) and case.deadline == date(2026, 6, 2)
    assert svc.get_complaint(M, k).new_decision_id == decision
    before = written(svc)
    with pytest.raises(InvalidState) as err:
        svc.decide(M, case_id, kind="rejection", grounds="x", decided_by="TE", complaint_id=k)
    assert err.value.field == "complaint_id"
    assert written(svc) == before


def test_r21_r25_a_quashed_rejection_reopens_the_case_and_its_waiting_period(
        memory_service, clock):
    svc = memory_service
    case_id, rejection = rejected_after_waiting(svc, clock)
    k = complain(svc, clock, case_id, rejection)
    svc.record_reconsideration(M, k, upheld=True, outcome="quashed", reasoning="Utredes på "
                               "nytt", decided_by="Leder", decided_on=today(clock))
    case = svc.get_case(M, case_id)
    assert case.status is CaseStatus.RECEIVED and case.is_open
    assert svc.open_case_of(M, case.person.identity_number) == case_id  # R25
    assert case.waiting_since == date(2026, 3, 2)
    assert svc.get_complaint(M, k).result == (ComplaintOutcome.QUASHED, "unit")


def test_r21_a_new_decision_names_a_complaint_of_its_own_case(memory_service, clock):
    svc = memory_service
    case_id = waiting_case(svc)
    other = waiting_case(svc)
    k = complain(svc, clock, other, svc.get_case(M, other).decisions[0].decision_id)
    with pytest.raises(NotFound) as err:
        svc.decide(M, case_id, kind="rejection", grounds="x", decided_by="TE", complaint_id=k)
    assert err.value.field == "complaint_id"


# --- bad orders ----------------------------------------------------------------------------

def test_r21_an_outcome_recorded_twice_is_refused(memory_service, clock):
    svc = memory_service
    case_id, rejection = rejected_after_waiting(svc, clock)
    k = complain(svc, clock, case_id, rejection)
    to_state_administrator(svc, clock, k)
    svc.record_complaint_outcome(M, k, outcome="changed", decided_on=today(clock),
                                 summary="Endret", new_decision=WAITING)
    before = written(svc)
    with pytest.raises(InvalidState) as err:
        svc.record_complaint_outcome(M, k, outcome="changed", decided_on=today(clock),
                                     summary="Endret igjen", new_decision=WAITING)
    assert err.value.rule == "R21"
    assert written(svc) == before
    assert len(svc.get_case(M, case_id).decisions) == 3


@pytest.mark.parametrize("outcome", ["changed", "quashed"])
def test_r21_an_outcome_on_a_case_closed_since_is_refused(memory_service, clock, outcome):
    svc = memory_service
    case_id = waiting_case(svc)
    k = complain(svc, clock, case_id, svc.get_case(M, case_id).decisions[0].decision_id)
    to_state_administrator(svc, clock, k)
    svc.close_case(M, case_id, reason=ClosureReason.DIED)
    before = written(svc)
    with pytest.raises(InvalidState):
        svc.record_complaint_outcome(
            M, k, outcome=outcome, decided_on=today(clock), summary="x",
            new_decision=SCREENED if outcome == "changed" else None)
    assert written(svc) == before
    assert svc.get_case(M, case_id).status is CaseStatus.CLOSED
    svc.record_complaint_outcome(M, k, outcome="confirmed", decided_on=today(clock),
                                 summary="Stadfestet")  # a confirmation changes nothing
    assert svc.get_complaint(M, k).status is ComplaintStatus.DECIDED


def test_r21_a_change_acts_only_on_the_decision_in_force(memory_service, clock):
    """A later decision (here R15's grant) has replaced the one complained of: changing it
    would undo the grant; refused, nothing written."""
    svc = memory_service
    case_id = waiting_case(svc)
    k = complain(svc, clock, case_id, svc.get_case(M, case_id).decisions[0].decision_id)
    svc.mark_urgent(M, case_id, reason="Alene om natten", assessed_by="Lege")
    before = written(svc)
    with pytest.raises(InvalidState) as err:
        svc.record_reconsideration(M, k, upheld=True, reasoning="x", decided_by="Leder",
                                   decided_on=today(clock), new_decision=SCREENED)
    assert (err.value.rule, err.value.field) == ("R21", "outcome")
    assert written(svc) == before


# --- what a complaint is about, and who complains -----------------------------------------

def test_r21_a_complaint_about_a_withdrawn_offer_is_refused(memory_service, clock):
    svc = memory_service
    case_id = waiting_case(svc)
    offer = svc.make_offer(M, case_id, made_by="TE", place_id=place(svc))
    svc.withdraw_offer(M, case_id, offer, reason="Plassen må brukes til en annen")
    before = written(svc)
    with pytest.raises(RuleViolation) as err:
        complain(svc, clock, case_id, offer, against="offer")
    assert (err.value.rule, err.value.field) == ("R21", "subject_id")
    assert written(svc) == before


def test_r21_complaints_about_the_breach_and_the_priority(memory_service, clock):
    """pbrl § 7-2 covers non-fulfilment: the breach of the guarantee and the priority given
    can be complained of, once there is one; such a complaint names no decision, and its
    outcome makes no new decision here."""
    svc = memory_service
    case_id = waiting_case(svc)
    with pytest.raises(RuleViolation) as err:
        complain(svc, clock, case_id, None, against="breach")
    assert err.value.field == "against"
    with pytest.raises(RuleViolation):
        complain(svc, clock, case_id, None, against="priority")
    svc.assess_priority(M, case_id, factors={}, need_score=40, assessor="Sykepleier",
                       departure_reason="Faglig skjønn")
    clock.advance(days=100)
    svc.check_deadlines(M)
    on_breach = complain(svc, clock, case_id, None, against="breach",
                         complainant_role="lawyer", complainant_name="Advokat Berg")
    on_priority = complain(svc, clock, case_id, None, against="priority",
                           complainant_role=ComplainantRole.RELATIVE,
                           complainant_name="Lise (datter)")
    breach = svc.get_complaint(M, on_breach)
    assert breach.subject_date == svc.get_case(M, case_id).breached_on
    assert breach.complainant_role is ComplainantRole.LAWYER
    assert breach.complainant_name == "Advokat Berg"
    assert svc.get_complaint(M, on_priority).subject_date == date(2026, 3, 2)
    with pytest.raises(InvalidValue) as bad:
        complain(svc, clock, case_id, svc.get_case(M, case_id).decisions[0].decision_id,
                 against="breach")
    assert bad.value.field == "subject_id"
    svc.record_reconsideration(M, on_breach, upheld=True, reasoning="Plass kjøpes",
                               decided_by="Leder", decided_on=today(clock))
    assert len(svc.get_case(M, case_id).decisions) == 1


def test_r21_the_complainant_is_the_person_unless_named(memory_service, clock):
    svc = memory_service
    case_id = waiting_case(svc)
    decision = svc.get_case(M, case_id).decisions[0].decision_id
    own = svc.get_complaint(M, complain(svc, clock, case_id, decision))
    assert (own.complainant_role, own.complainant_name) == (ComplainantRole.PERSON, None)
    before = written(svc)
    with pytest.raises(InvalidValue) as err:
        complain(svc, clock, case_id, decision, complainant_role="guardian")
    assert err.value.field == "complainant_name"
    with pytest.raises(InvalidValue) as err:
        complain(svc, clock, case_id, decision, complainant_role="neighbour",
                 complainant_name="x")
    assert err.value.field == "complainant_role"
    assert written(svc) == before


def test_r21_a_received_date_before_the_subject_is_refused(memory_service, clock):
    svc = memory_service
    case_id = waiting_case(svc)
    decision = svc.get_case(M, case_id).decisions[0].decision_id
    with pytest.raises(InvalidValue) as err:
        svc.register_complaint(M, case_id, against="decision", subject_id=decision,
                               received_on=today(clock) - timedelta(days=1), grounds="x",
                               registered_by="y")
    assert err.value.field == "received_on"


def test_r18_r21_r23_a_resumed_period_is_not_breached_twice(memory_service, clock):
    """On the list from 2 March, breached on 3 June, rejected on 10 June; the rejection is
    changed back to the waiting list: the same period resumes, its breach stands, and no
    second breach is recorded for it."""
    svc = memory_service
    case_id = waiting_case(svc)
    clock.advance(days=93)
    svc.check_deadlines(M)
    breached_on = svc.get_case(M, case_id).breached_on
    assert breached_on is not None
    clock.advance(days=7)
    rejection = reject(svc, case_id)
    k = complain(svc, clock, case_id, rejection)
    svc.record_reconsideration(M, k, upheld=True, reasoning="Tas til følge",
                               decided_by="Leder", decided_on=today(clock),
                               new_decision=WAITING)
    svc.check_deadlines(M)
    case = svc.get_case(M, case_id)
    assert case.waiting_since == date(2026, 3, 2)
    assert [p.breached_on for p in case.guarantee.breaches] == [breached_on]
    breaches = [e for e in svc.events.get(case_id) if type(e).__name__ == "DeadlineBreached"]
    assert len(breaches) == 1
