"""The allocation unit's steps, through HTTP, for the API tests."""

from __future__ import annotations

from itertools import count
from typing import Any

from fastapi.testclient import TestClient

from domain.values import IPLOS_VARIABLES
from tests.builders import person_number

_rooms = count(1)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.text)
    return response.json()


def register(c: TestClient, h: dict[str, str], *, name: str = "Ola Nordmann",
             number: str | None = None, **extra: Any) -> str:
    body = {"identity_number": number or person_number(), "name": name, **extra}
    return ok(c.post("/cases", json=body, headers=h), 201)["case_id"]  # type: ignore[no-any-return]


def document(c: TestClient, h: dict[str, str], case_id: str, *, dementia: bool = False,
             reinforced: bool = False) -> None:
    """Every § 2-2 item (R8) through its own route."""
    base = f"/cases/{case_id}/documentation"
    ok(c.post(f"{base}/own-account", headers=h,
              json={"what_matters": "Å bo nær datteren", "account": "Faller om natten"}))
    ok(c.post(f"{base}/relatives", headers=h,
              json={"name": "Kari", "relation": "datter", "information": "Bekymret"}))
    ok(c.post(f"{base}/iplos", headers=h,
              json={"scores": dict.fromkeys(IPLOS_VARIABLES, 4), "assessed_by": "sykepleier"}))
    ok(c.post(f"{base}/medical", headers=h,
              json={"source": "gp", "summary": "Hjertesvikt", "dementia_diagnosis": dementia}))
    if reinforced:
        ok(c.post(f"{base}/medical", headers=h,
                  json={"source": "specialist", "summary": "Tett oppfølging"}))
    ok(c.post(f"{base}/leon", headers=h, json={"entries": [
        {"measure": "extended_home_services", "status": "tried", "outcome": "ikke nok"}]}))
    if dementia:
        ok(c.post(f"{base}/dementia-investigation", headers=h,
                  json={"finding": "confirmed", "conclusion": "Alzheimers sykdom"}))


def decide_waiting(c: TestClient, h: dict[str, str], case_id: str,
                   place_type: str = "ordinary") -> str:
    body = {"kind": "waiting_list", "grounds": "Varig behov for heldøgns omsorg",
            "place_type": place_type, "can_be_cared_for_safely_at_home": True,
            "interim_services": [{"service": "hjemmesykepleie", "extent": "tre besøk daglig"}],
            "alternatives_at_home": "Utvidet hjemmetjeneste prøvd"}
    return ok(c.post(f"/cases/{case_id}/decisions", json=body, headers=h),  # type: ignore[no-any-return]
              201)["decision_id"]


def assess(c: TestClient, h: dict[str, str], case_id: str, need: int) -> None:
    ok(c.post(f"/cases/{case_id}/priority", headers=h, json={
        "factors": {"function": 3}, "need_score": need,
        "departure_reason": "Faglig skjønn etter hjemmebesøk"}))


def waiting_case(c: TestClient, h: dict[str, str], *, name: str = "Ola Nordmann",
                 need: int = 50, place_type: str = "ordinary") -> str:
    case_id = register(c, h, name=name)
    document(c, h, case_id, reinforced=place_type == "reinforced")
    decide_waiting(c, h, case_id, place_type)
    assess(c, h, case_id, need)
    return case_id


def place(c: TestClient, h: dict[str, str], *, facility_id: str = "fjellheim",
          place_type: str = "ordinary", room_kind: str = "single") -> str:
    body = {"facility_id": facility_id, "facility_name": facility_id.title(),
            "facility_kind": "nursing_home", "unit": "A", "room": str(next(_rooms)),
            "place_type": place_type, "room_kind": room_kind}
    return ok(c.post("/places", json=body, headers=h), 201)["place_id"]  # type: ignore[no-any-return]


def access_log(c: TestClient, h: dict[str, str], case_id: str, **params: Any) -> Any:
    """The answer of ``GET /cases/{case_id}/access-log`` after every entry written so far:
    a read writes its entry but answers with no position (only writes do), so the log is
    read at the store's position, as a client that saw those entries written would."""
    position = str(c.app.state.runtime.position())  # type: ignore[attr-defined]
    return ok(c.get(f"/cases/{case_id}/access-log", params=params,
                    headers={**h, "X-Read-Position": position}))
