"""One bad event must not stop the read side (issue 15, item 1b): an event it cannot decode
or fold is set aside with its position and the error, the projection goes on, a rebuild
finishes, the service keeps answering, and ``/health`` and ``python -m projections
quarantine`` show it. On both stores; on PostgreSQL a NUL character (which its text columns
refuse) is among the poison."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path
from uuid import UUID, uuid4

from eventsourcing.persistence import StoredEvent
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import LocalIssuer, Role
from api.settings import ApiSettings
from application.service import AllocationService
from projections.read_side import ReadSide
from tests.builders import MUNICIPALITY, person_number, waiting_case

ROOT = Path(__file__).resolve().parents[2]


def poison(service: AllocationService, case_id: UUID) -> dict[str, str]:
    """Three events no command would store, written straight into the log (bypassing the
    domain's checks, as a bug or an old release might have): a topic no code knows; an
    application whose person is not a person; and, on a case of its own, a suspicion of
    dementia whose reason holds a NUL (the case history's text column on PostgreSQL
    refuses it). Returns what each is, by its aggregate id."""
    received = next(iter(service.repository.event_store.get(case_id)))
    unknown, broken = uuid4(), uuid4()
    service.recorder.insert_events([StoredEvent(
        originator_id=unknown, originator_version=1, topic="domain.nowhere:Gone",
        state=b"{}")])
    event = dataclasses.replace(received, originator_id=broken, person="ikke en person")
    service.recorder.insert_events([service.mapper.to_stored_event(event)])
    nul = waiting_case(service, name="Nul Tegn")
    service.suspect_dementia(MUNICIPALITY, nul, reason="Glemmer avtaler",
                             raised_by="Sykepleier Hansen")
    urgent = [e for e in service.repository.event_store.get(nul)
              if type(e).__name__ == "DementiaSuspected"][-1]
    last = list(service.repository.event_store.get(nul))[-1]
    event = dataclasses.replace(urgent, originator_version=last.originator_version + 1,
                                reason="Glemmer\x00avtaler")
    service.recorder.insert_events([service.mapper.to_stored_event(event)])
    return {str(unknown): "undecodable", str(broken): "unfoldable", str(nul): "nul"}


def expected_set_aside(service: AllocationService, kinds: dict[str, str]) -> set[str]:
    postgres = type(service.recorder).__module__.startswith("eventsourcing.postgres")
    return {k for k, kind in kinds.items() if kind != "nul" or postgres}


def test_a_poisoned_log_is_set_aside_and_the_read_side_goes_on(
        service: AllocationService) -> None:
    before = waiting_case(service, name="Før Giften")
    kinds = poison(service, before)
    after = waiting_case(service, name="Etter Giften")
    expected = expected_set_aside(service, kinds)
    read = ReadSide(service)
    read.catch_up()
    assert read.position() == service.recorder.max_notification_id()
    on_list = {str(e.case_id) for e in read.waiting_list(MUNICIPALITY)}
    assert {str(before), str(after)} <= on_list
    aside = read.set_aside()
    assert {e["originator_id"] for e in aside} == expected
    assert read.set_aside_count() == len(expected)
    for e in aside:
        assert e["position"] > 0 and e["error"] and e["set_aside_at"]
        assert "\x00" not in e["error"]
    by_id = {e["originator_id"]: e for e in aside}
    unknown = next(k for k, v in kinds.items() if v == "undecodable")
    assert by_id[unknown]["topic"] == "domain.nowhere:Gone"
    # caught up again: nothing is set aside twice, nothing new is applied
    assert read.catch_up() == 0 and len(read.set_aside()) == len(expected)
    # a rebuild (in order, and with worker processes) finishes, the same set aside
    for workers in (1, 2):
        read.rebuild(workers=workers)
        assert read.position() == service.recorder.max_notification_id()
        assert {str(e.case_id) for e in read.waiting_list(MUNICIPALITY)} == on_list
        assert {e["originator_id"] for e in read.set_aside()} == expected


def test_the_service_answers_over_a_poisoned_log_and_says_so(
        service: AllocationService, tmp_path: Path) -> None:
    kinds = poison(service, waiting_case(service, name="Før Giften"))
    expected = expected_set_aside(service, kinds)
    settings = ApiSettings(data_dir=tmp_path / "data", demo=False,
                           deadline_check_interval_s=0)
    issuer = LocalIssuer(settings)
    app = create_app(settings, service=service, issuer=issuer)
    with TestClient(app) as c:
        token = issuer.issue(subject="t", name="Kari Nordmann", role=Role.ALLOCATION_OFFICER,
                             municipality=MUNICIPALITY)
        h = {"Authorization": f"Bearer {token}"}
        position = str(service.recorder.max_notification_id())
        listed = c.get("/waiting-list", headers={**h, "X-Read-Position": position})
        assert listed.status_code == 200, listed.text
        assert {e["name"] for e in listed.json()["entries"]} == {"Før Giften", "Nul Tegn"}
        health = c.get("/health").json()
        assert health["events_set_aside"] == len(expected)
        later = c.post("/cases", headers=h, json={"identity_number": person_number(),
                                                  "name": "Etter Giften"})
        assert later.status_code == 201, later.text  # the service still writes
        case = c.get(f"/cases/{later.json()['case_id']}/history", headers=h)
        assert case.status_code == 200 and case.json(), case.text


def test_the_operator_command_lists_what_was_set_aside(tmp_path: Path) -> None:
    from tests.conftest import sqlite_env

    env = sqlite_env(tmp_path / "events.sqlite")
    service = AllocationService(env=env)
    try:
        kinds = poison(service, waiting_case(service))
        ReadSide(service).catch_up()
    finally:
        service.close()
    done = subprocess.run([sys.executable, "-m", "projections", "quarantine"],
                          env={**os.environ, **env}, cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1, done.stderr  # something is set aside: not all well
    unknown = next(k for k, v in kinds.items() if v == "undecodable")
    assert unknown in done.stdout and "domain.nowhere:Gone" in done.stdout
    assert "2 events set aside" in done.stdout
