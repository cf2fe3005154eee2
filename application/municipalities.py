"""The municipality's profile (kommuneprofil) as the letters need it: the municipality's
name, the allocation unit's name and postal address (where a complaint is sent, fvl § 32),
and the county's State Administrator (Statsforvalteren, who decides a complaint the unit does
not change, fvl § 33).

A small settings source, not yet the municipality's own settings: the profiles of the
municipalities the service knows are written here (Bergen, 4601, and Oslo, 0301: the
municipality's public postal address and its county's State Administrator); any other
municipality gets a profile that says its unit's address is missing, and the letters say so
rather than guess. A profile kept and changed by the municipality through the service (with
its facilities, issue 18) replaces this module.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MunicipalityProfile:
    """What a letter says of the municipality that sends it."""

    number: str  # kommunenummer
    name: str  # "Bergen kommune"
    unit_name: str  # the allocation unit (tildelingsenheten)
    postal_address: tuple[str, ...]  # the unit's postal address, line by line; () unknown
    state_administrator: str  # "Statsforvalteren i Vestland"

    @property
    def address_known(self) -> bool:
        return bool(self.postal_address)


#: The municipalities the service knows. Bergen's unit for allocating health and care
#: services is Etat for tjenestetildeling, at the municipality's postal address; Oslo
#: allocates in its districts (bydeler), whose addresses are not recorded here yet.
KNOWN: dict[str, MunicipalityProfile] = {
    "4601": MunicipalityProfile(
        number="4601", name="Bergen kommune", unit_name="Etat for tjenestetildeling",
        postal_address=("Bergen kommune", "Postboks 7700", "5020 Bergen"),
        state_administrator="Statsforvalteren i Vestland"),
    "0301": MunicipalityProfile(
        number="0301", name="Oslo kommune", unit_name="Tildelingskontoret i bydelen",
        postal_address=(), state_administrator="Statsforvalteren i Oslo og Akershus"),
}


def profile_of(municipality: str) -> MunicipalityProfile:
    """The profile of a municipality: a known one, or one that names only its number and
    says that the unit's address is missing."""
    known = KNOWN.get(municipality)
    if known is not None:
        return known
    return MunicipalityProfile(
        number=municipality, name=f"Kommune {municipality}", unit_name="Tildelingsenheten",
        postal_address=(), state_administrator="Statsforvalteren i fylket")


__all__ = ["KNOWN", "MunicipalityProfile", "profile_of"]
