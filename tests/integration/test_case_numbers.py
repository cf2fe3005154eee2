"""Case numbers (saksnummer) on both stores: given once on receipt, per municipality and
year, unique when applications arrive at the same moment; earlier cases get theirs; the
read side finds a case by number, name (the blind index) and identity number (R25's
register), and keeps the worklists."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import timedelta
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from application.service import AllocationService
from domain.case import Case
from domain.case_number import CaseNumberSeries, series_id
from domain.values import PlaceType
from projections.casework_rows import SEARCH_TABLE
from projections.read_side import ReadSide
from tests.builders import (
    INTERIM,
    MUNICIPALITY,
    OTHER_MUNICIPALITY,
    document,
    person_number,
    waiting_case,
)

M = MUNICIPALITY


def receive(service: AllocationService, name: str = "Kari Nordmann",
            municipality: str = M, number: str | None = None) -> uuid.UUID:
    return service.receive_application(municipality, identity_number=number or person_number(),
                                       name=name)


def test_case_number_given_on_receipt_per_municipality_and_year(service, clock):
    first, second = receive(service), receive(service)
    oslo = receive(service, municipality=OTHER_MUNICIPALITY)
    assert service.get_case(M, first).case_number == "2026/0001"
    assert service.get_case(M, second).case_number == "2026/0002"
    assert service.get_case(OTHER_MUNICIPALITY, oslo).case_number == "2026/0001"
    clock.advance(days=365)
    assert service.get_case(M, receive(service)).case_number == "2027/0001"
    # recorded in the application's event: immutable, replayed
    received = next(iter(service.events.get(first)))
    assert isinstance(received, Case.ApplicationReceived)
    assert received.case_number == "2026/0001"


def test_case_number_of_a_retried_application_is_the_first_one(service):
    number = person_number()
    case_id = service.receive_application(M, identity_number=number, name="Per Hansen",
                                          command_id="k-1")
    again = service.receive_application(M, identity_number=number, name="Per Hansen",
                                        command_id="k-1")
    assert again == case_id
    series = service.repository.get(series_id(M, 2026))
    assert isinstance(series, CaseNumberSeries) and series.last == 1


class _RacingService(AllocationService):
    """Every racer's first save waits until all have loaded the series."""

    barrier: threading.Barrier | None = None
    local = threading.local()

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        if self.barrier is not None and not getattr(self.local, "waited", False) and any(
                isinstance(o, CaseNumberSeries) for o in objs):
            self.local.waited = True
            self.barrier.wait(timeout=30)
        return super().save(*objs, **kwargs)


