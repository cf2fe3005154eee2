"""Test data builders: synthetic persons and fully documented cases, in the words of the
allocation unit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import count
from uuid import UUID

from application.seed import FULL_IPLOS as _FULL_IPLOS
from application.seed import CaseDocumentation, document_case
from application.service import AllocationService
from domain.identity import synthetic_identity_number
from domain.values import DementiaFinding, FacilityKind, InterimService, PlaceType, RoomKind

MUNICIPALITY = "4601"  # Bergen
OTHER_MUNICIPALITY = "0301"  # Oslo
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

_serial = count()


def person_number(born: date | None = None) -> str:
    """A fresh synthetic identity number (month + 80) for each call: one person, one number
    (R25), however many a test session makes. Without ``born`` the birth date moves on by a
    day every hundred numbers (from 17 May 1938). The numbers are the 300th to 399th valid
    ones of their birth date: the demo municipality's persons take the first ones of theirs,
    so a test's person on the demo's store is never one of them."""
    n = next(_serial)
    if born is None:
        born = date(1938, 5, 17) + timedelta(days=n // 100)
    return synthetic_identity_number(born, 300 + n % 100)


FULL_IPLOS = dict(_FULL_IPLOS)
INTERIM = [InterimService("hjemmesykepleie", "tre besøk daglig")]


def document(service: AllocationService, case_id: UUID, *, municipality: str = MUNICIPALITY,
             reinforced: bool = False, dementia: bool = False) -> None:
    """Record every § 2-2 item (R8) a decision needs (the shared steps of
    :mod:`application.seed`, in the builders' words)."""
    document_case(service, municipality, case_id, CaseDocumentation(
        dementia_diagnosis=dementia,
        specialist_summary="Behov for tett oppfølging" if reinforced else None,
        dementia_finding=DementiaFinding.CONFIRMED if dementia else None,
    ))


def waiting_case(service: AllocationService, *, municipality: str = MUNICIPALITY,
                 place_type: PlaceType = PlaceType.ORDINARY, dementia: bool = False,
                 born: date | None = None, name: str = "Ola Nordmann",
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
