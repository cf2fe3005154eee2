"""The demo municipality as plain data: its facilities, the providers it buys from, its
policy versions, how many apply and how they fare, and the Norwegian words on its cases.

Nothing here knows a rule; the simulator (:mod:`simulator.demo`) plays this description
through the application's commands, its people drawn from the simulator's calibrated
profile (``CALIBRATION.md``, :mod:`simulator.profile`: about 10 % of applications rejected,
stays from admission-cohort survival, dementia common); a bought place costs about NOK
2,850 a day (Sogndal 2019) here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.values import (
    DeclinedOfferEffect,
    FacilityKind,
    InterimService,
    LeonEntry,
    LeonMeasure,
    LeonStatus,
    PlaceType,
    RoomKind,
)

_ORD, _SCR, _REI = PlaceType.ORDINARY, PlaceType.SCREENED, PlaceType.REINFORCED
_NH, _H24 = FacilityKind.NURSING_HOME, FacilityKind.HOUSING_24H
_DOUBLE = RoomKind.DOUBLE


@dataclass(frozen=True)
class Rooms:
    """``count`` rooms named ``{prefix}01``, ``{prefix}02`` …, alike (R1)."""

    prefix: str
    count: int
    place_type: PlaceType
    room_kind: RoomKind = RoomKind.SINGLE


@dataclass(frozen=True)
class Unit:
    """A unit (avdeling) of a nursing home (sykehjem) or 24-hour housing (heldøgns
    omsorgsbolig), R1."""

    facility_id: str
    facility_name: str
    kind: FacilityKind
    name: str
    rooms: tuple[Rooms, ...]


@dataclass(frozen=True)
class Provider:
    """Another provider (annen leverandør) whose places the municipality may buy (R5, R19),
    at a price per day in NOK for an ordinary place; screened and reinforced cost more."""

    name: str
    facility_name: str
    kind: FacilityKind
    price_per_day: int


@dataclass(frozen=True)
class PolicyVersion:
    """A revision of the municipality's policy, in force from ``day`` of the history."""

    day: int
    issued_by: str
    reason: str
    changes: dict[str, Any]


@dataclass(frozen=True)
class Shares:
    """How often things happen that only the demo's words draw (the rest — decisions,
    place types, couples, urgency, answers, deaths, stays, purchases, complaints — are the
    simulator's profile for the demo, :data:`simulator.demo.DEMO_PROFILE`)."""

    younger: float = 0.05  # under 67 (R3, R6)
    suspicion_unconfirmed: float = 0.1  # dementia suspected, not confirmed (R8 (5))
    planned_admission: float = 0.35  # moving in a few days after accepting (R24)


