"""The service codes of the activity report (R22): what the trial's financing model counts
institution-days by.

Seed 000 (the information meeting's slides on the trial, "Aktivitetstilskudd med
enhetspriser") says that the state pays a unit price per service with an individual
decision, from a division of the services into a code list with different unit prices
("Inndeling av tjenester i et kodeverk med ulike enhetspriser"), that the resources of a
decision are recorded as days in an institution ("døgn i institusjon"), and that the
activity is reported to the Directorate every quarter. Its service catalogue names the
institution services: long-term stay in an institution as an ordinary, a reinforced or a
screened nursing-home place ("Langtidsopphold i institusjon, herunder ordinær
sykehjemsplass, forsterket sykehjemsplass, skjermet sykehjemsplass") and time-limited stays
("Tidsbegrenset opphold"). The regulation (seed 002, § 1-3 a, R1) puts a long-term place in
a nursing home or in housing specially adapted for 24-hour services, counted apart; the
trial's model buys from other providers when the municipality cannot deliver (seed 001, R5,
R19), so own and bought places are apart too.

The seeds do not publish the code list's numbers or its prices ("SIO unit prices: not
found" in CALIBRATION.md). The codes here are therefore **this service's own**, one per
category the seeds name, written so a person reads them (``LT-SH-ORD-EGEN``: long-term stay,
nursing home, ordinary place, own place); a municipality maps them to the Directorate's
numbers when it reports. Nothing here pretends to be the official numbering.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The place types (R1) in the report's order, with their words and code parts.
PLACE_TYPES = ("ordinary", "screened", "reinforced")
_TYPE_PART = {"ordinary": ("ORD", "ordinær plass"), "screened": ("SKJ", "skjermet plass"),
              "reinforced": ("FOR", "forsterket plass")}
#: The facility kinds (R1): nursing home (sykehjem) and 24-hour housing.
FACILITY_KINDS = ("nursing_home", "housing_24h")
_KIND_PART = {"nursing_home": ("SH", "sykehjem"),
              "housing_24h": ("HB", "bolig med heldøgns tjenester")}


@dataclass(frozen=True)
class ServiceCode:
    """One service of the financing model: long-term stay in a kind of facility, of a place
    type, in an own or a bought place; or short-term stay."""

    code: str  # LT-SH-ORD-EGEN
    name: str  # Norwegian: "Langtidsopphold i sykehjem, ordinær plass, egen plass"
    facility_kind: str | None  # None: short-term stay
    place_type: str | None
    purchased: bool | None


def _long_term() -> tuple[ServiceCode, ...]:
    out = []
    for kind in FACILITY_KINDS:
        kind_code, kind_word = _KIND_PART[kind]
        for place_type in PLACE_TYPES:
            type_code, type_word = _TYPE_PART[place_type]
            for purchased in (False, True):
                out.append(ServiceCode(
                    f"LT-{kind_code}-{type_code}-{'KJOP' if purchased else 'EGEN'}",
                    f"Langtidsopphold i {kind_word}, {type_word}, "
                    f"{'kjøpt plass' if purchased else 'egen plass'}",
                    kind, place_type, purchased))
    return tuple(out)


#: Short-term stays (korttidsopphold), among them those that bridge the wait for a
#: long-term place (R2, R15): the only short-term stays this service records.
SHORT_TERM = ServiceCode("KT", "Korttidsopphold (også mens en venter på langtidsplass)",
                         None, None, None)

#: Every code, in the report's order: nursing home, then 24-hour housing, each by place
#: type, own before bought; short-term stay last.
SERVICE_CODES: tuple[ServiceCode, ...] = (*_long_term(), SHORT_TERM)
BY_CODE = {c.code: c for c in SERVICE_CODES}


def code_of(facility_kind: str | None, place_type: str, purchased: bool) -> str:
    """The code of a long-term stay. A stay whose facility's kind is not known (none of
    ours: every place and offer records it) counts as a nursing home's."""
    kind = facility_kind if facility_kind in _KIND_PART else "nursing_home"
    kind_code, type_code = _KIND_PART[kind][0], _TYPE_PART[place_type][0]
    return f"LT-{kind_code}-{type_code}-{'KJOP' if purchased else 'EGEN'}"


__all__ = ["BY_CODE", "FACILITY_KINDS", "PLACE_TYPES", "SERVICE_CODES", "SHORT_TERM",
           "ServiceCode", "code_of"]
