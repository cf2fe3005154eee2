"""A demo municipality with two years of history, built through the real application
commands; and the § 2-2 documentation steps that tests and the demo share.

``seed_demo(service)`` plays about two years of a municipality's allocation work, ending at
``until`` (default: now), in virtual time: the service's clock is swapped for a
:class:`ManualClock` while seeding and restored afterwards, so every event carries the
business time at which it happened. Four facilities of both kinds (sykehjem and heldøgns
omsorgsbolig) with ordinary, screened (skjermet) and reinforced (forsterket) places in single
and double rooms; the residents registered when the trial started; then applications with
full documentation (R8), decisions (grants R4, waiting-list decisions R5, rejections R9),
priority assessments (R16, R17), offers accepted and declined, admissions, deaths and moves
that free places, urgent cases (R15), deadline breaches (R18) with the person's choice (R19),
places bought from other providers, complaints (R21), two policy versions, a spouse pair
(R10) — and, at the end, a few dozen on the waiting list, vacant places of each type (a new
unit has just opened) and other providers' offers with prices.

How it stays deterministic and idempotent: a planner runs the whole story first against a
small model of its own (``random.Random`` with a fixed seed), never reading the store, and
produces the list of commands with their times and command ids (derived from the fixed seed
and the municipality). Executing the list on a fresh store writes the history; executing it
again writes nothing, because every command is recognised as already handled. The timeline
is anchored on the first run (the moment of the seed's first policy command), so a second
run on another day follows the same timeline; when the last command is already handled, the
run stops at once. The model mirrors the rules the commands check, so on a fresh store no
command is refused; the seed's test proves it.

Identity numbers are synthetic (month + 80, :func:`synthetic_identity_number`); names are
invented from common Norwegian names.
"""

from __future__ import annotations

import heapq
import random
import time as _time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from itertools import count
from typing import TYPE_CHECKING, Any
from uuid import UUID

from application.clock import ManualClock
from application.demo.documentation import (  # noqa: F401 (shared with the test builders)
    FULL_IPLOS,
    CaseDocumentation,
    document_case,
    documentation_steps,
)
from domain.base import OSLO, add_months, check_municipality, local_date
from domain.errors import InvalidValue
from domain.identity import age_on, synthetic_identity_number
from domain.place import place_id
from domain.policy import policy_id
from domain.provider import provider_offer_id
from domain.values import (
    IPLOS_VARIABLES,
    BreachChoice,
    Channel,
    ClosureReason,
    DementiaFinding,
    FacilityKind,
    InterimService,
    LeonEntry,
    LeonMeasure,
    LeonStatus,
    PlaceType,
    PolicySettings,
    PriorityFactor,
    RoomKind,
    StayEndReason,
)

if TYPE_CHECKING:
    from application.service import AllocationService

# --- the demo municipality ------------------------------------------------------------

#: The fixed seed: the demo's randomness and its command ids derive from it.
SEED = 4601
HISTORY_DAYS = 730
#: Applications per week, and in the last weeks (the winter surge that builds the list).
BASE_RATE, SURGE_RATE, SURGE_DAYS = 0.62, 3.1, 98
MEAN_STAY_DAYS = 2.3 * 365
GUARANTEE_MONTHS = 3

_ORD, _SCR, _REI = PlaceType.ORDINARY, PlaceType.SCREENED, PlaceType.REINFORCED
_NH, _H24 = FacilityKind.NURSING_HOME, FacilityKind.HOUSING_24H

#: (facility id, name, kind, unit, [(room prefix, count, place type, room kind)]).
FACILITIES: tuple[tuple[str, str, FacilityKind, str, tuple[tuple[str, int, PlaceType,
                                                                RoomKind], ...]], ...] = (
    ("fjellheim", "Fjellheim sykehjem", _NH, "A",
     (("A1", 12, _ORD, RoomKind.SINGLE), ("A2", 2, _ORD, RoomKind.DOUBLE))),
    ("fjellheim", "Fjellheim sykehjem", _NH, "B", (("B", 8, _SCR, RoomKind.SINGLE),)),
    ("fjellheim", "Fjellheim sykehjem", _NH, "C", (("C", 4, _REI, RoomKind.SINGLE),)),
    ("solbakken", "Solbakken bo- og omsorgssenter", _H24, "1",
     (("1", 10, _ORD, RoomKind.SINGLE), ("1D", 1, _ORD, RoomKind.DOUBLE))),
    ("solbakken", "Solbakken bo- og omsorgssenter", _H24, "2",
     (("2", 6, _SCR, RoomKind.SINGLE),)),
    ("lyngtun", "Lyngtun sykehjem", _NH, "A",
     (("A", 10, _ORD, RoomKind.SINGLE), ("AD", 1, _ORD, RoomKind.DOUBLE))),
    ("lyngtun", "Lyngtun sykehjem", _NH, "B", (("B", 8, _SCR, RoomKind.SINGLE),)),
    ("lyngtun", "Lyngtun sykehjem", _NH, "C", (("C", 3, _REI, RoomKind.SINGLE),)),
    ("havglimt", "Havglimt omsorgsboliger", _H24, "Nord",
     (("N", 8, _ORD, RoomKind.SINGLE), ("ND", 1, _ORD, RoomKind.DOUBLE))),
    ("havglimt", "Havglimt omsorgsboliger", _H24, "Sør", (("S", 4, _SCR, RoomKind.SINGLE),)),
)
#: The unit that opens two days before the end: vacant places of every type at ``until``.
NEW_UNIT = ("lyngtun", "Lyngtun sykehjem", _NH, "D",
            (("D", 2, _ORD, RoomKind.SINGLE), ("DS", 2, _SCR, RoomKind.SINGLE),
             ("DR", 1, _REI, RoomKind.SINGLE), ("DD", 1, _ORD, RoomKind.DOUBLE)))
PROVIDERS = (
    ("Omsorgspartner AS", "Lia omsorgssenter", _NH),
    ("Stiftelsen Bjørgvin", "Bjørgvin sykehjem", _NH),
    ("Kystomsorg AS", "Havbris bo- og omsorgssenter", _H24),
)

_FEMALE = ("Ingrid", "Astrid", "Marit", "Kari", "Anne", "Liv", "Solveig", "Randi", "Gerd",
           "Berit", "Eva", "Bjørg", "Turid", "Ragnhild", "Synnøve", "Sigrid", "Aud", "Elin",
           "Gunvor", "Torunn", "Magnhild", "Jorunn", "Inger", "Margit", "Ruth", "Else",
           "Åse", "Brit", "Wenche", "Laila", "Oddny", "Signe")
_MALE = ("Olav", "Nils", "Arne", "Knut", "Per", "Jan", "Bjørn", "Kjell", "Svein", "Odd",
         "Harald", "Rolf", "Leif", "Egil", "Terje", "Tor", "Einar", "Ivar", "Sverre",
         "Gunnar", "Asbjørn", "Trygve", "Magne", "Reidar", "Halvor", "Sigurd", "Arvid",
         "Johannes", "Ove", "Steinar")
_SURNAMES = ("Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen",
             "Kristiansen", "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg",
             "Haugen", "Hagen", "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Halvorsen",
             "Henriksen", "Lund", "Sørensen", "Moen", "Gundersen", "Iversen", "Strand",
             "Solberg", "Eide", "Knutsen", "Martinsen", "Bakken", "Mathisen", "Lie",
             "Amundsen", "Rasmussen", "Vik", "Nygård", "Fosse", "Tveit", "Hauge", "Sandvik",
             "Aase", "Brekke", "Nguyen")
