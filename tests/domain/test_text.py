"""Text is checked once, in the domain, whatever way it came in: control characters and
over-long text are refused with an error naming the field, and nothing is written (the
hostile review posted a NUL byte through a page form, a 100,000-character name and a
10,000-character assessor)."""

from __future__ import annotations

import pytest

from domain.errors import InvalidValue
from domain.text import LONG, SHORT
from domain.values import InterimService, LeonEntry, LeonMeasure, LeonStatus, PlaceType
from tests.builders import INTERIM, MUNICIPALITY, document, person_number, waiting_case

M = MUNICIPALITY


def _refused(svc, command, field):
    before = svc.recorder.max_notification_id()
    with pytest.raises(InvalidValue) as err:
        command()
    assert err.value.field == field
    assert svc.recorder.max_notification_id() == before


@pytest.mark.parametrize("name", ["Per\x00", "Per\x1b[2J", "x" * 100_000, "Per\u2028Hansen"])
def test_a_name_with_a_control_character_or_too_long_is_refused(memory_service, name):
    _refused(memory_service, lambda: memory_service.receive_application(
        M, identity_number=person_number(), name=name), "person.name")


def test_every_text_an_event_carries_is_checked(memory_service):
    svc = memory_service
    case_id = svc.receive_application(M, identity_number=person_number(), name="Per")
    _refused(svc, lambda: svc.record_own_account(
        M, case_id, what_matters="Ro\x00", account="a", recorded_by="TE"), "what_matters")
    _refused(svc, lambda: svc.record_relatives(
        M, case_id, name="Kari", relation="datter" * 100, information="i",
        recorded_by="TE"), "relation")
    _refused(svc, lambda: svc.record_leon(M, case_id, entries=[LeonEntry(
        LeonMeasure.DAY_CARE, LeonStatus.TRIED, "x" * (LONG + 1))], recorded_by="TE"),
        "entries.outcome")
    document(svc, case_id)
    _refused(svc, lambda: svc.decide(
        M, case_id, kind="waiting_list", grounds="Varig behov", decided_by="TE",
        place_type=PlaceType.ORDINARY, can_be_cared_for_safely_at_home=True,
        interim_services=[InterimService("hjemme\x07sykepleie", "daglig")]),
        "interim_services.service")


def test_a_10000_character_assessor_is_refused_and_prose_keeps_its_line_breaks(
        memory_service):
    svc = memory_service
    case_id = waiting_case(svc)
    _refused(svc, lambda: svc.assess_priority(
        M, case_id, factors={"function": 2}, need_score=9, assessor="S" * 10_000),
        "assessor")
    svc.decide(M, case_id, kind="waiting_list", grounds="Første linje.\nAndre linje.\t(ok)",
               decided_by="TE", place_type=PlaceType.ORDINARY,
               can_be_cared_for_safely_at_home=True, interim_services=INTERIM)
    _refused(svc, lambda: svc.record_wishes(M, case_id, facility_ids=["a\nb"]),
             "facility_ids")
    svc.record_wishes(M, case_id, facility_ids=["x" * SHORT])  # at the limit: accepted
    _refused(svc, lambda: svc.record_wishes(M, case_id, facility_ids=["x" * (SHORT + 1)]),
             "facility_ids")
