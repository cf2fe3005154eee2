"""The player: plays a :class:`~application.demo.municipality.Municipality` day by day in
virtual time through the application's own commands, on a service of its own, and writes
down every command it gave as a :class:`Step`.

It keeps no model of the rules: what it does next it reads from the real state — a case's
status, its place in the one order (``Case.order_key()``), its guarantee
(``guarantee.state(day)``, ``breach_due``), its outstanding offer; a place's
``free_from(day)``; another provider's ``is_available_on(day)``. The people behave as the
description's shares say, drawn from one ``random.Random``. A command the domain refuses is
a wrong reading of the state (or a bug in the domain): it is not caught, the play stops.

A day (local time): 06:00 the deadline check (R18) and lapsed offers (R26); 07:30 stays end
(deaths, moves recorded ahead, R24); 08:00 applications (søknad), their documentation over
the next days (R8); 09:00 the officer offers each free place to the first person in the one
order whom it suits (R7, R10, R15, R16) and buys places for grants not carried out (R4, R15)
and after a breach where the person chose it (R19); 11:00 answers and admissions (R24);
13:00 decisions (vedtak); 14:00 priority assessments and reviews (R16, R17, R27); 15:00
complaints (R21), other providers' offers, the policy's versions.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from itertools import count
from typing import Any
from uuid import UUID

from application.clock import ManualClock
from application.demo.documentation import CaseDocumentation, documentation_steps
from application.demo.municipality import Municipality, Unit
from application.service import AllocationService
from domain.base import OSLO, local_date
from domain.case import (
    ON_LIST,
    YOUNGER_PERSON_AGE,
    Case,
    CaseStatus,
    GuaranteeStatus,
    fitting_place_types,
)
from domain.complaint import ComplaintOutcome, ComplaintSubject
from domain.identity import age_on, synthetic_identity_number
from domain.place import Place
from domain.values import (
    IPLOS_VARIABLES,
    BreachChoice,
    Channel,
    ClosureReason,
    DementiaFinding,
    OfferStatus,
    PlaceType,
    PriorityFactor,
    RoomKind,
    StayEndReason,
)

_ORD, _SCR, _REI = PlaceType.ORDINARY, PlaceType.SCREENED, PlaceType.REINFORCED
_GRANTED, _WAITING = CaseStatus.GRANTED, CaseStatus.WAITING
#: The player's own store: in memory, with the library's aggregate cache (the player is its
#: only writer), so that reading the whole state every morning costs little.
_OWN_STORE = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": ":memory:",
              "AGGREGATE_CACHE_MAXSIZE": "0", "AGGREGATE_CACHE_FASTFORWARD": "n",
              "DEEPCOPY_FROM_AGGREGATE_CACHE": "n"}
_OUTCOME = {"confirmed": ComplaintOutcome.CONFIRMED, "changed": ComplaintOutcome.CHANGED,
            "late": ComplaintOutcome.QUASHED}


def moment(day: date, minute: int) -> datetime:
    """``minute`` minutes after midnight on a Norwegian calendar day, in UTC."""
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=OSLO).astimezone(UTC)


@dataclass(frozen=True)
class Step:
    """One command of the history: its moment, the service method and its arguments (with
    the command id), and ``marks``: the aggregate and version of the last event it wrote,
    by which a store shows that the step is done."""

    moment: datetime
    command: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    marks: tuple[UUID, int]

    def run(self, service: AllocationService) -> Any:
        return getattr(service, self.command)(*self.args, **self.kwargs)


@dataclass(frozen=True)
class Applicant:
    """An applicant as drawn: who they are and what the investigation will find."""

    name: str
    woman: bool
    born: date
    place_type: PlaceType
    suspected: bool  # dementia suspected when applying (R8 (5))
    docs: CaseDocumentation


class Player:
    """Plays ``town`` from ``start`` for its history's days; see the module's docstring."""

    def __init__(self, town: Municipality, start: date, person_key: bytes) -> None:
        self.town, self.m, self.w, self.s = town, town.number, town.words, town.shares
        self.start, self.end = start, start + timedelta(days=town.history_days)
        self.rng = random.Random(town.seed)
        self.clock = ManualClock(moment(start, 0))
        self.svc = AllocationService(env=_OWN_STORE, clock=self.clock)
        self.svc.person_key = person_key  # R25: the person register's ids as in the target
        self.steps: list[Step] = []
        self.agenda: list[tuple[datetime, int, Callable[..., None], tuple[Any, ...]]] = []
        self.order = count()
        self.now = self.last = moment(start, 0)
        self.today, self.serial = start, 0
        self.cases: list[UUID] = []
        self.watch: dict[UUID, None] = {}  # cases that may be on the list (pruned on reading)
        self.people: dict[UUID, Applicant] = {}
        self.places: list[UUID] = []
        self.provider_offers: list[UUID] = []
        self.complaints: list[UUID] = []
        self.complaints_planned = 0
        self.births: Counter[date] = Counter()

    # --- time, commands and steps -----------------------------------------------------

    def at(self, day: date, minute: int, action: Callable[..., None], *args: Any) -> None:
        when = max(moment(day, minute), self.now)
        heapq.heappush(self.agenda, (when, next(self.order), action, args))

    def later(self, days: int, minute: int, action: Callable[..., None], *args: Any) -> None:
        self.at(self.today + timedelta(days=days), minute, action, *args)

    def do(self, command: str, *args: Any, with_id: bool = True, **kwargs: Any) -> Any:
        """Give a command now, on the player's service, and write it down as a step (one
        that wrote nothing is left out: it would write nothing on any store either)."""
        self.last = max(self.now, self.last + timedelta(seconds=1))
        self.clock.set(self.last)
        if with_id:
            self.serial += 1
            kwargs["command_id"] = f"demo/{self.town.seed}/{self.m}/{self.today}/{self.serial}"
        recorder = self.svc.recorder
        before = recorder.max_notification_id() or 0
        result = getattr(self.svc, command)(*args, **kwargs)
        after = recorder.max_notification_id() or 0
        if after > before:
            last = recorder.select_notifications(start=after, limit=1)[0]
            self.steps.append(Step(self.last, command, args, kwargs, (
                UUID(str(last.originator_id)), last.originator_version)))
        return result

    def play(self) -> list[Step]:
        for version in self.town.policies:  # the first, on day 0, anchors the timeline
            day = self.start + timedelta(days=version.day)
            self.at(day, 7 * 60, partial(self.do, "set_policy", self.m, effective_from=day,
                                         issued_by=version.issued_by, **version.changes))
        self.at(self.start, 7 * 60, self.open_municipality)
        every, valid = self.town.provider_offer_every_days, self.town.provider_offer_valid_days
        for days in range(20, self.town.history_days - 30, every):  # now and then a provider
            self.at(self.start + timedelta(days=days), 15 * 60, self.provider_offer,
                    self.rng.choice((_ORD, _ORD, _SCR, _REI)), valid)
        self.at(self.end - timedelta(days=1), 12 * 60, self.urgent_at_end)
        self.at(self.end - timedelta(days=1), 15 * 60, self.open_new_unit)
        day = self.start
        while day <= self.end:  # the last day: only its early-morning checks
            self.serial = 0
            self.at(day, 6 * 60, self.check_deadlines)
            self.at(day, 6 * 60 + 5, self.lapse_offers)
            if day < self.end:
                self.at(day, 9 * 60, self.morning_meeting)
                for i in range(self.arrivals(day)):
                    self.at(day, 8 * 60 + 20 * i, self.arrive)
            limit = moment(day + timedelta(days=1), 0) if day < self.end else moment(day, 7 * 60)
            while self.agenda and self.agenda[0][0] < limit:
                when, _, action, args = heapq.heappop(self.agenda)
                self.now, self.today = when, local_date(when)
                action(*args)
            day += timedelta(days=1)
        return self.steps

    def close(self) -> None:
        self.svc.close()

    # --- reading the state ------------------------------------------------------------

    def case(self, case_id: UUID) -> Case:
        return self.svc.get_case(self.m, case_id)

    def place(self, place_id: UUID) -> Place:
        return self.svc.get_place(self.m, place_id)

    def spouse(self, case: Case) -> Case | None:
        return self.case(case.spouse_case_id) if case.spouse_case_id else None

    def policy(self) -> Any:
        return self.svc.policy_on(self.m, self.today)[2]

    def listed(self) -> list[Case]:
        """The cases on the list (R12: a waiting-list decision or a grant not carried out)."""
        out = []
        for case in map(self.case, list(self.watch)):
            if case.status in ON_LIST:
                out.append(case)
            elif case.status is not CaseStatus.RECEIVED:
                del self.watch[case.id]
        return out

    def officer(self) -> str:
        return self.rng.choice(self.w.officers)

    # --- the municipality's first and last days ---------------------------------------

    def open_unit(self, unit: Unit) -> list[UUID]:
        ids = [self.do("register_place", self.m, facility_id=unit.facility_id,
                       facility_name=unit.facility_name, facility_kind=unit.kind,
                       unit=unit.name, room=f"{rooms.prefix}{i:02d}",
                       place_type=rooms.place_type, room_kind=rooms.room_kind)
               for rooms in unit.rooms for i in range(1, rooms.count + 1)]
        self.places += ids
        return ids

    def open_municipality(self) -> None:
        """Every place is taken when the trial starts: its residents (a couple in a double
        room, R10) are registered by the ordinary commands — application, § 2-2, grant, an
        offer of the place they live in, admission."""
        for unit in self.town.units:
            for place in map(self.place, self.open_unit(unit)):
                spouse_id = None
                for _ in range(place.capacity):
                    person = self.person(place.place_type, self.people.get(spouse_id))
                    spouse_id = self.apply(person, spouse_id, self.rng.randint(60, 900),
                                           Channel.PAPER)
                    self.document_now(spouse_id)
                    self.decide(spouse_id, "grant", grounds=self.w.grounds["resident"],
                                follow=False)
                    offer_id = self.offer(self.case(spouse_id), place.place_type,
                                          place_id=place.id, answer=False)
                    self.answer(spouse_id, offer_id, resident=True)

    def urgent_at_end(self) -> None:
        """The last afternoon: the first waiting persons can no longer be cared for safely
        at home (R15: at the end they head the list)."""
        waiting = sorted((c for c in self.listed()
                          if c.status is _WAITING and c.outstanding_offer is None),
                         key=Case.order_key)
        for case in waiting[:self.town.urgent_at_end]:
            self.urgent(case.id, bridge=False)

    def open_new_unit(self) -> None:
        """After the last meeting a new unit opens (vacant places of every type at the end),
        and every provider offers a place."""
        self.open_unit(self.town.new_unit)
        for place_type in (_ORD, _SCR, _ORD):
            self.provider_offer(place_type, valid_days=45)

    # --- applicants, documentation and decisions ----------------------------------------

    def arrivals(self, day: date) -> int:
        """Applications on ``day``: Poisson, at the description's rate for the day."""
        per_week = [rate for first, rate in self.town.arrivals_per_week
                    if first <= (day - self.start).days][-1]
        n, p, floor = 0, self.rng.random(), math.exp(-per_week / 7)
        while p > floor:
            n, p = n + 1, p * self.rng.random()
        return n

    def person(self, place_type: PlaceType | None = None, spouse: Applicant | None = None
               ) -> Applicant:
        """Draw an applicant; with ``place_type`` the one they need, else as the shares say."""
        rng, s, w = self.rng, self.s, self.w
        woman = not spouse.woman if spouse else rng.random() < 0.62
        age = rng.randint(55, 66) if rng.random() < s.younger else \
            min(99, int(rng.triangular(70, 100, 86)))
        if place_type is None and rng.random() < s.reinforced:
            place_type = _REI
        dementia = place_type is _SCR or rng.random() < s.dementia
        if place_type is None:
            place_type = _SCR if dementia and rng.random() < s.screened_if_dementia else _ORD
        suspected = dementia or rng.random() < s.suspicion_unconfirmed
        surname = spouse.name.split()[-1] if spouse else rng.choice(w.surnames)
        relation, information = rng.choice(w.relatives)
        gp = rng.choice(w.gp_dementia if dementia else w.gp)
        docs = CaseDocumentation(
            what_matters=rng.choice(w.what_matters), account=rng.choice(w.accounts),
            relative_name=f"{rng.choice(w.women + w.men)} {surname}", relation=relation,
            relatives_information=information, is_guardian=relation == "verge",
            iplos_scores=self.iplos(place_type), gp_summary=gp, diagnoses=(gp.split(",")[0],),
            dementia_diagnosis=dementia and rng.random() < 0.5,
            specialist_summary=rng.choice(w.specialist) if place_type is _REI else None,
            leon=w.leon[:rng.randint(1, len(w.leon))], dementia_finding=(
                DementiaFinding.CONFIRMED if dementia else DementiaFinding.NOT_CONFIRMED)
            if suspected else None, dementia_conclusion=w.dementia_conclusions[dementia],
            case_worker=self.officer(), nurse=rng.choice(w.nurses),
            doctor=rng.choice(w.doctors))
        born = self.start - timedelta(days=365 * age + rng.randint(0, 364))
        first = rng.choice(w.women if woman else w.men)
        return Applicant(f"{first} {surname}", woman, born, place_type, suspected, docs)

    def iplos(self, place_type: PlaceType) -> dict[str, int]:
        level = self.rng.randint(2, 4) + (place_type is not _ORD)
        return {v: max(1, min(5, level + self.rng.randint(-1, 1))) for v in IPLOS_VARIABLES}

    def apply(self, person: Applicant, spouse_id: UUID | None, days_ago: int,
              channel: Channel | None = None) -> UUID:
        """The application (søknad); with ``spouse_id`` linked to the spouse's case (R10)."""
        self.births[person.born] += 1
        case_id: UUID = self.do(
            "receive_application", self.m, identity_number=synthetic_identity_number(
                person.born, self.births[person.born] - 1), name=person.name,
            received_on=self.today - timedelta(days=days_ago),
            channel=channel or self.rng.choice(list(Channel)), spouse_case_id=spouse_id,
            dementia_suspected=person.suspected)
        self.cases.append(case_id)
        self.people[case_id] = person
        return case_id

    def arrive(self) -> None:
        """An application; now and then spouses applying together (R10)."""
        rng, s = self.rng, self.s
        person, days_ago, draw = self.person(), rng.randint(0, 4), rng.random()
        case_id = self.apply(person, None, days_ago)
        kind = "rejection" if draw < s.rejection else \
            "grant" if draw < s.rejection + s.grant_at_once else "waiting_list"
        if rng.random() < s.couple:
            kind = "waiting_list"
            self.investigate(self.apply(self.person(_ORD, person), case_id, days_ago), kind)
        self.investigate(case_id, kind)

    def investigate(self, case_id: UUID, kind: str) -> None:
        """The § 2-2 items (R8) over the next days, then the decision."""
        last = 0
        steps = documentation_steps(self.svc, self.m, case_id, self.people[case_id].docs)
        for i, (name, step) in enumerate(steps):
            days = {"own_account": 1, "relatives": 2}.get(name, 2 + i + self.rng.randint(0, 3))
            days += self.rng.randint(3, 10) if name == "dementia_investigation" else 0
            last = max(last, days)
            self.later(days, 10 * 60 + 7 * i, self.document, step)
        self.later(last + self.rng.randint(2, 6), 13 * 60, self.decide, case_id, kind)

    def document(self, step: partial[None]) -> None:
        self.do(step.func.__name__, *step.args, **dict(step.keywords))

    def document_now(self, case_id: UUID) -> None:
        """Every § 2-2 item at once (a resident registered when the trial starts)."""
        for _, step in documentation_steps(self.svc, self.m, case_id, self.people[case_id].docs):
            self.document(step)

    def decide(self, case_id: UUID, kind: str, *, grounds: str | None = None,
               follow: bool = True, complaints: bool = True) -> None:
        """A decision (vedtak, R4, R5, R9; R6 for a younger person, R14 the services while
        waiting), and what follows it (:meth:`after_decision`)."""
        waiting, case = kind == "waiting_list", self.case(case_id)
        young = age_on(case.person.birth_date, self.today) < YOUNGER_PERSON_AGE
        decision_id = self.do(
            "decide", self.m, case_id, kind=kind, grounds=grounds or self.w.grounds[kind],
            decided_by=f"Tildelingsenheten v/ {self.officer()}",
            place_type=None if kind == "rejection" else self.people[case_id].place_type,
            can_be_cared_for_safely_at_home=None if kind == "rejection" else waiting,
            alternatives_at_home=self.w.alternatives_at_home if young else None,
            interim_services=list(self.rng.choice(self.w.interim)) if waiting else None)
        self.watch[case_id] = None
        if follow:
            self.after_decision(case_id, decision_id, kind, complaints)

    def after_decision(self, case_id: UUID, decision_id: UUID, kind: str,
                       complaints: bool) -> None:
        """An assessment, wishes and a short-term stay meanwhile; and what befalls a person
        on the list: death, withdrawal, urgency; and perhaps a complaint."""
        rng, s = self.rng, self.s
        share = {"rejection": s.complaint_rejection, "waiting_list": s.complaint_waiting}
        if complaints and rng.random() < share.get(kind, 0):
            self.complain(case_id, decision_id)
        if kind == "rejection":
            return
        self.later(rng.randint(0, 3), 14 * 60, self.assess, case_id)
        if rng.random() < s.wishes:
            facilities = sorted({unit.facility_id for unit in self.town.units})
            rng.shuffle(facilities)
            self.later(rng.randint(1, 5), 14 * 60 + 30, self.if_listed, case_id,
                       "record_wishes", {"facility_ids": facilities[:2]})
        if rng.random() < (s.bridging_grant if kind == "grant" else s.bridging_waiting):
            self.later(0, 16 * 60, self.bridge, case_id)
        draw, days = rng.random(), rng.randint(10, 150)
        if kind != "waiting_list":
            return
        if draw < s.death_waiting:
            self.later(days, 12 * 60, self.if_listed, case_id, "close_case",
                       {"reason": ClosureReason.DIED})
        elif draw < s.death_waiting + s.withdrawal:
            self.later(days, 12 * 60, self.if_listed, case_id, "close_case",
                       {"reason": ClosureReason.WITHDRAWN})
        elif draw < s.death_waiting + s.withdrawal + s.urgent_later:
            self.later(days, 8 * 60 + 30, self.urgent, case_id)

    def if_listed(self, case_id: UUID, command: str, kwargs: dict[str, Any]) -> None:
        """A case command for a person still on the list."""
        if self.case(case_id).status in ON_LIST:
            self.do(command, self.m, case_id, **kwargs)

    # --- on the list: priority, reviews, short-term stays, urgency --------------------

    def assess(self, case_id: UUID) -> None:
        """R16, R17: the factors, and a need score near what the policy suggests."""
        case, rng, f = self.case(case_id), self.rng, PriorityFactor
        if case.status not in ON_LIST:
            return
        factors = {f.FUNCTION.value: rng.randint(1, 4), f.MEDICAL.value: rng.randint(1, 3),
                   f.HOME_SITUATION.value: rng.randint(0, 4),
                   f.NUTRITION.value: rng.randint(0, 2), f.OTHER_SERVICES.value: rng.randint(1, 3)}
        if case.has_dementia:
            factors[f.COGNITIVE_FAILURE.value] = rng.randint(3, 4)
        if rng.random() < 0.06:
            factors[f.END_OF_LIFE.value] = 4
        if case.place_type is _REI or rng.random() < 0.15:
            factors[f.OTHER_SPECIAL_NEEDS.value] = rng.randint(2, 4)
        spouse = self.spouse(case)
        if spouse is not None and spouse.status is CaseStatus.RESIDENT:
            factors[f.SPOUSE_IN_LONG_TERM_STAY.value] = 4
        suggested, _ = self.svc.suggested_need_score(self.m, factors, self.today)
        spread = min(5, self.policy().score_tolerance)
        reason = self.w.departure if rng.random() < 0.1 else None
        self.do("assess_priority", self.m, case_id, factors=factors, departure_reason=reason,
                need_score=max(0, min(100, suggested + (20 if reason else
                                                        rng.randint(-spread, spread)))),
                assessor=rng.choice(self.w.nurses))

    def review(self, case_id: UUID) -> None:
        """R27: a new assessment; now and then, and before it is outdated (R8 (2)), a new
        IPLOS registration."""
        case = self.case(case_id)
        if (case.review_due_on() or self.end) > self.today:
            return
        if case.iplos_outdated(self.today, self.policy().iplos_max_age_months - 3) or \
                self.rng.random() < 0.3:
            self.do("register_iplos", self.m, case_id, scores=self.iplos(case.place_type or _ORD),
                    assessed_by=self.rng.choice(self.w.nurses))
        self.assess(case_id)

    def bridge(self, case_id: UUID) -> None:
        """R2, R15: a short-term stay while the long-term place is awaited."""
        case = self.case(case_id)
        if case.status in ON_LIST and case.bridging_stay_on(self.today) is None:
            facility, unit = self.town.short_term
            self.do("record_bridging_stay", self.m, case_id, facility_name=facility, unit=unit,
                    from_on=self.today, recorded_by=self.officer())

    def urgent(self, case_id: UUID, bridge: bool = True) -> None:
        """R15: no longer safe at home: a grant, first on the list."""
        if self.case(case_id).status is _WAITING:
            self.do("mark_urgent", self.m, case_id, reason=self.rng.choice(self.w.urgency),
                    assessed_by=self.rng.choice(self.w.doctors))
            if bridge and self.rng.random() < self.s.bridging_grant:
                self.bridge(case_id)

    # --- the guarantee (§ 3-4) and the answer deadline (R26) ----------------------------

    def check_deadlines(self) -> None:
        due = [case.id for case in self.listed() if case.breach_due(self.today)]
        if due:
            for case_id in self.do("check_deadlines", self.m, case_ids=due, with_id=False):
                self.later(self.rng.randint(2, 5), 10 * 60 + 30, self.choose, case_id)

    def choose(self, case_id: UUID) -> None:
        """R19: a place bought from another provider, or waiting on (spouses wait)."""
        case = self.case(case_id)
        if case.status is _WAITING and case.breach_choice is None and \
                case.guarantee.state(self.today).status is GuaranteeStatus.BREACHED:
            wait = case.spouse_case_id or self.rng.random() >= self.s.purchase_after_breach
            self.do("record_breach_choice", self.m, case_id, recorded_by=self.officer(),
                    choice=BreachChoice.WAIT if wait else BreachChoice.PURCHASE)

    def lapse_offers(self) -> None:
        due = [case.id for case in self.listed() if case.lapsed_offers(self.today)]
        if due:
            self.do("lapse_offers", self.m, case_ids=due, with_id=False)

    # --- the morning meeting: own places, purchases, reviews ----------------------------

    def morning_meeting(self) -> None:
        listed = self.listed()
        for case in listed:
            if (case.review_due_on() or self.end) <= self.today:
                self.later(0, 14 * 60 + 10, self.review, case.id)
        horizon = self.today + timedelta(days=self.policy().offer_available_within_days)
        free = [p for p in map(self.place, self.places)
                if (p.free_from(self.today) or date.max) <= horizon]
        free.sort(key=lambda p: (p.room_kind is RoomKind.DOUBLE, p.free_from(self.today),
                                 p.facility_id, p.unit, p.room))
        order = [c.id for c in sorted(listed, key=Case.order_key)
                 if not c.dementia_uninvestigated]
        for place_id in (p.id for p in free):
            while (self.place(place_id).free_from(self.today) or date.max) <= horizon and \
                    self.offer_place(self.place(place_id), order, horizon):
                pass
        for case in self.listed():
            if case.outstanding_offer is None and self.needs_purchase(case):
                self.buy(case)

    def offer_place(self, place: Place, order: list[UUID], horizon: date) -> bool:
        """The place to the first person in the order whom it suits; spouses on the list
        together are offered places together, at one facility (R10)."""
        for case in map(self.case, order):
            if case.outstanding_offer is not None or not self.suits(case, place):
                continue
            spouse = self.spouse(case)
            if spouse is not None and spouse.status in ON_LIST and \
                    spouse.outstanding_offer is None:
                day = place.free_from(self.today) or self.today
                beside = [place] if place.free_beds_on(day) > 1 else []
                beside += [p for p in map(self.place, self.places) if p.id != place.id
                           and p.facility_id == place.facility_id
                           and (p.free_from(self.today) or date.max) <= horizon]
                other = next((p for p in beside if self.suits(spouse, p)), None)
                if other is None:
                    continue
                self.offer(case, place.place_type, place_id=place.id)
                self.offer(spouse, other.place_type, place_id=other.id)
                return True
            self.offer(case, place.place_type, place_id=place.id)
            return True
        return False

    def suits(self, case: Case, place: Place) -> bool:
        """The decided type (R7, R18: a person with dementia may get a screened place), or
        for a screened decision an ordinary place with a reason when a grant or the deadline
        presses; reinforced only to reinforced; at the spouse's facility (R10); not where the
        person said no in the last month."""
        if any(o.facility_id == place.facility_id and o.answered_on is not None
               and o.status in (OfferStatus.DECLINED, OfferStatus.LAPSED)
               and (self.today - o.answered_on).days < 30 for o in case.offers.values()):
            return False
        spouse = self.spouse(case)
        held = spouse.facility_held if spouse is not None and spouse.in_long_term_stay else None
        if held not in (None, place.facility_id):
            return False
        offered, decided = place.place_type, case.place_type
        if _REI in (offered, decided):
            return offered is decided
        if offered in fitting_place_types(decided, case.has_dementia):
            return True
        days_left = case.guarantee.state(self.today).days_left
        return decided is _SCR and (case.status is _GRANTED or (days_left or 99) <= 14)

    def type_reason(self, case: Case, offered: PlaceType) -> str | None:
        """R7: why a person with dementia (or a screened decision) gets another place."""
        if offered is _SCR or not (case.has_dementia or case.place_type is _SCR):
            return None
        spouse = self.spouse(case)
        return self.w.type_reasons[
            "spouse" if spouse is not None and spouse.in_long_term_stay else
            "reinforced" if offered is _REI else
            "deadline" if case.place_type is _SCR else "ordinary"]

    def needs_purchase(self, case: Case) -> bool:
        """R4, R15: a grant not carried out in time (after three weeks more in a short-term
        stay); R19: a person who chose a bought place after a breach. Not while the spouse
        lives at (or is offered) a facility (R10)."""
        spouse = self.spouse(case)
        if spouse is not None and spouse.facility_held is not None:
            return False
        if case.status is _GRANTED:
            overdue = case.grant_overdue(self.today)
            return overdue is not None and (overdue > 21 or
                                            case.bridging_stay_on(self.today) is None)
        return case.breach_choice is BreachChoice.PURCHASE and \
            case.guarantee.state(self.today).status is GuaranteeStatus.BREACHED

    def buy(self, case: Case) -> None:
        """An available place of the decided type from another provider, or one asked for."""
        assert case.place_type is not None
        offers = (self.svc.get_provider_offer(self.m, i) for i in self.provider_offers)
        found = next((po.id for po in offers if po.place_type is case.place_type
                      and po.is_available_on(self.today)), None)
        self.offer(case, case.place_type,
                   provider_offer_id=found or self.provider_offer(case.place_type, 30))

    def offer(self, case: Case, offered: PlaceType, *, answer: bool = True,
              **target: UUID) -> UUID:
        """Make the offer; the person will answer it — or not, and it lapses (R26)."""
        offer_id: UUID = self.do("make_offer", self.m, case.id, made_by=self.officer(),
                                 type_reason=self.type_reason(case, offered), **target)
        case, s, draw = self.case(case.id), self.s, self.rng.random()
        keen = case.status is _GRANTED or case.spouse_case_id is not None
        if not answer or (not keen and draw < s.no_answer):
            return offer_id
        wished = not case.wishes or case.offers[offer_id].facility_id in case.wishes
        declines = not keen and draw < s.no_answer + (s.decline if wished else
                                                       s.decline_unwished)
        self.later(self.rng.randint(1, self.policy().offer_answer_days), 11 * 60, self.answer,
                   case.id, offer_id, False, declines)
        return offer_id

    def answer(self, case_id: UUID, offer_id: UUID, resident: bool = False,
               declines: bool = False) -> None:
        """Accept and move in — on the day it is free, or a few days later (R24) — or say
        no. An offer withdrawn meanwhile (R9) needs no answer."""
        offer = self.case(case_id).offers[offer_id]
        if offer.status is not OfferStatus.MADE:
            return
        if declines:
            self.do("decline_offer", self.m, case_id, offer_id,
                    reason=self.rng.choice(self.w.declines))
            return
        self.do("accept_offer", self.m, case_id, offer_id)
        day = max(offer.available_on or self.today, self.today)
        if not resident and self.rng.random() < self.s.planned_admission:
            day += timedelta(days=self.rng.randint(1, 5))
        self.do("admit", self.m, case_id, offer_id, admitted_on=day)
        early, mean = self.town.early_stay_days, self.town.mean_stay_days
        if resident:  # living there at the start: the rest of a stay already under way
            stay = max(7, int(self.rng.expovariate(1 / self.town.mean_remaining_stay_days)))
        elif self.rng.random() < self.s.early_end:
            stay = self.rng.randint(*early)
        else:
            stay = early[1] + int(self.rng.expovariate(1 / (mean - early[1])))
        if day + timedelta(days=stay) < self.end:
            self.at(day + timedelta(days=stay), 7 * 60 + 30, self.end_stay, case_id)

    def end_stay(self, case_id: UUID) -> None:
        """A death, recorded the same day; or a move, recorded a few days ahead (R24)."""
        if self.case(case_id).status is not CaseStatus.RESIDENT:
            return
        moves = self.rng.random() < self.s.moved
        self.do("end_stay", self.m, case_id,
                reason=StayEndReason.MOVED if moves else StayEndReason.DIED,
                ended_on=self.today + timedelta(days=self.rng.randint(2, 7) if moves else 0))

    # --- other providers ----------------------------------------------------------------

    def provider_offer(self, place_type: PlaceType, valid_days: int) -> UUID:
        """Another provider offers a place at its price (R5, R19), for ``valid_days``."""
        provider = self.rng.choice(self.town.providers)
        po_id: UUID = self.do(
            "register_provider_offer", self.m, provider=provider.name,
            reference=f"{self.today.year}-{len(self.provider_offers) + 1:03d}",
            facility_name=provider.facility_name, facility_kind=provider.kind,
            place_type=place_type, available_from=self.today,
            price_per_day=provider.price_per_day + self.town.price_supplement[place_type]
            + 10 * self.rng.randint(-10, 10), valid_until=self.today + timedelta(valid_days))
        self.provider_offers.append(po_id)
        return po_id

    # --- complaints (R21) ----------------------------------------------------------------

    def complain(self, case_id: UUID, decision_id: UUID) -> None:
        """A complaint, and how it goes: the description's next path — "upheld" by the unit
        (fvl. § 33), or forwarded to Statsforvalteren, who "confirmed" or "changed" it, or
        quashed it when it came "late"."""
        paths, rng = self.town.complaint_paths, self.rng
        path = paths[self.complaints_planned % len(paths)]
        self.complaints_planned += 1
        self.later(rng.randint(33, 45) if path == "late" else rng.randint(5, 20), 15 * 60,
                   self.register_complaint, case_id, decision_id, path)

    def register_complaint(self, case_id: UUID, decision_id: UUID, path: str) -> None:
        w, rng, m = self.w, self.rng, self.m
        kind = next(d.kind for d in self.case(case_id).decisions if d.decision_id == decision_id)
        late = f". {w.complaint['late']}" if path == "late" else ""
        complaint_id = self.do("register_complaint", m, case_id, received_on=self.today,
                               against=ComplaintSubject.DECISION, subject_id=decision_id,
                               grounds=w.complaint[kind] + late, registered_by=self.officer())
        self.complaints.append(complaint_id)
        day, upheld = self.today + timedelta(days=rng.randint(7, 14)), path == "upheld"
        self.at(day, 15 * 60, partial(
            self.do, "record_reconsideration", m, complaint_id, upheld=upheld,
            reasoning=w.complaint["upheld" if upheld else "not_upheld"],
            decided_by=w.head_of_unit, decided_on=day))
        if not upheld:
            day += timedelta(days=rng.randint(1, 3))
            self.at(day, 15 * 60, partial(self.do, "forward_complaint", m, complaint_id,
                                          forwarded_on=day, forwarded_by=self.officer()))
            day += timedelta(days=rng.randint(30, 70))
            outcome = _OUTCOME[path]
            self.at(day, 15 * 60, partial(self.do, "record_complaint_outcome", m, complaint_id,
                                          outcome=outcome, decided_on=day,
                                          summary=w.complaint[outcome.value]))
        if path != "confirmed":
            self.at(day, 15 * 60 + 30, self.redecide, case_id)

    def redecide(self, case_id: UUID) -> None:
        """A decision upheld, changed or quashed on complaint is made anew: a waiting-list
        decision after a rejection, a grant after a waiting-list decision."""
        case = self.case(case_id)
        kind = {CaseStatus.REJECTED: "waiting_list", _WAITING: "grant"}.get(case.status)
        if kind is not None:  # placed or gone meanwhile: nothing left to change
            self.decide(case_id, kind, grounds=self.w.grounds[f"{kind}_after_complaint"],
                        complaints=False)

    # --- what the history holds at its end -----------------------------------------------

    def figures(self) -> dict[str, Any]:
        """The summary's figures, read from the state at the end."""
        day, m = self.end, self.m
        cases = [self.case(i) for i in self.cases]
        places = [self.place(i) for i in self.places]
        bought = [self.svc.get_provider_offer(m, i) for i in self.provider_offers]
        offers = Counter(o.status for c in cases for o in c.offers.values())
        listed = {c.id: c for c in cases if c.status in ON_LIST}
        vacant = Counter({t.value: 0 for t in PlaceType})
        vacant.update(p.place_type.value for p in places if p.free_beds_on(day) > 0)
        choices = Counter({c.value: 0 for c in BreachChoice})
        choices.update(c.breach_choice.value for c in cases if c.breach_choice)
        return dict(
            facilities=len({p.facility_id for p in places}), places=len(places),
            beds=sum(p.capacity for p in places), cases=len(cases),
            decisions=dict(Counter(d.kind for c in cases for d in c.decisions)),
            offers=offers.total(), offers_declined=offers[OfferStatus.DECLINED],
            offers_lapsed=offers[OfferStatus.LAPSED],
            admissions=sum(o.admitted_on is not None for c in cases for o in c.offers.values()),
            purchases=sum(po.purchased_for is not None for po in bought),
            stays_ended=sum(c.stay_ended is not None for c in cases),
            closed_while_waiting=sum(c.closure not in (None, ClosureReason.PLACED)
                                     for c in cases),
            waiting_now=len(listed), urgent_now=sum(c.urgent for c in listed.values()),
            spouse_pairs_waiting=sum(c.spouse_case_id in listed for c in listed.values()) // 2,
            breaches=sum(len(c.guarantee.breaches) for c in cases),
            breach_choices=dict(choices), vacant_now=dict(vacant),
            bridging_stays=sum(len(c.bridging) for c in cases), provider_offers=len(bought),
            provider_offers_available_now=sum(po.is_available_on(day) for po in bought),
            complaints=len(self.complaints),
            policy_versions=self.svc.policy(m).current_version)