_OFFICERS = ("Hilde Strand", "Jonas Bakke", "Mona Eide", "Siri Aasen")
_NURSES = ("Sykepleier Trine Vik", "Sykepleier Ola Haugland", "Sykepleier Nina Rød")
_DOCTORS = ("Lege Erik Moe", "Lege Anita Sæther")
_WHAT_MATTERS = ("Trygghet om natten", "Å kunne se sjøen fra vinduet",
                 "Å få besøk av barnebarna", "Å få gå en tur ute hver dag",
                 "Å bo nær kona", "Å bo nær mannen", "Å få fortsette i sangkoret",
                 "Å ha katten på besøk", "Å slippe å være alene", "Å få stelle i hagen")
_ACCOUNTS = ("Klarer seg ikke hjemme om natten", "Har falt flere ganger siste måned",
             "Glemmer å spise og ta medisiner", "Er redd og urolig når hun er alene",
             "Klarer ikke lenger trappene i huset", "Orker ikke mer; vil ha trygghet")
_RELATIONS = (("datter", "Bekymret for fall om natten"),
              ("sønn", "Ser at hjemmetjenesten ikke lenger strekker til"),
              ("ektefelle", "Er utslitt etter lang tid som omsorgsgiver"),
              ("nevø", "Bor langt unna og kan ikke følge opp daglig"),
              ("verge", "Mener forsvarlig hjelp hjemme ikke lenger er mulig"))
_GP = ("Hjertesvikt, fallrisiko", "KOLS med hyppige forverringer",
       "Parkinsons sykdom, økende funksjonsfall", "Hjerneslag med halvsidig lammelse",
       "Diabetes med komplikasjoner, nedsatt syn", "Kreft med spredning, lindrende fase",
       "Hoftebrudd, nedsatt mobilitet etter operasjon")
_DEMENTIA_GP = ("Alzheimers sykdom, moderat grad", "Vaskulær demens",
                "Blandet demens med uro på kveldstid", "Frontotemporal demens")
_SPECIALIST = ("Behov for tett medisinsk oppfølging og hyppig tilsyn",
               "Respiratorbehandling om natten", "Utagering som krever to pleiere",
               "Sondeernæring og avansert sårstell")
_INTERIM = ((InterimService("hjemmesykepleie", "tre besøk daglig"),),
            (InterimService("hjemmesykepleie", "fire besøk daglig"),
             InterimService("trygghetsalarm", "døgnkontinuerlig")),
            (InterimService("hjemmesykepleie", "to besøk daglig"),
             InterimService("dagtilbud", "tre dager i uken")),
            (InterimService("korttidsopphold", "avlastning annenhver uke"),
             InterimService("hjemmesykepleie", "tre besøk daglig")))
_DECLINE_REASONS = ("Ønsker å vente på plass nærmere familien",
                    "Vil heller vente til etter jul", "Ønsker en annen institusjon",
                    "Føler seg ikke klar ennå")



def _moment(day: date, minute: int) -> datetime:
    """A moment on a Norwegian calendar day, ``minute`` minutes after midnight, in UTC."""
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=OSLO).astimezone(UTC)


@dataclass
class _Place:
    place_id: UUID
    facility_id: str
    facility_name: str
    kind: FacilityKind
    unit: str
    room: str
    place_type: PlaceType
    room_kind: RoomKind
    open_from: date
    occupants: set[str] = field(default_factory=set)
    reserved: set[str] = field(default_factory=set)

    @property
    def free(self) -> int:
        return self.room_kind.capacity - len(self.occupants) - len(self.reserved)


@dataclass
class _ProviderOffer:
    po_id: UUID
    provider: str
    facility_name: str
    kind: FacilityKind
    place_type: PlaceType
    price: Decimal
    available_from: date
    valid_until: date
    reserved: str | None = None
    purchased: str | None = None
    withdrawn: bool = False

    def available(self, day: date) -> bool:
        return (not self.withdrawn and self.reserved is None and self.purchased is None
                and self.available_from <= day <= self.valid_until)


@dataclass
class _Offer:
    offer_id: UUID
    target: _Place | _ProviderOffer
    made_on: date
    accepted: bool = False


@dataclass
class _Person:
    key: str
    case_id: UUID
    name: str
    born: date
    place_type: PlaceType
    dementia_suspected: bool
    dementia: bool  # R7: a diagnosis or a confirmed investigation
    reinforced: bool
    spouse: str | None = None
    hold: bool = False  # a scripted story: the allocation meetings leave this person alone
    status: str = "new"  # then received, waiting, granted, rejected, resident, closed
    deadline: date | None = None
    fulfilled_on: date | None = None
    breached_on: date | None = None
    choice: BreachChoice | None = None
    urgent: bool = False
    need: int | None = None
    waiting_since: date | None = None
    offer: _Offer | None = None
    residence: _Place | None = None
    facility: str | None = None  # where the person lives (R10)
    decisions: list[tuple[UUID, date, str]] = field(default_factory=list)
    n_offers: int = 0
    n_decisions: int = 0
    wishes: tuple[str, ...] = ()
    planned_choice: BreachChoice | None = None  # a scripted story's R19 choice


@dataclass(frozen=True)
class _Step:
    moment: datetime
    run: Callable[[], Any]
    probe: tuple[UUID, str | None] | None  # (aggregate, command id) that marks it done


@dataclass(frozen=True)
class SeedSummary:
    """What the demo seed holds (from its plan) and what this run wrote."""

    municipality: str
    start: date
    until: datetime
    already_seeded: bool
    commands: int
    events_written: int
    seconds: float
    facilities: int
    places: int
    beds: int
    cases: int
    decisions: dict[str, int]
    offers: int
    offers_declined: int
    admissions: int
    purchases: int
    stays_ended: int
    closed_while_waiting: int
    waiting_now: int
    urgent_now: int
    spouse_pairs_waiting: int
    breaches: int
    breach_choices: dict[str, int]
    vacant_now: dict[str, int]
    provider_offers: int
    provider_offers_available_now: int
    complaints: int
    policy_versions: int

    def lines(self) -> list[str]:
        d = self.decisions
        return [
            f"municipality {self.municipality}: {self.start} to {local_date(self.until)}"
            + (" (already seeded)" if self.already_seeded else ""),
            f"  {self.facilities} facilities, {self.places} places ({self.beds} beds); "
            f"vacant now: " + ", ".join(f"{k} {v}" for k, v in self.vacant_now.items()),
            f"  {self.cases} cases; decisions: grant {d.get('grant', 0)}, waiting list "
            f"{d.get('waiting_list', 0)}, rejection {d.get('rejection', 0)}",
            f"  {self.offers} offers ({self.offers_declined} declined), {self.admissions} "
            f"admissions ({self.purchases} purchased), {self.stays_ended} stays ended",
            f"  waiting now: {self.waiting_now} ({self.urgent_now} urgent, "
            f"{self.spouse_pairs_waiting} spouse pairs); {self.breaches} deadline breaches "
            f"(choices: " + ", ".join(f"{k} {v}" for k, v in self.breach_choices.items())
            + ")",
            f"  {self.provider_offers} offers from other providers "
            f"({self.provider_offers_available_now} available now); {self.complaints} "
            f"complaints; policy versions {self.policy_versions}",
            f"  {self.commands} commands, {self.events_written} events written in "
            f"{self.seconds:.1f} s",
        ]


