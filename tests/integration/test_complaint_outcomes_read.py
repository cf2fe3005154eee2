"""R21, R23 on SQLite and PostgreSQL: what the read side shows after complaints that act —
the waiting list with the decision made after a complaint and the waiting-list date it kept,
the case row sent back to assessment by a quash, the complaint rows with the outcome's kind
and the new decision, the case history — and a rebuild shows the same rows."""

from __future__ import annotations

from datetime import date

import pytest

from application.complaints import NewDecision
from domain.base import local_date
from domain.values import PlaceType
from projections.read_side import ReadSide
from projections.store import ALL_TABLES
from tests.builders import INTERIM, MUNICIPALITY, waiting_case

M = MUNICIPALITY
WAITING = NewDecision(kind="waiting_list", grounds="Vilkårene er oppfylt",
                      place_type=PlaceType.ORDINARY, can_be_cared_for_safely_at_home=True,
                      interim_services=INTERIM)


@pytest.fixture
def read(service):
    side = ReadSide(service)
    try:
        yield side
    finally:
        side.stop()


def rows(read: ReadSide) -> dict[str, list]:
    with read.view.reading() as store:
        return {table: store.rows(table) for table in ALL_TABLES}


def test_r21_r23_the_read_side_shows_complaints_that_act(service, clock, read):
    changed_case = waiting_case(service, name="Endret Etter Klage")
    quashed_case = waiting_case(service, name="Opphevet Etter Klage")
    clock.advance(days=10)
    today = local_date(clock.now())
    rejection = service.decide(M, changed_case, kind="rejection", grounds="Kan bo hjemme",
                               decided_by="TE")
    k1 = service.register_complaint(M, changed_case, against="decision",
                                    subject_id=rejection, received_on=today,
                                    grounds="Uenig", registered_by="K",
                                    complainant_role="guardian", complainant_name="Verge Vik")
    service.record_reconsideration(M, k1, upheld=False, reasoning="Nei", decided_by="Leder",
                                   decided_on=today)
    service.forward_complaint(M, k1, forwarded_on=today, forwarded_by="Leder")
    k2 = service.register_complaint(
        M, quashed_case, against="decision",
        subject_id=service.get_case(M, quashed_case).decisions[0].decision_id,
        received_on=today, grounds="Feil plasstype", registered_by="K")
    clock.advance(days=5)
    today = local_date(clock.now())
    made = service.record_complaint_outcome(M, k1, outcome="changed", decided_on=today,
                                            summary="Vilkårene er oppfylt",
                                            new_decision=WAITING)
    service.record_reconsideration(M, k2, upheld=True, outcome="quashed",
                                   reasoning="Utredes på nytt", decided_by="Leder",
                                   decided_on=today)
    read.catch_up()

    listed = {e.case_id: e for e in read.waiting_list(M)}
    entry = listed[str(changed_case)]
    assert entry.after_complaint and entry.waiting_since == date(2026, 3, 2)
    assert str(quashed_case) not in listed  # back under assessment
    one = read.complaint(M, k1)
    assert (one["result"], one["result_by"], one["new_decision_id"]) == \
        ("changed", "state_administrator", str(made))
    assert (one["complainant_role"], one["complainant_name"]) == ("guardian", "Verge Vik")
    two = read.complaint(M, k2)
    assert (two["result"], two["result_by"], two["new_decision_id"]) == \
        ("quashed", "unit", None)
    history = [h.text for h in read.case_history(str(quashed_case))]
    assert any("quashed after a complaint" in t for t in history)

    clock.advance(days=3)
    new = service.decide(M, quashed_case, kind="waiting_list", grounds="Skjermet plass",
                         decided_by="TE", place_type=PlaceType.SCREENED,
                         can_be_cared_for_safely_at_home=True, interim_services=INTERIM,
                         complaint_id=k2)
    read.catch_up()
    entry = {e.case_id: e for e in read.waiting_list(M)}[str(quashed_case)]
    assert entry.after_complaint and entry.waiting_since == date(2026, 3, 2)
    assert entry.place_type == "screened"
    assert read.complaint(M, k2)["new_decision_id"] == str(new)

    live = rows(read)
    read.rebuild()
    assert rows(read) == live