@dataclass(frozen=True)
class Words:
    """The Norwegian of the demo: names, and what officers, persons and relatives say."""

    women: tuple[str, ...] = (
        "Ingrid", "Astrid", "Marit", "Kari", "Anne", "Liv", "Solveig", "Randi", "Gerd",
        "Berit", "Eva", "Bjørg", "Turid", "Ragnhild", "Synnøve", "Sigrid", "Aud", "Elin",
        "Gunvor", "Torunn", "Magnhild", "Jorunn", "Inger", "Margit", "Ruth", "Else", "Åse")
    men: tuple[str, ...] = (
        "Olav", "Nils", "Arne", "Knut", "Per", "Jan", "Bjørn", "Kjell", "Svein", "Odd",
        "Harald", "Rolf", "Leif", "Egil", "Terje", "Tor", "Einar", "Ivar", "Sverre", "Gunnar",
        "Asbjørn", "Trygve", "Magne", "Reidar", "Halvor", "Sigurd", "Arvid", "Johannes")
    surnames: tuple[str, ...] = (
        "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Berg",
        "Kristiansen", "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Haugen",
        "Hagen", "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Halvorsen", "Lund",
        "Henriksen", "Sørensen", "Moen", "Gundersen", "Iversen", "Strand", "Solberg", "Eide",
        "Knutsen", "Martinsen", "Bakken", "Mathisen", "Lie", "Amundsen", "Rasmussen", "Vik",
        "Nygård", "Fosse", "Tveit", "Hauge", "Sandvik", "Aase", "Brekke", "Nguyen")
    officers: tuple[str, ...] = ("Hilde Strand", "Jonas Bakke", "Mona Eide", "Siri Aasen")
    nurses: tuple[str, ...] = ("Sykepleier Trine Vik", "Sykepleier Ola Haugland",
                               "Sykepleier Nina Rød")
    doctors: tuple[str, ...] = ("Lege Erik Moe", "Lege Anita Sæther")
    head_of_unit: str = "Leder for tildelingsenheten"
    council: str = "Kommunestyret"
    what_matters: tuple[str, ...] = (
        "Trygghet om natten", "Å kunne se sjøen fra vinduet", "Å få besøk av barnebarna",
        "Å få gå en tur ute hver dag", "Å bo nær ektefellen", "Å få fortsette i sangkoret",
        "Å ha katten på besøk", "Å slippe å være alene", "Å få stelle i hagen")
    accounts: tuple[str, ...] = (
        "Klarer seg ikke hjemme om natten", "Har falt flere ganger siste måned",
        "Glemmer å spise og ta medisiner", "Er redd og urolig når hun er alene",
        "Klarer ikke lenger trappene i huset", "Orker ikke mer; vil ha trygghet")
    relatives: tuple[tuple[str, str], ...] = (
        ("datter", "Bekymret for fall om natten"),
        ("sønn", "Ser at hjemmetjenesten ikke lenger strekker til"),
        ("ektefelle", "Er utslitt etter lang tid som omsorgsgiver"),
        ("nevø", "Bor langt unna og kan ikke følge opp daglig"),
        ("verge", "Mener forsvarlig hjelp hjemme ikke lenger er mulig"))
    gp: tuple[str, ...] = (
        "Hjertesvikt, fallrisiko", "KOLS med hyppige forverringer",
        "Parkinsons sykdom, økende funksjonsfall", "Hjerneslag med halvsidig lammelse",
        "Diabetes med komplikasjoner, nedsatt syn", "Kreft med spredning, lindrende fase",
        "Hoftebrudd, nedsatt mobilitet etter operasjon")
    gp_dementia: tuple[str, ...] = (
        "Alzheimers sykdom, moderat grad", "Vaskulær demens",
        "Blandet demens med uro på kveldstid", "Frontotemporal demens")
    specialist: tuple[str, ...] = (
        "Behov for tett medisinsk oppfølging og hyppig tilsyn",
        "Respiratorbehandling om natten", "Utagering som krever to pleiere",
        "Sondeernæring og avansert sårstell")
    #: R8 (4): the lower-level measures tried or assessed; an applicant has the first one or more
    leon: tuple[LeonEntry, ...] = (
        LeonEntry(LeonMeasure.EXTENDED_HOME_SERVICES, LeonStatus.TRIED,
                  "ikke tilstrekkelig om natten"),
        LeonEntry(LeonMeasure.SHORT_TERM_STAY, LeonStatus.TRIED,
                  "bedring under oppholdet, men ikke varig"),
        LeonEntry(LeonMeasure.WELFARE_TECHNOLOGY, LeonStatus.ASSESSED,
                  "vurdert, gir ikke nok trygghet"))
    #: R8 (5): the dementia investigation's conclusion, not confirmed and confirmed
    dementia_conclusions: tuple[str, str] = ("Ikke holdepunkter for demens", "Demens bekreftet")
    interim: tuple[tuple[InterimService, ...], ...] = (
        (InterimService("hjemmesykepleie", "tre besøk daglig"),),
        (InterimService("hjemmesykepleie", "fire besøk daglig"),
         InterimService("trygghetsalarm", "døgnkontinuerlig")),
        (InterimService("hjemmesykepleie", "to besøk daglig"),
         InterimService("dagtilbud", "tre dager i uken")),
        (InterimService("korttidsopphold", "avlastning annenhver uke"),
         InterimService("hjemmesykepleie", "tre besøk daglig")))
    grounds: dict[str, str] = field(default_factory=lambda: {
        "resident": "Videreføring av langtidsopphold ved oppstart av forsøket; behovet for "
                    "heldøgns omsorg er vurdert på nytt",
        "grant": "Kan ikke lenger ivaretas forsvarlig i eget hjem; trenger heldøgns omsorg "
                 "straks (forskriften § 2-1 første ledd)",
        "waiting_list": "Varig behov for heldøgns omsorg; kan ivaretas forsvarlig hjemme med "
                        "økte tjenester til plass tilbys (forskriften § 2-1 annet ledd)",
        "rejection": "Er best tjent med utvidede hjemmetjenester og dagtilbud; vilkårene for "
                     "langtidsopphold er ikke oppfylt nå (notat 2.4)"})
    alternatives_at_home: str = ("Tilrettelagt bolig med utvidede hjemmetjenester er vurdert; "
                                 "gir ikke forsvarlig hjelp om natten")
    urgency: tuple[str, ...] = (
        "Fall med brudd; kan ikke lenger ivaretas forsvarlig hjemme",
        "Ektefellen er innlagt på sykehus; alene om natten", "Gjentatte fall siste uke",
        "Akutt forverring etter lungebetennelse")
    declines: tuple[str, ...] = (
        "Ønsker å vente på plass nærmere familien", "Vil heller vente til etter jul",
        "Ønsker en annen institusjon", "Føler seg ikke klar ennå")
    #: a complaint on a rejection received late, taken up all the same (fvl. § 31)
    complaint: dict[str, str] = field(default_factory=lambda: {
        "late_taken_up": "Klagen tas under behandling selv om fristen er oversittet: "
                         "vedtaket ble sendt til feil adresse, og klageren kan ikke lastes "
                         "for at klagen kom for sent (forvaltningsloven § 31)"})