def test_case_numbers_stay_unique_when_applications_arrive_at_once(store_env, clock):
    svc = _RacingService(env={**store_env, "POSTGRES_POOL_SIZE": "10"}, clock=clock)
    try:
        receive(svc)  # the series exists: every racer loads it at version 2
        svc.barrier = threading.Barrier(6)
        results: dict[int, object] = {}

        def apply(i: int) -> None:
            try:
                results[i] = receive(svc, name=f"Søker {i}")
            except Exception as exc:  # collected and asserted below
                results[i] = exc

        threads = [threading.Thread(target=apply, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        svc.barrier = None
        assert [r for r in results.values() if isinstance(r, Exception)] == []
        numbers = sorted(svc.get_case(M, r).case_number for r in results.values())
        assert numbers == [f"2026/{n:04d}" for n in range(2, 8)]
    finally:
        svc.close()


def _legacy_case(service: AllocationService, name: str) -> uuid.UUID:
    """A case as recorded before case numbers existed: its application only."""
    template = service.recorder.select_events(receive(service), limit=1)[0]
    state = json.loads(template.state)
    state["person"]["_data_"]["name"] = name
    state["class_version"] = 2  # before case numbers
    del state["case_number"]
    new_id = uuid.uuid4()
    service.recorder.insert_events([StoredEvent(
        originator_id=new_id, originator_version=1, topic=get_topic(Case.ApplicationReceived),
        state=json.dumps(state).encode())])
    return new_id


def test_cases_recorded_before_case_numbers_get_one_and_reads_never_fail(service):
    old = _legacy_case(service, "Gammel Sak")
    read = ReadSide(service)
    try:
        read.catch_up()
        assert service.get_case(M, old).case_number is None
        assert read.case_docs(M, [str(old)])[0]["case_number"] is None  # shown, no number
        assert service.case_ids_without_number() == [old]
        assert service.assign_missing_case_numbers() == 1
        assert service.assign_missing_case_numbers() == 0  # idempotent
        assert service.get_case(M, old).case_number == "2026/0002"
        read.catch_up()
        assert read.find_by_case_number(M, "2026/0002")["case_id"] == str(old)
    finally:
        read.stop()


def test_many_earlier_cases_are_numbered_in_chunks_in_the_order_recorded(service):
    """The cases recorded before case numbers are numbered a chunk of cases and their
    series a save, in the order their applications were recorded; a later call searches
    only what was recorded since (and still finds an earlier-style case recorded then)."""
    old = [_legacy_case(service, f"Gammel {i}") for i in range(7)]
    assert service.assign_missing_case_numbers(chunk=3) == 7
    numbers = [int(service.get_case(M, c).case_number.split("/")[1]) for c in old]
    # after the numbers the templates (numbered applications) took: consecutive, in order
    assert numbers == list(range(8, 15))
    assert service.case_ids_without_number() == []  # the search starts past them
    later = _legacy_case(service, "Senere")  # its template takes 0015
    assert service.case_ids_without_number() == [later]
    assert service.assign_missing_case_numbers(chunk=3) == 1
    assert service.get_case(M, later).case_number == "2026/0016"
    assert service.assign_missing_case_numbers() == 0


def test_find_a_case_by_name_number_and_identity_number(service):
    number = person_number()
    kari = receive(service, "Kari Ås-Nordmann", number=number)
    receive(service, "Kari Hansen")
    receive(service, "Kari Nordmann", municipality=OTHER_MUNICIPALITY)
    read = ReadSide(service)
    try:
        read.catch_up()
        found = read.search_by_name(M, "nordmann  KARI")
        assert [d["case_id"] for d in found.docs] == [str(kari)] and found.total == 1
        assert read.search_by_name(M, "as").total == 1  # accents folded: Ås
        assert read.search_by_name(M, "kari").total == 2  # not Oslo's
        assert read.search_by_name(M, "kar").total == 0  # whole words only
        assert read.search_by_name(M, "   ").total == 0
        assert read.find_by_case_number(M, "2026/0001")["case_id"] == str(kari)
        assert read.find_by_case_number(OTHER_MUNICIPALITY, "2026/0002") is None
        assert service.cases_of_person(M, number) == [kari]
        assert service.cases_of_person(OTHER_MUNICIPALITY, number) == []
    finally:
        read.stop()


def test_name_search_reads_a_blind_index_with_the_cipher_on(store_env, clock):
    from tests.integration.test_read_models_at_rest import cipher_env

    svc = AllocationService(env=cipher_env(store_env), clock=clock)
    read = ReadSide(svc)
    try:
        case_id = receive(svc, "Synnøve Hemmeligsen")
        read.catch_up()
        with read.view.reading() as store:
            store.execute(f"SELECT token FROM {store.name(SEARCH_TABLE)}")
            tokens = [r["token"] for r in store.cursor.fetchall()]
        assert tokens and not any("synn" in t or "hemmelig" in t or "2026" in t
                                  for t in tokens)
        assert [d["case_id"] for d in read.search_by_name(M, "hemmeligsen").docs] == \
            [str(case_id)]
        assert read.find_by_case_number(M, "2026/0001")["case_id"] == str(case_id)
    finally:
        read.stop()
        svc.close()


def test_r8_r26_r27_worklists_follow_the_cases(service, clock):
    received = receive(service, "Under Utredning")
    ready = receive(service, "Klar Til Vedtak")
    document(service, ready)
    waiting = waiting_case(service, name="Venter Lenge")
    read = ReadSide(service)
    try:
        read.catch_up()
        investigation = read.worklist_page(M, "investigation")
        assert [d["case_id"] for d, _ in investigation.rows] == [str(received)]
        assert read.worklist_page(M, "ready").total == 1
        assert read.worklist_page(M, "review").total == 0  # due in three months
        clock.advance(days=80)  # within 14 days of the review (R27)
        assert [d["case_id"] for d, _ in read.worklist_page(M, "review").rows] == \
            [str(waiting)]
        service.decide(M, ready, kind="waiting_list", grounds="Varig behov",
                       decided_by="Tildelingsenheten", place_type=PlaceType.ORDINARY,
                       can_be_cared_for_safely_at_home=True, interim_services=INTERIM)
        read.catch_up()
        assert read.worklist_page(M, "ready").total == 0
        counts = read.worklist_counts(M)
        assert counts["investigation"] == 1 and counts["answer"] == 0
        page = read.worklist_page(M, "investigation", offset=1, limit=10)
        assert page.total == 1 and page.rows == []
    finally:
        read.stop()
    assert timedelta(days=80)  # the clock moved in whole days
