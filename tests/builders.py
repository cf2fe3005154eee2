"""Test data builders: synthetic persons and fully documented cases, in the words of the
allocation unit."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import count
from uuid import UUID

from application.service import AllocationService
from domain.identity import synthetic_identity_number
from domain.values import (
    IPLOS_VARIABLES,
    FacilityKind,
    InterimService,
    LeonEntry,
    LeonMeasure,
    LeonStatus,
    MedicalSource,
    PlaceType,
    RoomKind,
)

MUNICIPALITY = "4601"  # Bergen
OTHER_MUNICIPALITY = "0301"  # Oslo
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

_serial = count()


def person_number(born: date = date(1938, 5, 17)) -> str:
    """A fresh synthetic identity number (month + 80) for each call."""
    return synthetic_identity_number(born, next(_serial) % 400)


FULL_IPLOS = dict.fromkeys(IPLOS_VARIABLES, 4)
INTERIM = [InterimService("hjemmesykepleie", "tre besøk daglig")]


def document(service: AllocationService, case_id: UUID, *, municipality: str = MUNICIPALITY,
             reinforced: bool = False, dementia: bool = False) -> None:
    """Record every § 2-2 item (R8) a decision needs."""
    m = municipality
    service.record_own_account(m, case_id, what_matters="Å bo nær datteren",
                               account="Klarer seg ikke hjemme om natten", recorded_by="saksb")
    service.record_relatives(m, case_id, name="Kari", relation="datter",
                             information="Bekymret for fall om natten", recorded_by="saksb")
    service.register_iplos(m, case_id, scores=FULL_IPLOS, assessed_by="sykepleier")
    service.record_medical_information(m, case_id, source=MedicalSource.GP,
                                       summary="Hjertesvikt, fallrisiko",
                                       dementia_diagnosis=dementia)
    if reinforced:
        service.record_medical_information(m, case_id, source=MedicalSource.SPECIALIST,
                                           summary="Behov for tett oppfølging")
    service.record_leon(m, case_id, entries=[
        LeonEntry(LeonMeasure.EXTENDED_HOME_SERVICES, LeonStatus.TRIED, "ikke tilstrekkelig"),
        LeonEntry(LeonMeasure.SHORT_TERM_STAY, LeonStatus.TRIED, "bedring, men ikke varig"),
    ], recorded_by="saksb")
    if dementia:
        from domain.values import DementiaFinding

        service.record_dementia_investigation(m, case_id, finding=DementiaFinding.CONFIRMED,
                                              conclusion="Alzheimers sykdom",
                                              recorded_by="lege")


def waiting_case(service: AllocationService, *, municipality: str = MUNICIPALITY,
                 place_type: PlaceType = PlaceType.ORDINARY, dementia: bool = False,
                 born: date = date(1938, 5, 17), name: str = "Ola Nordmann",
                 spouse_case_id: UUID | None = None) -> UUID:
    """A documented case with a waiting-list decision (R5)."""
    case_id = service.receive_application(municipality, identity_number=person_number(born),
                                          name=name, spouse_case_id=spouse_case_id)
    document(service, case_id, municipality=municipality,
             reinforced=place_type is PlaceType.REINFORCED, dementia=dementia)
    service.decide(municipality, case_id, kind="waiting_list", grounds="Varig behov",
                   decided_by="Tildelingsenheten", place_type=place_type,
                   can_be_cared_for_safely_at_home=True, interim_services=INTERIM,
                   alternatives_at_home="Utvidet hjemmetjeneste prøvd")
    return case_id


_rooms = count(1)


def place(service: AllocationService, *, municipality: str = MUNICIPALITY,
          facility_id: str = "fjellheim", place_type: PlaceType = PlaceType.ORDINARY,
          room_kind: RoomKind = RoomKind.SINGLE,
          facility_kind: FacilityKind = FacilityKind.NURSING_HOME) -> UUID:
    return service.register_place(
        municipality, facility_id=facility_id, facility_name=facility_id.title(),
        facility_kind=facility_kind, unit="A", room=f"{next(_rooms)}",
        place_type=place_type, room_kind=room_kind)
