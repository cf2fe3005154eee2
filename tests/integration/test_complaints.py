"""R21: a complaint's whole story on SQLite and PostgreSQL — registered, reconsidered by the
allocation unit (not upheld), forwarded to Statsforvalteren, decided — as the read side shows
it: the complaint list, the complaint itself, the case history with the complaint's events
merged in, and the same views as they stood at a past moment."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.base import local_date
from domain.complaint import ComplaintOutcome, ComplaintSubject
from domain.values import DeliveryChannel
from projections.read_side import ReadSide
from tests.builders import MUNICIPALITY, OTHER_MUNICIPALITY, place, waiting_case

M = MUNICIPALITY


@pytest.fixture
def read(service):
    side = ReadSide(service)
    try:
        yield side
    finally:
        side.stop()


def test_r21_story_complaint_to_statsforvalteren(service, clock, read):
    case_id = waiting_case(service, name="Ingrid Berg")
    decision = service.get_case(M, case_id).decisions[0]
    clock.advance(days=1)
    service.record_decision_sent(M, case_id, decision.decision_id,
                                 sent_on=decision.decided_on, channel=DeliveryChannel.POST,
                                 received_on=local_date(clock.now()), recorded_by="TE")
    clock.advance(days=8)
    complaint_id = service.register_complaint(
        M, case_id, against=ComplaintSubject.DECISION, subject_id=decision.decision_id,
        received_on=local_date(clock.now()) - timedelta(days=1),
        grounds="Datteren mener mor ikke er trygg hjemme om natten",
        registered_by="Saksbehandler Lie", command_id="klage-ingrid")
    clock.advance(days=14)
    service.record_reconsideration(
        M, complaint_id, upheld=False, reasoning="Ny vurdering gir samme resultat",
        decided_by="Leder Dahl", decided_on=local_date(clock.now()),
        command_id="klage-ingrid/r")
    clock.advance(days=1)
    forwarded_at = clock.now()
    service.forward_complaint(M, complaint_id, forwarded_on=local_date(clock.now()),
                              forwarded_by="Leder Dahl", command_id="klage-ingrid/f")
    clock.advance(days=45)
    service.record_complaint_outcome(
        M, complaint_id, outcome=ComplaintOutcome.CONFIRMED,
        decided_on=local_date(clock.now()), summary="Statsforvalteren stadfester vedtaket",
        command_id="klage-ingrid/o")
    # a retried forwarding changes nothing
    service.forward_complaint(M, complaint_id, forwarded_on=local_date(forwarded_at),
                              forwarded_by="Leder Dahl", command_id="klage-ingrid/f")
    read.catch_up()

    [row] = read.complaints(M, case_id)
    assert row == read.complaint(M, complaint_id)
    assert row["complaint_id"] == str(complaint_id) and row["case_id"] == str(case_id)
    assert row["status"] == "decided"
    assert row["against"] == "decision" and row["subject_id"] == str(decision.decision_id)
    # R14: four weeks from the receipt (3 March), not from the decision (2 March)
    assert row["subject_date"] == "2026-03-02" and row["complaint_deadline"] == "2026-03-31"
    assert row["deadline_basis"] == "received"
    assert row["received_on"] == "2026-03-10" and row["late"] is False
    assert row["reconsideration"] == {"upheld": False,
                                      "reasoning": "Ny vurdering gir samme resultat",
                                      "decided_by": "Leder Dahl", "decided_on": "2026-03-25",
                                      "late_reason": None}
    assert row["forwarding"] == {"forwarded_on": "2026-03-26", "forwarded_by": "Leder Dahl",
                                 "to": "Statsforvalteren"}
    assert row["outcome"] == {"outcome": "confirmed", "decided_on": "2026-05-10",
                              "summary": "Statsforvalteren stadfester vedtaket"}
    assert [h["event"] for h in row["history"]] == [
        "Registered", "Reconsidered", "Forwarded", "OutcomeRecorded"]
    assert [h["who"] for h in row["history"]] == [
        "Saksbehandler Lie", "Leder Dahl", "Leder Dahl", "Statsforvalteren"]

    history = read.case_history_with_complaints(M, case_id)
    case_part = [h for h in history if h["source"] == "case"]
    complaint_part = [h for h in history if h["source"] == "complaint"]
    assert [h["version"] for h in case_part] == [e.version for e in read.case_history(case_id)]
    assert [h["event"] for h in complaint_part] == [
        "Registered", "Reconsidered", "Forwarded", "OutcomeRecorded"]
    assert {h["complaint_id"] for h in complaint_part} == {str(complaint_id)}
    assert history[-4:] == complaint_part  # after the decision, in time order
    assert "received on 2026-03-10" in complaint_part[0]["text"]
    assert "stadfestet" in complaint_part[-1]["text"]

    # R21: as it stood when the complaint had been forwarded
    then = read.as_of(forwarded_at)
    assert then.complaint(M, complaint_id)["status"] == "forwarded"
    assert then.complaint(M, complaint_id)["outcome"] is None
    assert read.as_of(forwarded_at - timedelta(days=30)).complaints(M) == []

    # another municipality sees nothing
    assert read.complaints(OTHER_MUNICIPALITY) == []
    assert read.complaint(OTHER_MUNICIPALITY, complaint_id) is None
    assert read.case_history_with_complaints(OTHER_MUNICIPALITY, case_id) == []


def test_r21_complaints_of_a_municipality_and_of_a_case(service, clock, read):
    first = waiting_case(service, name="Anna")
    service.record_decision_sent(M, first, service.get_case(M, first).decisions[0].decision_id,
                                 sent_on=local_date(clock.now()),
                                 channel=DeliveryChannel.DIGITAL_MAILBOX, recorded_by="TE")
    second = waiting_case(service, name="Bjørn")
    offer = service.make_offer(M, second, made_by="TE", place_id=place(service))
    clock.advance(days=35)
    today = local_date(clock.now())
    late = service.register_complaint(
        M, first, against="decision",
        subject_id=service.get_case(M, first).decisions[0].decision_id, received_on=today,
        grounds="For sent, men likevel", registered_by="TE")
    on_offer = service.register_complaint(
        M, second, against="offer", subject_id=offer, received_on=today - timedelta(days=30),
        grounds="Plassen ligger for langt unna", registered_by="TE")
    service.record_reconsideration(M, on_offer, upheld=True, reasoning="Tas til følge",
                                   decided_by="Leder", decided_on=today)
    read.catch_up()

    rows = read.complaints(M)
    assert [r["complaint_id"] for r in rows] == [str(on_offer), str(late)]  # by receipt
    by_id = {r["complaint_id"]: r for r in rows}
    assert by_id[str(late)]["late"] is True and by_id[str(late)]["status"] == "received"
    assert by_id[str(on_offer)]["late"] is None  # R14: an offer's receipt is not recorded
    assert by_id[str(on_offer)]["status"] == "upheld"
    assert by_id[str(on_offer)]["against"] == "offer"
    assert [r["complaint_id"] for r in read.complaints(M, first)] == [str(late)]
    assert [r["complaint_id"] for r in read.complaints(M, second)] == [str(on_offer)]