class _Planner:
    """Plays the story against its own model and lists the commands, in time order."""

    def __init__(self, service: AllocationService, municipality: str, start: date,
                 until: datetime) -> None:
        self.svc = service
        self.m = municipality
        self.start = start
        self.end = start + timedelta(days=HISTORY_DAYS - 1)  # the last full day
        self.until = until
        self.last_meeting = self.end - timedelta(days=3)
        self.rng = random.Random(SEED)
        self.heap: list[tuple[datetime, int, Callable[..., None], tuple[Any, ...]]] = []
        self.seq = count()
        self.steps: list[_Step] = []
        self.last = _moment(start, 0)
        self.now = self.last
        self.today = start
        self.persons: dict[str, _Person] = {}
        self.places: dict[UUID, _Place] = {}
        self.provider_offers: list[_ProviderOffer] = []
        self.serials: Counter[date] = Counter()
        self.counts: Counter[str] = Counter()
        self.policy = PolicySettings(guarantee_months=GUARANTEE_MONTHS)
        self.policy_versions = 1
        self.complaint_plans: list[str] = []

    # --- plumbing ---------------------------------------------------------------------

    def cmd(self, *parts: object) -> str:
        return "/".join(("demo", f"seed{SEED}", self.m, *map(str, parts)))

    def at(self, day: date, minute: int, fn: Callable[..., None], *args: Any) -> None:
        heapq.heappush(self.heap, (_moment(day, minute), next(self.seq), fn, args))

    def after(self, days: int, minute: int, fn: Callable[..., None], *args: Any) -> None:
        self.at(self.today + timedelta(days=days), minute, fn, *args)

    def emit(self, run: Callable[[], Any], probe: tuple[UUID, str | None] | None = None,
             minutes: int = 0) -> None:
        """A command at the current action's time (plus ``minutes``); step times never go
        backwards, so every aggregate's events keep their order in time."""
        moment = max(self.now + timedelta(minutes=minutes), self.last + timedelta(seconds=20))
        self.last = moment
        self.steps.append(_Step(moment, run, probe))

    def call(self, method: str, *args: Any, probe: UUID | None = None, **kwargs: Any) -> None:
        run = partial(getattr(self.svc, method), *args, **kwargs)
        command_id = kwargs.get("command_id")
        self.emit(run, (probe, command_id) if probe is not None else None)

    def pick(self, options: tuple[Any, ...] | list[Any]) -> Any:
        return options[self.rng.randrange(len(options))]

    def run(self) -> list[_Step]:
        self.setup()
        day = self.start
        arrivals = self.arrival_days()
        while day <= self.end:
            self.at(day, 6 * 60, self.deadline_check)
            if day.weekday() in (1, 4) and self.start + timedelta(days=21) <= day \
                    <= self.last_meeting:
                self.at(day, 9 * 60, self.allocation_meeting)
            for i in range(arrivals.get(day, 0)):
                self.at(day, 8 * 60 + 30 + 17 * i, self.arrive)
            limit = _moment(day + timedelta(days=1), 0)
            while self.heap and self.heap[0][0] < limit:
                moment, _, fn, args = heapq.heappop(self.heap)
                self.now, self.today = moment, local_date(moment)
                fn(*args)
            day += timedelta(days=1)
        self.now, self.today = max(self.until, self.last), local_date(self.until)
        self.deadline_check()  # the morning's check on the day of ``until``
        return self.steps

    def arrival_days(self) -> dict[date, int]:
        out: dict[date, int] = {}
        day = self.start + timedelta(days=14)
        surge = self.end - timedelta(days=SURGE_DAYS)
        while day <= self.end - timedelta(days=1):
            rate = (SURGE_RATE if day > surge else BASE_RATE) / 7
            n = sum(1 for _ in range(3) if self.rng.random() < rate / 3)
            if n:
                out[day] = n
            day += timedelta(days=1)
        return out

    # --- people -----------------------------------------------------------------------

    def new_person(self, *, place_type: PlaceType, female: bool | None = None,
                   surname: str | None = None, age: int | None = None, tag: str = "",
                   hold: bool = False) -> _Person:
        rng = self.rng
        female = rng.random() < 0.62 if female is None else female
        first = self.pick(_FEMALE if female else _MALE)
        surname = surname or self.pick(_SURNAMES)
        age = age or (rng.randint(55, 66) if rng.random() < 0.05 else
                      min(99, int(rng.triangular(70, 100, 86))))
        born = self.start - timedelta(days=365 * age + rng.randint(0, 364))
        n = len(self.persons) + 1
        key = f"p{n:04d}{tag}"
        from application.service import derived_id

        cmd = self.cmd(key, "application")
        suspected = place_type is _SCR or (place_type is not _ORD and rng.random() < 0.3)
        confirmed = suspected and (place_type is _SCR or rng.random() < 0.7)
        person = _Person(
            key=key, case_id=derived_id("case", self.m, cmd),
            name=f"{first} {surname}", born=born, place_type=place_type,
            dementia_suspected=suspected, dementia=confirmed,
            reinforced=place_type is _REI, hold=hold)
        self.persons[key] = person
        return person

    def identity_number(self, person: _Person) -> str:
        serial = self.serials[person.born]
        self.serials[person.born] += 1
        return synthetic_identity_number(person.born, serial)

    def documentation(self, p: _Person) -> CaseDocumentation:
        rng = self.rng
        level = rng.randint(2, 4) + (1 if p.place_type is not _ORD else 0)
        scores = {v: max(1, min(5, level + rng.randint(-1, 1))) for v in IPLOS_VARIABLES}
        if rng.random() < 0.3:
            scores["syn"] = 9
        relation, info = self.pick(_RELATIONS)
        leon = [LeonEntry(LeonMeasure.EXTENDED_HOME_SERVICES, LeonStatus.TRIED,
                          "ikke tilstrekkelig om natten")]
        if rng.random() < 0.7:
            leon.append(LeonEntry(LeonMeasure.SHORT_TERM_STAY, LeonStatus.TRIED,
                                  "bedring under oppholdet, men ikke varig"))
        if rng.random() < 0.5:
            leon.append(LeonEntry(self.pick((LeonMeasure.DAY_CARE,
                                             LeonMeasure.WELFARE_TECHNOLOGY,
                                             LeonMeasure.HOME_ADAPTATION)),
                                  LeonStatus.ASSESSED, "vurdert, ikke tilstrekkelig"))
        gp = self.pick(_DEMENTIA_GP) if p.dementia else self.pick(_GP)
        finding = None
        if p.dementia_suspected:
            finding = DementiaFinding.CONFIRMED if p.dementia else self.pick(
                (DementiaFinding.NOT_CONFIRMED, DementiaFinding.INCONCLUSIVE))
        relative = f"{self.pick(_FEMALE + _MALE)} {p.name.split()[-1]}"
        return CaseDocumentation(
            what_matters=self.pick(_WHAT_MATTERS), account=self.pick(_ACCOUNTS),
            relative_name=relative, relation=relation, relatives_information=info,
            is_guardian=relation == "verge", iplos_scores=scores, gp_summary=gp,
            diagnoses=(gp.split(",")[0],), dementia_diagnosis=p.dementia,
            specialist_summary=self.pick(_SPECIALIST) if p.reinforced else None,
            leon=tuple(leon), dementia_finding=finding,
            dementia_conclusion="Demens bekreftet" if p.dementia else "Ikke holdepunkter "
            "for demens", case_worker=self.pick(_OFFICERS), nurse=self.pick(_NURSES),
            doctor=self.pick(_DOCTORS))

    def receive(self, p: _Person, *, received_days_ago: int = 0,
                channel: Channel | None = None) -> None:
        spouse = self.persons[p.spouse] if p.spouse else None
        # the second of two spouses to apply links both cases (R10); a spouse whose case is
        # closed is no longer linked
        link = spouse is not None and spouse.status not in ("new", "closed")
        self.call("receive_application", self.m, identity_number=self.identity_number(p),
                  name=p.name, received_on=self.today - timedelta(days=received_days_ago),
                  channel=channel or self.pick((Channel.DIGITAL, Channel.DIGITAL,
                                                Channel.PAPER, Channel.HOSPITAL,
                                                Channel.ON_BEHALF, Channel.PHONE)),
                  spouse_case_id=spouse.case_id if link and spouse else None,
                  dementia_suspected=p.dementia_suspected,
                  command_id=self.cmd(p.key, "application"), probe=p.case_id)
        if spouse is not None and spouse.status == "closed":
            p.spouse = None
        p.status = "received"
        self.counts["cases"] += 1

    def document(self, p: _Person, *, spread: bool) -> int:
        """Schedule (or, for the existing residents, emit now) the documentation; returns
        the day offset of the last item."""
        steps = documentation_steps(self.svc, self.m, p.case_id, self.documentation(p),
                                    command_prefix=self.cmd(p.key, "doc"))
        last = 0
        for i, (name, run) in enumerate(steps):
            probe = (p.case_id, self.cmd(p.key, "doc", name))
            if not spread:
                self.emit(run, probe, minutes=i + 1)
                continue
            offset = {"own_account": 1, "relatives": 2}.get(name, 2 + i + self.rng.randint(0, 3))
            if name == "dementia_investigation":
                offset += self.rng.randint(3, 10)
            last = max(last, offset)
            self.after(offset, 10 * 60 + 7 * i, self.emit_step, run, probe)
        return last

    def emit_step(self, run: Callable[[], Any], probe: tuple[UUID, str | None]) -> None:
        self.emit(run, probe)

    # --- day 0: facilities, policy, the residents already living there ----------------

    def setup(self) -> None:
        self.now, self.today = _moment(self.start, 7 * 60 + 30), self.start
        self.call("set_policy", self.m, issued_by="Kommunestyret",
                  effective_from=self.start, guarantee_months=GUARANTEE_MONTHS,
                  score_tolerance=15, command_id=self.cmd("policy", 1),
                  probe=policy_id(self.m))
        self.policy = PolicySettings(guarantee_months=GUARANTEE_MONTHS, score_tolerance=15)
        self.policy_versions = 2
        for facility in FACILITIES:
            self.register_unit(facility)
        self.at(self.start + timedelta(days=365), 8 * 60, self.revise_policy)
        self.at(self.end - timedelta(days=2), 8 * 60, self.register_unit, NEW_UNIT)
        self.at(self.end, 15 * 60, self.final_provider_offers)
        rooms = sorted(self.places.values(), key=lambda x: (x.facility_id, x.unit, x.room))
        for i, place in enumerate(rooms):
            self.at(self.start + timedelta(days=i % 15), 8 * 60 + 20 * (i // 15),
                    self.existing_residents, place)
        for days in range(20, HISTORY_DAYS - 30, 47):
            self.at(self.start + timedelta(days=days), 14 * 60, self.provider_offer_arrives)
        self.at(self.start + timedelta(days=200), 9 * 60 + 30, self.spouse_of_resident)
        self.at(self.end - timedelta(days=330), 9 * 60, self.story_breach, BreachChoice.PURCHASE)
        self.at(self.end - timedelta(days=152), 9 * 60, self.story_breach, BreachChoice.WAIT)
        self.at(self.end - timedelta(days=45), 9 * 60, self.story_couple)
        self.at(self.end, 10 * 60, self.story_urgent)

    def register_unit(self, spec: tuple[Any, ...]) -> None:
        fid, fname, kind, unit, rooms = spec
        for prefix, n, ptype, room_kind in rooms:
            for i in range(1, n + 1):
                room = f"{prefix}{i:02d}"
                pid = place_id(self.m, fid, unit, room)
                self.places[pid] = _Place(pid, fid, fname, kind, unit, room, ptype, room_kind,
                                          self.today)
                self.call("register_place", self.m, facility_id=fid, facility_name=fname,
                          facility_kind=kind, unit=unit, room=room, place_type=ptype,
                          room_kind=room_kind, command_id=self.cmd("place", fid, unit, room),
                          probe=pid)

    def revise_policy(self) -> None:
        """A year in, the purchase horizon is widened to three weeks (R18, R19)."""
        self.call("set_policy", self.m, issued_by="Kommunestyret", effective_from=self.today,
                  deadline_horizon_days=21, command_id=self.cmd("policy", 2),
                  probe=policy_id(self.m))
        self.policy_versions += 1

    def existing_residents(self, place: _Place) -> None:
        """A resident already living in the place when the trial started (a couple in a
        double room), registered through the ordinary commands: application, § 2-2
        documentation, a grant, an offer of the place they live in, admission."""
        if place.room_kind is RoomKind.DOUBLE:
            a = self.new_person(place_type=_ORD, female=False, tag="e")
            b = self.new_person(place_type=_ORD, female=True, surname=a.name.split()[-1],
                                tag="e")
            a.spouse, b.spouse = b.key, a.key
            people = [a, b]
        else:
            people = [self.new_person(place_type=place.place_type, tag="e")]
        for p in people:
            self.receive(p, received_days_ago=self.rng.randint(60, 900), channel=Channel.PAPER)
            self.document(p, spread=False)
            self.decide(p, "grant", grounds="Videreføring av langtidsopphold ved oppstart av "
                        "forsøket; behovet for heldøgns omsorg er vurdert på nytt")
        for p in people:
            self.offer(p, place, existing=True)
        for p in people:
            self.accept(p)
        for p in people:
            self.admit(p)

    # --- arrivals, documentation, decisions -------------------------------------------

    def draw_type(self) -> PlaceType:
        r = self.rng.random()
        return _ORD if r < 0.57 else (_SCR if r < 0.93 else _REI)

    def arrive(self) -> None:
        """A new application; now and then a couple applying together (R10)."""
        p = self.new_person(place_type=self.draw_type())
        if self.rng.random() < 0.04:
            p.place_type = _ORD
            q = self.new_person(place_type=_ORD, female=p.name.split()[0] not in _FEMALE,
                                surname=p.name.split()[-1])
            p.spouse, q.spouse = q.key, p.key
            self.start_case(p)
            self.start_case(q, minutes=5)
            return
        self.start_case(p)

    def start_case(self, p: _Person, minutes: int = 0, kind: str | None = None) -> None:
        self.now += timedelta(minutes=minutes)
        self.receive(p, received_days_ago=self.rng.randint(0, 4))
        last = self.document(p, spread=True)
        if kind is None:
            r = self.rng.random()
            kind = "rejection" if r < 0.08 else ("grant" if r < 0.2 else "waiting_list")
            if p.spouse or p.hold:
                kind = "waiting_list"
        self.after(last + self.rng.randint(2, 6), 13 * 60, self.decide_later, p, kind)

    def decide_later(self, p: _Person, kind: str) -> None:
        if p.status != "received":
            return
        grounds = {
            "grant": "Kan ikke lenger ivaretas forsvarlig i eget hjem; trenger heldøgns "
                     "omsorg straks (forskriften § 2-1 første ledd)",
            "waiting_list": "Varig behov for heldøgns omsorg; kan ivaretas forsvarlig hjemme "
                            "med økte tjenester til plass tilbys (forskriften § 2-1 annet "
                            "ledd)",
            "rejection": "Er best tjent med utvidede hjemmetjenester og dagtilbud; vilkårene "
                         "for langtidsopphold er ikke oppfylt nå (notat 2.4)",
        }[kind]
        self.decide(p, kind, grounds=grounds)
        if kind != "rejection":
            self.after(self.rng.randint(0, 3), 14 * 60, self.assess, p)
            if self.rng.random() < 0.3:
                facilities = sorted({x.facility_id for x in self.places.values()})
                self.rng.shuffle(facilities)
                self.after(self.rng.randint(1, 5), 11 * 60 + 30, self.wishes, p,
                           tuple(facilities[:2]))
        if kind == "grant":
            self.after(14, 10 * 60, self.purchase_if_waiting, p, "grant")
        if kind == "waiting_list" and not p.hold:
            r = self.rng.random()
            if r < 0.08:
                self.after(self.rng.randint(10, 120), 12 * 60, self.close_waiting, p)
            elif r < 0.16:
                self.after(self.rng.randint(15, 120), 8 * 60 + 45, self.urgent, p,
                           "Fall med brudd; kan ikke lenger ivaretas forsvarlig hjemme")
            elif r < 0.3:
                self.after(30, 10 * 60 + 40, self.interim_update, p)
        self.plan_complaint(p, kind)

    def decide(self, p: _Person, kind: str, *, grounds: str) -> None:
        from application.service import derived_id

        p.n_decisions += 1
        cmd = self.cmd(p.key, "decision", p.n_decisions)
        decision_id = derived_id("decision", p.case_id, cmd)
        younger = age_on(p.born, self.today) < 67
        services = list(self.pick(_INTERIM)) if kind == "waiting_list" else []
        self.call("decide", self.m, p.case_id, kind=kind, grounds=grounds,
                  decided_by=f"Tildelingsenheten v/ {self.pick(_OFFICERS)}",
                  place_type=p.place_type if kind != "rejection" else None,
                  facility_kind=None,
                  can_be_cared_for_safely_at_home=(kind == "waiting_list") if kind != "rejection"
                  else None,
                  alternatives_at_home=("Tilrettelagt bolig med hjemmetjenester er vurdert; "
                                        "ikke forsvarlig" if younger else None),
                  interim_services=services or None, command_id=cmd, probe=p.case_id)
        p.decisions.append((decision_id, self.today, kind))
        self.counts[f"decision_{kind}"] += 1
        was_on_list = p.status in ("waiting", "granted")
        p.status = {"grant": "granted", "waiting_list": "waiting",
                    "rejection": "rejected"}[kind]
        p.deadline = (add_months(self.today, self.policy.guarantee_months)
                      if kind == "waiting_list" else None)
        p.fulfilled_on = None
        if p.status in ("waiting", "granted"):
            if not was_on_list:
                p.waiting_since = self.today
        else:
            p.waiting_since = None

    def assess(self, p: _Person) -> None:
        if p.status not in ("waiting", "granted"):
            return
        rng = self.rng
        F = PriorityFactor
        factors = {
            F.FUNCTION.value: rng.randint(1, 4),
            F.MEDICAL.value: rng.randint(1, 3),
            F.HOME_SITUATION.value: rng.randint(0, 4),
            F.NUTRITION.value: rng.randint(0, 2),
            F.OTHER_SERVICES.value: rng.randint(1, 3),
        }
        if p.dementia:
            factors[F.COGNITIVE_FAILURE.value] = rng.randint(3, 4)
        if rng.random() < 0.06:
            factors[F.END_OF_LIFE.value] = 4
        if p.reinforced or rng.random() < 0.15:
            factors[F.OTHER_SPECIAL_NEEDS.value] = rng.randint(2, 4)
        spouse = self.persons.get(p.spouse) if p.spouse else None
        if spouse is not None and spouse.status == "resident":
            factors[F.SPOUSE_IN_LONG_TERM_STAY.value] = 4
        suggested = self.policy.suggested_need_score(factors)
        reason = None
        if rng.random() < 0.1:
            need = min(100, suggested + 20)
            reason = "Pårørende er utslitt; faglig skjønn tilsier høyere prioritet"
        else:
            need = max(0, min(100, suggested + rng.randint(-5, 5)))
        self.call("assess_priority", self.m, p.case_id, factors=factors, need_score=need,
                  assessor=self.pick(_NURSES), departure_reason=reason,
                  command_id=self.cmd(p.key, "priority"), probe=p.case_id)
        p.need = need

    def wishes(self, p: _Person, facilities: tuple[str, ...]) -> None:
        if p.status in ("closed", "resident"):
            return
        self.call("record_wishes", self.m, p.case_id, facility_ids=list(facilities),
                  command_id=self.cmd(p.key, "wishes"), probe=p.case_id)
        p.wishes = facilities

    def interim_update(self, p: _Person) -> None:
        if p.status != "waiting":
            return
        self.call("record_interim_services", self.m, p.case_id,
                  services=list(self.pick(_INTERIM)), recorded_by=self.pick(_OFFICERS),
                  command_id=self.cmd(p.key, "interim"), probe=p.case_id)

    def urgent(self, p: _Person, reason: str) -> None:
        if p.status not in ("waiting", "granted") or p.urgent:
            return
        self.call("mark_urgent", self.m, p.case_id, reason=reason,
                  assessed_by=self.pick(_DOCTORS), command_id=self.cmd(p.key, "urgent"),
                  probe=p.case_id)
        p.urgent = True
        self.counts["urgent"] += 1
        self.after(7, 10 * 60 + 15, self.purchase_if_waiting, p, "urgent")

    def close_waiting(self, p: _Person) -> None:
        if p.status not in ("waiting", "granted") or p.offer is not None:
            return
        reason = ClosureReason.DIED if self.rng.random() < 0.6 else ClosureReason.WITHDRAWN
        self.call("close_case", self.m, p.case_id, reason=reason,
                  command_id=self.cmd(p.key, "close"), probe=p.case_id)
        p.status = "closed"
        self.counts["closed_while_waiting"] += 1

    # --- the guarantee (R18, R19) ----------------------------------------------------

    def deadline_check(self) -> None:
        due = [p for p in self.persons.values()
               if p.status == "waiting" and p.deadline is not None
               and self.today > p.deadline and p.breached_on is None
               and (p.fulfilled_on is None or p.fulfilled_on > p.deadline)]
        if not due:
            return
        ids = [p.case_id for p in due]
        self.emit(partial(self.svc.check_deadlines, self.m, case_ids=ids))
        for p in due:
            p.breached_on = self.today
            self.counts["breaches"] += 1
            if self.today < self.end:
                choice = p.planned_choice or (
                    BreachChoice.WAIT if p.spouse or self.rng.random() < 0.4
                    else BreachChoice.PURCHASE)
                self.after(self.rng.randint(2, 5), 10 * 60 + 30, self.breach_choice, p, choice)

    def breach_choice(self, p: _Person, choice: BreachChoice) -> None:
        if p.status != "waiting" or p.choice is not None:
            return
        self.call("record_breach_choice", self.m, p.case_id, choice=choice,
                  recorded_by=self.pick(_OFFICERS), command_id=self.cmd(p.key, "choice"),
                  probe=p.case_id)
        p.choice = choice
        self.counts[f"choice_{choice.value}"] += 1
        if choice is BreachChoice.PURCHASE:
            self.after(2, 10 * 60, self.purchase_if_waiting, p, "breach")

    # --- places from other providers --------------------------------------------------

    def register_provider_offer(self, place_type: PlaceType, *, valid_days: int = 60,
                                price: Decimal | None = None) -> _ProviderOffer:
        provider, facility_name, kind = self.pick(PROVIDERS)
        reference = f"{self.today.year}-{len(self.provider_offers) + 1:03d}"
        price = price or Decimal(self.rng.randrange(3400, 4800, 50))
        if place_type is _REI:
            price += 900
        po = _ProviderOffer(provider_offer_id(self.m, provider, reference), provider,
                            facility_name, kind, place_type, price, self.today,
                            self.today + timedelta(days=valid_days))
        self.provider_offers.append(po)
        self.call("register_provider_offer", self.m, provider=provider, reference=reference,
                  facility_name=facility_name, facility_kind=kind, place_type=place_type,
                  price_per_day=price, available_from=po.available_from,
                  valid_until=po.valid_until,
                  command_id=self.cmd("provider-offer", reference), probe=po.po_id)
        return po

    def provider_offer_arrives(self) -> None:
        po = self.register_provider_offer(self.pick((_ORD, _ORD, _SCR)))
        if self.rng.random() < 0.25:
            self.after(20, 13 * 60, self.provider_withdraws, po)

    def provider_withdraws(self, po: _ProviderOffer) -> None:
        if not po.available(self.today):
            return
        self.call("withdraw_provider_offer", self.m, po.po_id,
                  reason="Plassen er tildelt en annen kommune",
                  command_id=self.cmd("provider-offer", po.po_id, "withdrawn"), probe=po.po_id)
        po.withdrawn = True

    def final_provider_offers(self) -> None:
        for place_type, price in ((_ORD, Decimal("3850")), (_SCR, Decimal("4350")),
                                  (_ORD, Decimal("4100"))):
            self.register_provider_offer(place_type, valid_days=45, price=price)

    def purchase_if_waiting(self, p: _Person, why: str) -> None:
        """R15 urgent, R4 grant not carried out, or R19 the person chose a purchase: a
        place is bought from another provider when no own place has been offered."""
        if p.status not in ("waiting", "granted") or p.offer is not None:
            return
        if why == "urgent" and not p.urgent:
            return
        po = next((x for x in self.provider_offers
                   if x.available(self.today) and x.place_type is p.place_type), None)
        if po is None:
            po = self.register_provider_offer(p.place_type)
            self.now += timedelta(minutes=5)
        self.offer(p, po)

    # --- offers, answers, admissions, stays -------------------------------------------

    def r7_reason(self, p: _Person, place_type: PlaceType) -> str | None:
        if not p.dementia or place_type is _SCR:
            return None
        if p.spouse:
            return "Bor sammen med ektefellen i dobbeltrom (R10); skjermet enhet vurdert"
        return "Forsterket plass gir tettere oppfølging enn skjermet enhet"

    def offer(self, p: _Person, target: _Place | _ProviderOffer, *,
              existing: bool = False) -> None:
        from application.service import derived_id

        p.n_offers += 1
        cmd = self.cmd(p.key, "offer", p.n_offers)
        offer_id = derived_id("offer", p.case_id, cmd)
        kwargs: dict[str, Any] = (
            {"place_id": target.place_id} if isinstance(target, _Place)
            else {"provider_offer_id": target.po_id})
        self.call("make_offer", self.m, p.case_id,
                  made_by="Tildelingsenheten" if existing else self.pick(_OFFICERS),
                  non_screened_reason=self.r7_reason(p, target.place_type),
                  command_id=cmd, probe=p.case_id, **kwargs)
        p.offer = _Offer(offer_id, target, self.today)
        if isinstance(target, _Place):
            target.reserved.add(p.key)
        else:
            target.reserved = p.key
        if p.deadline is not None and p.fulfilled_on is None:
            p.fulfilled_on = self.today
        self.counts["offers"] += 1
        if existing:
            return
        declines = self.rng.random() < (0.35 if p.wishes and isinstance(target, _Place)
                                        and target.facility_id not in p.wishes else 0.12)
        if p.spouse:
            declines = False
        self.after(self.rng.randint(1, 3), 11 * 60, self.answer, p, p.offer, declines)

    def answer(self, p: _Person, offer: _Offer, declines: bool) -> None:
        if p.offer is not offer:
            return
        if declines:
            reason = self.pick(_DECLINE_REASONS)
            self.call("decline_offer", self.m, p.case_id, offer.offer_id, reason=reason,
                      command_id=self.cmd(p.key, "offer", p.n_offers, "declined"),
                      probe=p.case_id)
            self.release(p, offer)
            self.counts["declined"] += 1
            if self.complaint_on_offer(p, offer):
                return
            return
        self.accept(p)
        self.after(self.rng.randint(2, 7), 12 * 60, self.admit, p)

    def release(self, p: _Person, offer: _Offer) -> None:
        if isinstance(offer.target, _Place):
            offer.target.reserved.discard(p.key)
        else:
            offer.target.reserved = None
        p.offer = None

    def accept(self, p: _Person) -> None:
        assert p.offer is not None
        self.call("accept_offer", self.m, p.case_id, p.offer.offer_id,
                  command_id=self.cmd(p.key, "offer", p.n_offers, "accepted"), probe=p.case_id)
        p.offer.accepted = True
        if isinstance(p.offer.target, _ProviderOffer):
            p.offer.target.reserved, p.offer.target.purchased = None, p.key
            self.counts["purchases"] += 1

    def admit(self, p: _Person) -> None:
        offer = p.offer
        if offer is None or not offer.accepted or p.status not in ("waiting", "granted"):
            return
        self.call("admit", self.m, p.case_id, offer.offer_id,
                  command_id=self.cmd(p.key, "offer", p.n_offers, "admitted"), probe=p.case_id)
        target = offer.target
        if isinstance(target, _Place):
            target.reserved.discard(p.key)
            target.occupants.add(p.key)
            p.residence, p.facility = target, target.facility_id
        else:
            p.facility = f"{target.provider}/{target.facility_name}"
        p.offer, p.status, p.urgent = None, "resident", False
        self.counts["admissions"] += 1
        stay = max(20, int(self.rng.expovariate(1 / MEAN_STAY_DAYS)))
        if self.today + timedelta(days=stay) < self.end:
            self.after(stay, 7 * 60 + 30, self.end_stay, p)

    def end_stay(self, p: _Person) -> None:
        if p.status != "resident":
            return
        reason = StayEndReason.DIED if self.rng.random() < 0.82 else StayEndReason.MOVED
        self.call("end_stay", self.m, p.case_id, reason=reason, ended_on=self.today,
                  command_id=self.cmd(p.key, "stay-ended"), probe=p.case_id)
        if p.residence is not None:
            p.residence.occupants.discard(p.key)
        p.status, p.residence = "closed", None
        self.counts["stays_ended"] += 1

    def allocation_meeting(self) -> None:
        """Twice a week the allocation unit offers the vacant places: urgent persons and
        grants first (R15, R4), then the greatest need (R16), then the longest wait; a
        place of the decided type, at a wished facility where one is free (R16: great
        weight to the person's wishes); spouses at the same facility (R10)."""
        waiting = [p for p in self.persons.values()
                   if p.status in ("waiting", "granted") and p.offer is None and not p.hold]
        waiting.sort(key=lambda p: (not (p.urgent or p.status == "granted"),
                                    -(p.need if p.need is not None else -1),
                                    p.waiting_since or self.today, p.key))
        vacant = sorted((x for x in self.places.values()
                         if x.free > 0 and x.open_from <= self.today),
                        key=lambda x: (x.facility_id, x.unit, x.room))
        held: set[UUID] = set()  # places kept for a couple until the second one is free
        for p in waiting:
            if p.offer is not None:
                continue
            spouse = self.persons.get(p.spouse) if p.spouse else None
            if spouse is not None and spouse.status in ("new", "received"):
                continue  # spouses applying together are offered places together
            if spouse is not None and spouse.status in ("waiting", "granted"):
                if spouse.offer is None and not spouse.hold:
                    pair = self.couple_places(p, spouse, vacant, held)
                    if pair is not None:
                        self.offer(p, pair[0])
                        self.offer(spouse, pair[1])
                continue
            at = spouse.facility if spouse is not None and spouse.status == "resident" \
                else None
            place = self.place_for(p, [x for x in vacant if x.place_id not in held],
                                   facility=at)
            if place is not None:
                self.offer(p, place)

    def place_for(self, p: _Person, vacant: list[_Place], *, facility: str | None = None,
                  taken: _Place | None = None) -> _Place | None:
        """A free single room of the decided type (at ``facility`` if given, R10); a wished
        facility first. A free bed beside a resident in a double room is kept for the
        resident's spouse."""
        fits = [x for x in vacant
                if x.room_kind is RoomKind.SINGLE and x.free > 0 and x is not taken
                and x.place_type is p.place_type
                and (facility is None or x.facility_id == facility)]
        fits.sort(key=lambda x: x.facility_id not in p.wishes)
        return fits[0] if fits else None

    def couple_places(self, p: _Person, q: _Person, vacant: list[_Place], held: set[UUID]
                      ) -> tuple[_Place, _Place] | None:
        """R10: a free double room, or a place for each at the same facility. When only
        one of the two is free somewhere, that place is held for the couple (not offered
        to those ranked after them) until the second one frees up."""
        free = [x for x in vacant if x.place_id not in held]
        if not (p.reinforced or q.reinforced):
            for x in free:
                if x.room_kind is RoomKind.DOUBLE and x.free == 2:
                    return x, x
        partial: _Place | None = None
        for facility in sorted({x.facility_id for x in free}):
            a = self.place_for(p, free, facility=facility)
            b = self.place_for(q, free, facility=facility, taken=a)
            if a is not None and b is not None:
                return a, b
            partial = partial or a or b
        if partial is not None:
            held.add(partial.place_id)
        return None

    # --- complaints (R21) --------------------------------------------------------------

    def plan_complaint(self, p: _Person, kind: str) -> None:
        if p.hold or p.spouse:
            return
        plans = self.complaint_plans
        if kind == "rejection" and "rejection-confirmed" not in plans:
            plans.append("rejection-confirmed")
            self.after(10, 9 * 60 + 45, self.complaint_confirmed, p)
        elif kind == "rejection" and "rejection-upheld" not in plans:
            plans.append("rejection-upheld")
            self.after(12, 9 * 60 + 45, self.complaint_upheld, p)
        elif (kind == "waiting_list" and "late" not in plans
              and self.today > self.start + timedelta(days=380)):
            plans.append("late")
            self.after(40, 9 * 60 + 45, self.complaint_late, p)

    def complaint_ids(self, p: _Person, name: str) -> tuple[UUID, str]:
        from application.service import derived_id

        cmd = self.cmd(p.key, "complaint", name)
        return derived_id("complaint", p.case_id, cmd), cmd

    def register_complaint(self, p: _Person, name: str, *, against: str, subject_id: UUID,
                           grounds: str) -> UUID:
        from domain.complaint import ComplaintSubject

        complaint_id, cmd = self.complaint_ids(p, name)
        self.call("register_complaint", self.m, p.case_id, against=ComplaintSubject(against),
                  subject_id=subject_id, received_on=self.today, grounds=grounds,
                  registered_by=self.pick(_OFFICERS), command_id=cmd, probe=complaint_id)
        self.counts["complaints"] += 1
        return complaint_id

    def reconsider(self, complaint_id: UUID, cmd: str, upheld: bool, reasoning: str) -> None:
        self.call("record_reconsideration", self.m, complaint_id, upheld=upheld,
                  reasoning=reasoning, decided_by="Leder for tildelingsenheten",
                  decided_on=self.today, command_id=f"{cmd}/reconsidered", probe=complaint_id)

    def forward(self, complaint_id: UUID, cmd: str) -> None:
        self.call("forward_complaint", self.m, complaint_id, forwarded_on=self.today,
                  forwarded_by=self.pick(_OFFICERS), command_id=f"{cmd}/forwarded",
                  probe=complaint_id)

    def outcome(self, complaint_id: UUID, cmd: str, outcome: str, summary: str) -> None:
        from domain.complaint import ComplaintOutcome

        self.call("record_complaint_outcome", self.m, complaint_id,
                  outcome=ComplaintOutcome(outcome), decided_on=self.today, summary=summary,
                  command_id=f"{cmd}/outcome", probe=complaint_id)

    def complaint_confirmed(self, p: _Person) -> None:
        """A rejection (R9) complained of: not upheld, forwarded, confirmed (stadfestet)."""
        decision_id = p.decisions[-1][0]
        complaint_id = self.register_complaint(
            p, "rejection", against="decision", subject_id=decision_id,
            grounds="Datteren mener moren ikke er trygg hjemme og ber om langtidsopphold")
        _, cmd = self.complaint_ids(p, "rejection")
        self.after(14, 13 * 60, self.reconsider, complaint_id, cmd, False,
                   "Ny vurdering gir samme resultat: behovet dekkes forsvarlig med utvidede "
                   "hjemmetjenester og dagtilbud")
        self.after(16, 13 * 60, self.forward, complaint_id, cmd)
        self.after(60, 13 * 60, self.outcome, complaint_id, cmd, "confirmed",
                   "Statsforvalteren stadfester kommunens vedtak")

    def complaint_upheld(self, p: _Person) -> None:
        """A rejection complained of, with new information: the unit upholds it (omgjøring)
        and makes a waiting-list decision."""
        decision_id = p.decisions[-1][0]
        complaint_id = self.register_complaint(
            p, "rejection", against="decision", subject_id=decision_id,
            grounds="Ny epikrise etter sykehusinnleggelse viser betydelig funksjonsfall")
        _, cmd = self.complaint_ids(p, "rejection")
        self.after(10, 13 * 60, self.reconsider, complaint_id, cmd, True,
                   "Klagen tas til følge: ny medisinsk informasjon viser varig behov for "
                   "heldøgns omsorg")
        self.after(11, 13 * 60 + 30, self.redecide, p)

    def redecide(self, p: _Person) -> None:
        if p.status != "rejected":
            return
        p.place_type, p.reinforced = _ORD, False
        self.decide(p, "waiting_list", grounds="Omgjøring etter klage: varig behov for "
                    "heldøgns omsorg; kan ivaretas forsvarlig hjemme med økte tjenester til "
                    "plass tilbys")
        self.after(1, 14 * 60, self.assess, p)

    def complaint_late(self, p: _Person) -> None:
        """A waiting-list decision complained of after the deadline (flagged late, fvl.
        § 31): not upheld, forwarded; Statsforvalteren quashes it and sends it back
        (opphevet)."""
        decision_id = p.decisions[-1][0]
        complaint_id = self.register_complaint(
            p, "late", against="decision", subject_id=decision_id,
            grounds="Mener behovet tilsier langtidsopphold straks, ikke venteliste; klagen "
                    "kommer sent fordi vedtaket ble sendt til feil adresse")
        _, cmd = self.complaint_ids(p, "late")
        self.after(9, 13 * 60, self.reconsider, complaint_id, cmd, False,
                   "Vedtaket opprettholdes; klagen oversendes Statsforvalteren, som vurderer "
                   "om den skal tas under behandling etter fristen")
        self.after(12, 13 * 60, self.forward, complaint_id, cmd)
        self.after(50, 13 * 60, self.outcome, complaint_id, cmd, "quashed",
                   "Vedtaket oppheves: begrunnelsen drøfter ikke om hjemmesituasjonen er "
                   "forsvarlig om natten; sendes tilbake til ny behandling")

    def complaint_on_offer(self, p: _Person, offer: _Offer) -> bool:
        """A declined offer complained of, late in the history: not upheld, forwarded, and
        still with Statsforvalteren at the end."""
        if ("offer" in self.complaint_plans or p.hold or p.spouse
                or self.today < self.end - timedelta(days=150)
                or not isinstance(offer.target, _Place)):
            return False
        self.complaint_plans.append("offer")
        complaint_id = self.register_complaint(
            p, "offer", against="offer", subject_id=offer.offer_id,
            grounds=f"Tilbudt plass ved {offer.target.facility_name} ligger langt fra "
                    "familien; ber om plass nærmere hjemmet")
        _, cmd = self.complaint_ids(p, "offer")
        self.after(7, 13 * 60, self.reconsider, complaint_id, cmd, False,
                   "Tilbudet var i tråd med forskriften § 3-3; ønsket er registrert og vektlagt "
                   "ved neste ledige plass")
        self.after(8, 13 * 60, self.forward, complaint_id, cmd)
        return True

    # --- scripted stories ---------------------------------------------------------------

    def spouse_of_resident(self) -> None:
        """R10: the wife of a resident at Fjellheim applies; she can only be offered a place
        at the facility where he lives."""
        husband = next((p for p in self.persons.values()
                        if p.status == "resident" and p.spouse is None and not p.dementia
                        and p.facility == "fjellheim" and p.key.endswith("e")
                        and p.place_type is _ORD), None)
        if husband is None:
            return
        wife = self.new_person(place_type=_ORD, female=True, surname=husband.name.split()[-1])
        wife.spouse, husband.spouse = husband.key, wife.key
        self.start_case(wife, kind="waiting_list")

    def story_breach(self, choice: BreachChoice) -> None:
        """A person nobody can be offered a place in time (R18): the breach, and the
        person's choice (R19) — a purchased place, or waiting on for a municipal one."""
        p = self.new_person(place_type=_ORD, hold=True, age=88)
        p.planned_choice = choice
        self.start_case(p, kind="waiting_list")

    def story_couple(self) -> None:
        """R10: spouses who apply together and wait together for a double room."""
        a = self.new_person(place_type=_ORD, female=False, hold=True, age=84)
        b = self.new_person(place_type=_SCR, female=True, surname=a.name.split()[-1],
                            hold=True, age=82)
        a.spouse, b.spouse = b.key, a.key
        self.start_case(a, kind="waiting_list")
        self.start_case(b, minutes=5, kind="waiting_list")

    def story_urgent(self) -> None:
        """R15: after the last allocation meeting, two persons on the list can no longer be
        cared for safely at home: they go first on the list now."""
        waiting = sorted((p for p in self.persons.values()
                          if p.status == "waiting" and not p.urgent and p.offer is None
                          and not p.hold and p.need is not None),
                         key=lambda p: (-(p.need or 0), p.key))
        for p, reason in zip(waiting[:2], ("Ektefellen er innlagt på sykehus; alene om "
                                           "natten", "Gjentatte fall siste uke"), strict=False):
            self.urgent(p, reason)


# --- running the plan ---------------------------------------------------------------------


def _first_day_of_earlier_seed(service: AllocationService, municipality: str) -> date | None:
    """The first day of an earlier run's timeline: the day of its first command (the policy
    it set), so a second run replays exactly the same story."""
    first = f"demo/seed{SEED}/{municipality}/policy/1"
    for event in service.events.get(policy_id(municipality)):
        if getattr(event, "command_id", None) == first:
            return local_date(event.timestamp)
    return None


def _done(service: AllocationService, probe: tuple[UUID, str | None]) -> bool:
    aggregate = service._exists(probe[0])
    return aggregate is not None and (probe[1] is None or aggregate.has_handled(probe[1]))


def plan_demo(service: AllocationService, *, municipality: str = "4601",
              until: datetime | None = None) -> tuple[list[_Step], _Planner]:
    """The demo's commands in time order, and the model they were planned against (for
    the summary). Reads the store only to find an earlier run's timeline."""
    check_municipality(municipality)
    if until is None:
        until = datetime.now(UTC)
    elif until.tzinfo is None:
        raise InvalidValue("until", "a moment must carry its time zone")
    start = _first_day_of_earlier_seed(service, municipality) or (
        local_date(until) - timedelta(days=HISTORY_DAYS))
    planner = _Planner(service, municipality, start, until)
    return planner.run(), planner


def run_steps(service: AllocationService, steps: list[_Step],
              progress: Callable[[int, int], None] | None = None) -> None:
    """Run planned commands in virtual time: the service's clock is a :class:`ManualClock`
    set to each command's moment, and the service's own clock is restored afterwards."""
    original = service.clock
    clock = ManualClock(steps[0].moment if steps else datetime.now(UTC))
    service.clock = clock
    try:
        for i, step in enumerate(steps, start=1):
            clock.set(step.moment)
            step.run()
            if progress is not None:
                progress(i, len(steps))
    finally:
        service.clock = original


def seed_demo(service: AllocationService, *, municipality: str = "4601",
              until: datetime | None = None,
              progress: Callable[[int, int], None] | None = None) -> SeedSummary:
    """Seed a demo municipality with about two years of history ending at ``until``
    (default: now), through the application commands. Deterministic, and idempotent:
    running it again writes nothing. ``progress(done, total)`` is called after each
    command."""
    started = _time.perf_counter()
    steps, planner = plan_demo(service, municipality=municipality, until=until)
    before = service.recorder.max_notification_id() or 0
    last = next((s.probe for s in reversed(steps) if s.probe is not None), None)
    already = last is not None and _done(service, last)
    if already:
        if progress is not None:
            progress(len(steps), len(steps))
    else:
        run_steps(service, steps, progress)
    written = (service.recorder.max_notification_id() or 0) - before
    return _summary(planner, len(steps), already, written, _time.perf_counter() - started)


def _summary(planner: _Planner, commands: int, already: bool, written: int,
             seconds: float) -> SeedSummary:
    persons = list(planner.persons.values())
    waiting = [p for p in persons if p.status in ("waiting", "granted")]
    keys = {p.key for p in waiting}
    pairs = {tuple(sorted((p.key, p.spouse))) for p in waiting if p.spouse in keys}
    today = local_date(planner.until)
    vacant: Counter[str] = Counter({t.value: 0 for t in PlaceType})
    for place in planner.places.values():
        if place.free > 0 and place.open_from <= today:
            vacant[place.place_type.value] += 1
    c = planner.counts
    return SeedSummary(
        municipality=planner.m, start=planner.start, until=planner.until,
        already_seeded=already, commands=commands, events_written=written, seconds=seconds,
        facilities=len({x.facility_id for x in planner.places.values()}),
        places=len(planner.places),
        beds=sum(x.room_kind.capacity for x in planner.places.values()),
        cases=len(persons),
        decisions={k: c[f"decision_{k}"] for k in ("grant", "waiting_list", "rejection")},
        offers=c["offers"], offers_declined=c["declined"], admissions=c["admissions"],
        purchases=c["purchases"], stays_ended=c["stays_ended"],
        closed_while_waiting=c["closed_while_waiting"], waiting_now=len(waiting),
        urgent_now=sum(1 for p in waiting if p.urgent), spouse_pairs_waiting=len(pairs),
        breaches=c["breaches"],
        breach_choices={k.value: c[f"choice_{k.value}"] for k in BreachChoice},
        vacant_now=dict(vacant), provider_offers=len(planner.provider_offers),
        provider_offers_available_now=sum(1 for po in planner.provider_offers
                                          if po.available(today)),
        complaints=c["complaints"], policy_versions=planner.policy_versions,
    )