@dataclass(frozen=True)
class Municipality:
    """A municipality to play: everything the demo's history is made from. ``policies``
    revise version 1 (the regulation's defaults); the first, on day 0, anchors the timeline
    (a later run finds the first day again from it)."""

    number: str
    seed: int
    history_days: int
    units: tuple[Unit, ...]
    #: opens on the history's last afternoon: vacant places of every type at the end
    new_unit: Unit
    #: where bridging short-term stays are (korttidsopphold, R2, R15)
    short_term: tuple[str, str]
    providers: tuple[Provider, ...]
    policies: tuple[PolicyVersion, ...]
    #: applications per week from a day of the history on (a busy start fills the list;
    #: a surge in the last winter leaves a few dozen waiting at the end)
    arrivals_per_week: tuple[tuple[int, float], ...]
    #: on the last afternoon, so many on the list can no longer be cared for safely at home
    #: (R15: at the end they head the list)
    urgent_at_end: int
    #: a provider offers a place every so many days, valid for so many days
    provider_offer_every_days: int
    provider_offer_valid_days: int
    #: what becomes of complaints, in turn: "upheld" by the unit, or forwarded to the State
    #: Administrator and then "changed" (for the complainant) or else confirmed
    complaint_paths: tuple[str, ...]
    #: what a screened or reinforced place costs above an ordinary one, NOK per day
    price_supplement: dict[PlaceType, int] = field(
        default_factory=lambda: {_ORD: 0, _SCR: 350, _REI: 900})
    shares: Shares = Shares()
    words: Words = Words()


DEMO = Municipality(
    number="4601",
    seed=4601,
    history_days=730,
    units=(
        Unit("fjellheim", "Fjellheim sykehjem", _NH, "A",
             (Rooms("A1", 12, _ORD), Rooms("A2", 2, _ORD, _DOUBLE))),
        Unit("fjellheim", "Fjellheim sykehjem", _NH, "B", (Rooms("B", 8, _SCR),)),
        Unit("fjellheim", "Fjellheim sykehjem", _NH, "C", (Rooms("C", 4, _REI),)),
        Unit("solbakken", "Solbakken bo- og omsorgssenter", _H24, "1",
             (Rooms("1", 10, _ORD), Rooms("1D", 1, _ORD, _DOUBLE))),
        Unit("solbakken", "Solbakken bo- og omsorgssenter", _H24, "2", (Rooms("2", 6, _SCR),)),
        Unit("lyngtun", "Lyngtun sykehjem", _NH, "A",
             (Rooms("A", 10, _ORD), Rooms("AD", 1, _ORD, _DOUBLE))),
        Unit("lyngtun", "Lyngtun sykehjem", _NH, "B", (Rooms("B", 8, _SCR),)),
        Unit("lyngtun", "Lyngtun sykehjem", _NH, "C", (Rooms("C", 3, _REI),)),
        Unit("havglimt", "Havglimt omsorgsboliger", _H24, "Nord",
             (Rooms("N", 8, _ORD), Rooms("ND", 1, _ORD, _DOUBLE))),
        Unit("havglimt", "Havglimt omsorgsboliger", _H24, "Sør", (Rooms("S", 4, _SCR),)),
    ),
    new_unit=Unit("lyngtun", "Lyngtun sykehjem", _NH, "D",
                  (Rooms("D", 2, _ORD), Rooms("DS", 2, _SCR), Rooms("DR", 1, _REI),
                   Rooms("DD", 1, _ORD, _DOUBLE))),
    short_term=("Fjellheim sykehjem", "Korttidsavdelingen"),
    providers=(
        Provider("Omsorgspartner AS", "Lia omsorgssenter", _NH, 2850),
        Provider("Stiftelsen Bjørgvin", "Bjørgvin sykehjem", _NH, 2950),
        Provider("Kystomsorg AS", "Havbris bo- og omsorgssenter", _H24, 2780),
    ),
    policies=(
        PolicyVersion(0, "Kommunestyret", "Kommunal forskrift om kriterier for "
                      "langtidsopphold vedtatt; tre måneders ventelistegaranti",
                      {"guarantee_months": 3, "score_tolerance": 15}),
        PolicyVersion(365, "Kommunestyret", "Et avslått tilbud skal ikke koste garantien; "
                      "lengre svarfrist etter erfaringene fra første år", {
            "declined_offer_effect": DeclinedOfferEffect.GUARANTEE_CONTINUES,
            "offer_answer_days": 5}),
    ),
    arrivals_per_week=((0, 3.0), (21, 1.0), (610, 3.4)),
    urgent_at_end=2,
    provider_offer_every_days=45,
    provider_offer_valid_days=60,
    complaint_paths=("upheld", "confirmed", "late", "changed", "confirmed", "upheld"),
)
