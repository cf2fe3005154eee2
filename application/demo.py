"""A command-line demo on the embedded SQLite store: seeds a small municipality in virtual
time (idempotently: running it twice adds nothing) and prints the waiting list, the
vacancies and the deadline breaches as the service sees them.

    ./dev serve            (until the HTTP service lands, this is what it starts)
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime

from application.bootstrap import create_service
from application.clock import ManualClock
from application.service import AllocationService
from domain.case import Case
from domain.identity import synthetic_identity_number
from domain.place import Place
from domain.values import (
    IPLOS_VARIABLES,
    FacilityKind,
    InterimService,
    LeonEntry,
    LeonMeasure,
    LeonStatus,
    MedicalSource,
    PlaceType,
    PriorityFactor,
    RoomKind,
)

MUNICIPALITY = "4601"
FACILITIES = [
    ("fjellheim", "Fjellheim sykehjem", FacilityKind.NURSING_HOME),
    ("solbakken", "Solbakken bo- og omsorgssenter", FacilityKind.HOUSING_24H),
]
PEOPLE = [
    ("Ingrid Berg", date(1936, 2, 11), 78, PlaceType.ORDINARY, False),
    ("Olav Dahl", date(1941, 7, 30), 64, PlaceType.SCREENED, True),
    ("Astrid Lie", date(1939, 12, 1), 55, PlaceType.ORDINARY, False),
    ("Nils Haugen", date(1944, 4, 19), 47, PlaceType.REINFORCED, False),
    ("Marit Vik", date(1933, 9, 5), 35, PlaceType.ORDINARY, False),
]


def seed(svc: AllocationService, clock: ManualClock) -> list[Case]:
    m = MUNICIPALITY
    for n, (fid, fname, kind) in enumerate(FACILITIES):
        for room, ptype in enumerate([PlaceType.ORDINARY, PlaceType.SCREENED,
                                      PlaceType.REINFORCED]):
            svc.register_place(m, facility_id=fid, facility_name=fname, facility_kind=kind,
                               unit="A", room=f"{n}{room}", place_type=ptype,
                               room_kind=RoomKind.DOUBLE if room == 0 else RoomKind.SINGLE,
                               command_id=f"demo-place-{fid}-{room}")
    cases = []
    for i, (name, born, need, ptype, dementia) in enumerate(PEOPLE):
        key = f"demo-case-{i}"
        case_id = svc.receive_application(
            m, identity_number=synthetic_identity_number(born), name=name,
            dementia_suspected=dementia, command_id=key)
        case = svc.get_case(m, case_id)
        if not case.decisions:
            svc.record_own_account(m, case_id, what_matters="Trygghet om natten",
                                   account="Faller ofte", recorded_by="demo", command_id=key + "a")
            svc.record_relatives(m, case_id, name="Pårørende", relation="barn",
                                 information="Bekymret", recorded_by="demo", command_id=key + "b")
            svc.register_iplos(m, case_id, scores=dict.fromkeys(IPLOS_VARIABLES, 4),
                               assessed_by="demo", command_id=key + "c")
            for src in (MedicalSource.GP, MedicalSource.SPECIALIST):
                svc.record_medical_information(m, case_id, source=src, summary="Epikrise",
                                               dementia_diagnosis=dementia,
                                               command_id=f"{key}d{src.value}")
            svc.record_leon(m, case_id, entries=[LeonEntry(
                LeonMeasure.EXTENDED_HOME_SERVICES, LeonStatus.TRIED, "ikke nok")],
                recorded_by="demo", command_id=key + "e")
            if dementia:
                from domain.values import DementiaFinding

                svc.record_dementia_investigation(m, case_id, finding=DementiaFinding.CONFIRMED,
                                                  conclusion="Demens", recorded_by="demo",
                                                  command_id=key + "f")
            svc.decide(m, case_id, kind="waiting_list", grounds="Varig behov for heldøgns omsorg",
                       decided_by="Tildelingsenheten", place_type=ptype,
                       can_be_cared_for_safely_at_home=True,
                       interim_services=[InterimService("hjemmesykepleie", "tre besøk daglig")],
                       alternatives_at_home="Hjemmetjenester prøvd", command_id=key + "g")
            factors = {PriorityFactor.FUNCTION.value: min(4, need // 20),
                       PriorityFactor.COGNITIVE_FAILURE.value: 4 if dementia else 0}
            svc.assess_priority(m, case_id, factors=factors, need_score=need, assessor="demo",
                                departure_reason="Demo: faglig skjønn", command_id=key + "h")
        clock.advance(days=20)
        cases.append(svc.get_case(m, case_id))
    svc.check_deadlines(MUNICIPALITY)
    return [svc.get_case(m, c.id) for c in cases]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.parse_args()
    clock = ManualClock(datetime(2026, 1, 5, 8, tzinfo=UTC))
    svc = create_service(clock=clock)
    cases = seed(svc, clock)
    clock.advance(days=60)
    svc.check_deadlines(MUNICIPALITY)
    today = clock.now().date()
    print(f"Venteliste for kommune {MUNICIPALITY} per {today}:")
    waiting = sorted((svc.get_case(MUNICIPALITY, c.id) for c in cases),
                     key=lambda c: (not c.urgent, -(c.priority.need_score if c.priority else 0)))
    for rank, c in enumerate((c for c in waiting if c.on_waiting_list), start=1):
        left = (c.deadline - today).days if c.deadline else None
        flag = " FRISTBRUDD" if c.breached_on else ""
        need = c.priority.need_score if c.priority else "-"
        ptype = c.place_type.value if c.place_type else "-"
        print(f"  {rank}. {c.person.name:14s} behov {need:>3}  {ptype:10s} frist {c.deadline} "
              f"({left} dager){flag}")
    print("Ledige plasser:")
    for pid in svc.place_ids():
        p = svc.repository.get(pid)
        if isinstance(p, Place) and p.municipality == MUNICIPALITY and p.is_vacant:
            print(f"  {p.facility_name:32s} {p.unit}-{p.room} {p.place_type.value:10s} "
                  f"{p.free_beds} seng(er)")
    svc.close()


if __name__ == "__main__":
    main()
