"""The municipality's profile (kommuneprofil) as the letters and pages read it, and the
commands that keep it (:class:`ProfileCommands`): the municipality's name and number, the
allocation unit's name, postal and visiting addresses, phone and email (where a complaint is
sent, fvl § 32), the county's State Administrator with its address (who decides a complaint
the unit does not change, fvl § 33), and the facilities with their names, addresses and kinds.

The profile is the municipality's own data, kept as events (:class:`domain.municipality.
Municipality`: every change a new version with who, when and why) and changed by its
``municipal_admin`` (kommunens fagadministrator) through the HTTP service and a page. Until
a municipality has stored one, it reads its **starting profile** (:func:`profile_of`): for
the demo municipality 4601 a profile whose addresses, phone and email are *made up* and
marked as demo data (``demo``: the letters say so; the real ones are the municipality's to
enter); for 0301 (Oslo, which allocates in its districts) and any other municipality one
without the unit's address, so the letters say that it is missing rather than guess. The
municipalities' names and their counties' State Administrators are facts (4601 is Bergen in
Vestland, 0301 Oslo); nothing else here claims to be real. The demo seed stores the demo
municipality's starting profile as its version 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from application.base import ServiceBase
from domain.municipality import (
    Facility,
    Municipality,
    Profile,
    ProfileVersion,
    profile_dict,
    profile_id,
    validate_profile,
)
from domain.values import FacilityKind

_NH, _H24 = FacilityKind.NURSING_HOME.value, FacilityKind.HOUSING_24H.value


@dataclass(frozen=True)
class MunicipalityProfile:
    """What a letter or a page says of the municipality. ``version`` 0: the starting
    profile, not yet stored by the municipality."""

    number: str  # kommunenummer
    name: str  # "Bergen kommune"
    unit_name: str  # the allocation unit (tildelingsenheten)
    postal_address: tuple[str, ...]  # the unit's postal address, line by line; () unknown
    state_administrator: str  # "Statsforvalteren i Vestland"
    visiting_address: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""
    state_administrator_address: tuple[str, ...] = ()
    facilities: tuple[Facility, ...] = ()
    demo: bool = False  # made-up addresses: the letters say so
    version: int = 0

    @property
    def address_known(self) -> bool:
        return bool(self.postal_address)

    def facility_name(self, facility_id: str) -> str | None:
        found = next((f for f in self.facilities if f.facility_id == facility_id), None)
        return None if found is None else found.name


def _demo_address(street: str, town: str) -> list[str]:
    return [street, town]


#: The starting profiles of the demo municipalities: names, the unit's name and the State
#: Administrators as they are; addresses, phone and email made up (``demo``). 4601's
#: facilities are those the demo plays (:mod:`application.demo.municipality`).
DEMO_PROFILES: dict[str, dict[str, Any]] = {
    "4601": {
        "name": "Bergen kommune", "unit_name": "Etat for tjenestetildeling",
        "postal_address": ["Bergen kommune", "Postboks 0000 (demoadresse)", "0000 Demoby"],
        "visiting_address": _demo_address("Demogaten 1 (demoadresse)", "0000 Demoby"),
        "phone": "00 00 00 00", "email": "tildeling@demo.invalid",
        "state_administrator": "Statsforvalteren i Vestland",
        "state_administrator_address": ["Postboks 0000 (demoadresse)", "0000 Demoby"],
        "facilities": [
            {"facility_id": "fjellheim", "name": "Fjellheim sykehjem", "kind": _NH,
             "address": _demo_address("Fjellveien 1 (demoadresse)", "0000 Demoby")},
            {"facility_id": "solbakken", "name": "Solbakken bo- og omsorgssenter",
             "kind": _H24,
             "address": _demo_address("Solbakken 2 (demoadresse)", "0000 Demoby")},
            {"facility_id": "lyngtun", "name": "Lyngtun sykehjem", "kind": _NH,
             "address": _demo_address("Lyngveien 3 (demoadresse)", "0000 Demoby")},
            {"facility_id": "havglimt", "name": "Havglimt omsorgsboliger", "kind": _H24,
             "address": _demo_address("Havveien 4 (demoadresse)", "0000 Demoby")},
        ],
        "demo": True,
    },
    "0301": {  # Oslo allocates in its districts (bydeler): no address until it enters one
        "name": "Oslo kommune", "unit_name": "Tildelingskontoret i bydelen",
        "state_administrator": "Statsforvalteren i Oslo og Akershus",
    },
}

#: Kept for readers of the earlier module: the starting profiles, by number.
KNOWN: dict[str, dict[str, Any]] = DEMO_PROFILES


def _value(number: str, profile: Profile, version: int) -> MunicipalityProfile:
    return MunicipalityProfile(
        number=number, name=profile.name, unit_name=profile.unit_name,
        postal_address=profile.postal_address, state_administrator=profile.state_administrator,
        visiting_address=profile.visiting_address, phone=profile.phone, email=profile.email,
        state_administrator_address=profile.state_administrator_address,
        facilities=profile.facilities, demo=profile.demo, version=version)


def starting_profile(municipality: str) -> dict[str, Any]:
    """The starting profile's plain values (see the module's docstring)."""
    known = DEMO_PROFILES.get(municipality)
    if known is not None:
        return dict(known)
    return {"name": f"Kommune {municipality}", "unit_name": "Tildelingsenheten",
            "state_administrator": "Statsforvalteren i fylket"}


def profile_of(municipality: str) -> MunicipalityProfile:
    """The *starting* profile of a municipality (version 0; see the module's docstring).
    What the municipality has stored is :meth:`ProfileCommands.municipality_profile`."""
    return _value(municipality, validate_profile(starting_profile(municipality)), 0)


class ProfileCommands(ServiceBase):
    """Reading and changing the municipality's profile."""

    def _stored_profile(self, municipality: str) -> Municipality | None:
        found = self._exists(profile_id(municipality))
        return found if isinstance(found, Municipality) else None

    def municipality_profile(self, municipality: str) -> MunicipalityProfile:
        """The profile in force: the stored one, or the starting one (version 0)."""
        stored = self._stored_profile(municipality)
        if stored is None:
            return profile_of(municipality)
        return _value(municipality, stored.current, stored.current_version)

    def profile_history(self, municipality: str) -> list[ProfileVersion]:
        """Every stored version, oldest first (empty: only the starting profile)."""
        stored = self._stored_profile(municipality)
        return [] if stored is None else stored.history

    def seed_profile(self, municipality: str, *, at: datetime | None = None) -> bool:
        """Store the starting profile as version 1, if none is stored (the demo seed).
        Returns whether it wrote."""
        if self._stored_profile(municipality) is not None:
            return False
        aggregate = Municipality.register(
            municipality, at or self._now(), profile=starting_profile(municipality),
            changed_by="Tjenesten (startprofil)",
            reason="Startprofil: demodata til kommunen legger inn sine egne opplysninger"
            if municipality in DEMO_PROFILES else "Startprofil uten adresser",
            command_id=f"profile-seed/{municipality}")
        self._commit(aggregate)
        return True

    def change_profile(self, municipality: str, *, profile: dict[str, Any], changed_by: str,
                       reason: str, command_id: str | None = None) -> int:
        """A new version of the profile (the first change stores the starting profile as
        version 1 before it, in the same save). Returns the new version's number."""
        stored = self._stored_profile(municipality)
        now = self._now()
        if stored is None:
            stored = Municipality.register(
                municipality, now, profile=starting_profile(municipality),
                changed_by="Tjenesten (startprofil)", reason="Startprofil før første endring")
        elif stored.has_handled(command_id):
            return stored.current_version
        stored.change(now, profile=profile, changed_by=changed_by, reason=reason,
                      command_id=command_id)
        self._commit(stored)
        return stored.current_version


__all__ = ["DEMO_PROFILES", "KNOWN", "MunicipalityProfile", "ProfileCommands", "profile_dict",
           "profile_of", "starting_profile"]
