"""The demo municipality's history (about two years), played by the simulator on the real
service: the demo is the simulator's work, so it is coherent — the officer's allocation runs
(the optimizer's proposals, approved) fill a bed within days while people wait — and every
simulated day ends with the simulator's invariants checked (:mod:`.invariants`): a broken
one stops the seed with its message.

:class:`DemoSimulation` is a :class:`~simulator.world.Simulation` of the municipality that
:data:`application.demo.municipality.DEMO` describes (its facilities, units and rooms, the
providers it buys from and their prices, its policy versions, its arrivals), in its words:
Norwegian names, the § 2-2 documentation (egen beskrivelse, pårørende, IPLOS, fastlege,
LEON, demensutredning) as a case worker writes it, decision letters sent, officers and
nurses by name. At its end a new unit opens (vacant places of every type) and a few on the
list can no longer be cared for safely at home (R15), so the allocation pages have
something to propose.

It records every command it gives as a :class:`~application.seed.Step` with a command id
``demo/{seed}/{municipality}/sim/{day}/{serial}`` (:meth:`~simulator.stage.Stage.give`): every
id the story uses later (cases, places, runs, offers, complaints) is derived from a command
id or a natural key, so :func:`application.seed.seed_demo` replays the steps on its store
and gets the same ids, events and versions. :func:`plan_demo` is the seed's entry point.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import TYPE_CHECKING, Any
from uuid import UUID

import optimizer as opt
from application.demo.municipality import DEMO, Municipality, PolicyVersion, Unit
from application.seed import (
    CaseDocumentation,
    Plan,
    Step,
    anchored_start,
    document_case,
    record_prefix,
)
from domain.base import OSLO, check_municipality
from domain.case import ON_LIST, YOUNGER_PERSON_AGE, Case, CaseStatus
from domain.errors import InvalidValue
from domain.identity import age_on, synthetic_identity_number
from domain.values import (
    IPLOS_VARIABLES,
    BreachChoice,
    Channel,
    ClosureReason,
    DeliveryChannel,
    DementiaFinding,
    OfferStatus,
    PlaceType,
)
from simulator import draws
from simulator.draws import Need
from simulator.profile import Profile
from simulator.scenario import Scenario
from simulator.stage import Process
from simulator.world import Simulation

if TYPE_CHECKING:
    from application.service import AllocationService

_ORD, _SCR, _REI = PlaceType.ORDINARY, PlaceType.SCREENED, PlaceType.REINFORCED

#: The demo's people, as the simulator draws them (the rest is the calibrated default).
DEMO_PROFILE = Profile(
    grant_share=0.15, rejection_share=0.10, reinforced_need_share=0.05, couple_share=0.08,
    short_term_share=0.5, urgent_later_share=0.12, decline_share=0.12, no_answer_share=0.08,
    purchase_after_breach_share=0.6, moved_out_share=0.12, complaint_share=0.45,
    complaint_upheld_share=0.3, complaint_changed_share=0.4, priority_complaint_share=0.05,
    state_administrator_days=50)


@dataclass(frozen=True)
class Person:
    """An applicant as drawn: who they are and what the investigation will find."""

    name: str
    woman: bool
    born: date
    suspected: bool  # dementia suspected when applying (R8 (5))
    docs: CaseDocumentation


class DemoSimulation(Simulation):
    """``DemoSimulation(town, start, person_key).play()`` → the history's steps."""

    def __init__(self, town: Municipality, start: date, person_key: bytes) -> None:
        scenario = Scenario(name="Demo", method="optimizer", run_every_days=1,
                            profile=DEMO_PROFILE)
        super().__init__(scenario, town.seed, town.history_days / 365.25,
                         municipality=town.number, start=start, person_key=person_key,
                         record=record_prefix(town))
        self.days = town.history_days
        self.town, self.w = town, town.words
        self.words = random.Random(f"{town.seed}/words")  # the words' own draws
        self.short_term = town.short_term
        self.people: dict[UUID, Person] = {}
        self.born: Counter[date] = Counter()
        self.provider_offers: list[UUID] = []
        self.opening = False
        self.rejection_complaints = 0
        self.complaint_paths: dict[UUID, int] = {}

    # --- the play -----------------------------------------------------------------------

    def play(self) -> list[Step]:
        """The whole history: from the first day to the early-morning checks of the last."""
        assert self.steps is not None
        self.open_municipality()
        self.env.process(self.arrivals())
        self.env.process(self.mornings())
        self.env.process(self.offers_from_providers())
        self.env.process(self.last_days())
        self.env.run(until=self.days + 6.5 / 24)
        return self.steps

    def last_days(self) -> Process:
        """Three weeks before the end a couple applies. The last afternoon: a few on the
        list can no longer be cared for safely at home
        (R15: at the end they head the list); after the last meeting a new unit opens
        (vacant places of every type) and the providers offer places. The last day: only
        its early-morning checks, the invariants checked after them."""
        yield self.until(self.days - 21, 10)
        # spouses applying together in the last weeks: a couple on the list at the end (R10)
        self.env.process(self.applicant(Need("waiting_list", _ORD, False, True, 45)))
        yield self.until(self.days - 1, 12)
        waiting = sorted((c for c in self.on_list()
                          if c.status is CaseStatus.WAITING and c.outstanding_offer is None),
                         key=Case.order_key)
        for case in waiting[:self.town.urgent_at_end]:
            reason, doctor = self.urgency()
            self.do("mark_urgent", self.m, case.id, reason=reason, assessed_by=doctor,
                    case=case.id)
        yield self.until(self.days - 1, 15)
        self.open_unit(self.town.new_unit)
        for place_type in (_ORD, _SCR, _ORD):
            self.provider_offer(place_type, valid_days=45)
        yield self.until(self.days, 6)
        self.deadlines()
        self.end_of_day()

    # --- the first day, the policy, the places ------------------------------------------

    def open_municipality(self) -> None:
        """The policy's first version (it anchors the timeline), the places, and every bed
        taken — a couple in each double room (R10) — by the ordinary commands."""
        first, *later = self.town.policies
        self.set_policy(first)
        for version in later:
            self.env.process(self.policy_later(version))
        self.opening = True
        for unit in self.town.units:
            for place_id in self.open_unit(unit):
                place = self.place(place_id)
                spouse_id = None
                for _ in range(place.capacity):
                    spouse_id = self.resident_couple(place_id, place.place_type, spouse_id)
        self.opening = False
        self.read.catch_up()
        self.day_log.read(self.today, self.svc.recorder, self.svc.mapper)

    def set_policy(self, version: PolicyVersion) -> None:
        self.do("set_policy", self.m, effective_from=self.today, issued_by=version.issued_by,
                reason=version.reason, **version.changes)

    def policy_later(self, version: PolicyVersion) -> Process:
        yield self.until(version.day, 7)
        self.set_policy(version)

    def open_unit(self, unit: Unit) -> list[UUID]:
        ids = [self.do("register_place", self.m, facility_id=unit.facility_id,
                       facility_name=unit.facility_name, facility_kind=unit.kind,
                       unit=unit.name, room=f"{rooms.prefix}{i:02d}",
                       place_type=rooms.place_type, room_kind=rooms.room_kind)
               for rooms in unit.rooms for i in range(1, rooms.count + 1)]
        self.places += ids
        return ids

    def resident_couple(self, place_id: UUID, place_type: PlaceType,
                        spouse_id: UUID | None) -> UUID:
        """A resident when the trial starts (a spouse's in a double room): application,
        § 2-2, grant, an offer of the place they live in, admission."""
        need = Need("grant", place_type, place_type is _SCR, spouse_id is not None, 50)
        case_id = self.apply(need, spouse_id)
        self.initial.add(case_id)
        self.document(case_id, need)
        self.decide(case_id, need)
        offer = self.do("make_offer", self.m, case_id, made_by=self.officer_name,
                        place_id=place_id)
        self.do("accept_offer", self.m, case_id, offer)
        self.do("admit", self.m, case_id, offer, admitted_on=self.today)
        self.listed.pop(case_id, None)
        self.residents.add(case_id)
        self.env.process(self.stay(case_id, draws.remaining_stay_days(self.rng, self.profile)))
        return case_id

    # --- the people, in their words ------------------------------------------------------

    def arrivals(self) -> Process:
        """Applications (Poisson) at the description's weekly rate for the day: a busy
        start, a calm middle, a surge in the last winter (a few dozen waiting at the end)."""
        while True:
            day = int(self.env.now)
            per_week = [rate for first, rate in self.town.arrivals_per_week if first <= day][-1]
            yield self.env.timeout(draws.days_until(self.rng, per_week * 365.25 / 7))
            self.env.process(self.applicant(draws.need(self.rng, self.profile)))

    def apply(self, need: Need, spouse_id: UUID | None = None) -> UUID:
        """The application (søknad) of a person drawn in the municipality's words; with
        ``spouse_id`` linked to the spouse's case (R10)."""
        person = self.person(need, self.people.get(spouse_id) if spouse_id else None)
        self.born[person.born] += 1
        rng = self.words
        days_ago = rng.randint(60, 900) if self.opening else rng.randint(0, 4)
        case_id: UUID = self.do(
            "receive_application", self.m, identity_number=synthetic_identity_number(
                person.born, self.born[person.born] - 1), name=person.name,
            received_on=self.today - timedelta(days=days_ago),
            channel=Channel.PAPER if self.opening else rng.choice(list(Channel)),
            spouse_case_id=spouse_id, dementia_suspected=person.suspected)
        self.cases.append(case_id)
        self.people[case_id] = person
        return case_id

    def person(self, need: Need, spouse: Person | None) -> Person:
        rng, s, w = self.words, self.town.shares, self.w
        woman = not spouse.woman if spouse else rng.random() < 0.62
        age = rng.randint(55, 66) if rng.random() < s.younger and not self.opening else \
            min(99, int(rng.triangular(70, 100, 86)))
        dementia = need.dementia
        suspected = dementia or rng.random() < s.suspicion_unconfirmed
        surname = spouse.name.split()[-1] if spouse else rng.choice(w.surnames)
        relation, information = rng.choice(w.relatives)
        gp = rng.choice(w.gp_dementia if dementia else w.gp)
        level = rng.randint(2, 4) + (need.place_type is not _ORD)
        docs = CaseDocumentation(
            what_matters=rng.choice(w.what_matters), account=rng.choice(w.accounts),
            relative_name=f"{rng.choice(w.women + w.men)} {surname}", relation=relation,
            relatives_information=information, is_guardian=relation == "verge",
            iplos_scores={v: max(1, min(5, level + rng.randint(-1, 1)))
                          for v in IPLOS_VARIABLES},
            gp_summary=gp, diagnoses=(gp.split(",")[0],), dementia_diagnosis=dementia,
            specialist_summary=rng.choice(w.specialist) if need.place_type is _REI else None,
            leon=w.leon[:rng.randint(1, len(w.leon))],
            dementia_finding=(DementiaFinding.CONFIRMED if dementia
                              else DementiaFinding.NOT_CONFIRMED) if suspected else None,
            dementia_conclusion=w.dementia_conclusions[dementia],
            case_worker=rng.choice(w.officers), nurse=rng.choice(w.nurses),
            doctor=rng.choice(w.doctors))
        born = self.today - timedelta(days=365 * age + rng.randint(0, 364))
        first = rng.choice(w.women if woman else w.men)
        return Person(f"{first} {surname}", woman, born, suspected, docs)

    def document(self, case_id: UUID, need: Need) -> None:
        """The § 2-2 items (R8) as the case worker, the nurse and the doctor wrote them."""
        document_case(self.commands, self.m, case_id, self.people[case_id].docs)

    def decision_words(self, case_id: UUID, kind: str) -> dict[str, Any]:
        young = age_on(self.people[case_id].born, self.today) < YOUNGER_PERSON_AGE
        return {"grounds": self.w.grounds["resident" if self.opening else kind],
                "interim_services": list(self.words.choice(self.w.interim))
                if kind == "waiting_list" else None,
                "alternatives_at_home": self.w.alternatives_at_home if young else None}

    def decision_made(self, case_id: UUID, decision_id: UUID) -> None:
        """R14: the letter goes to the digital mailbox the same day (received that day:
        the complaint deadline runs from then)."""
        self.do("record_decision_sent", self.m, case_id, decision_id, sent_on=self.today,
                channel=DeliveryChannel.DIGITAL_MAILBOX, recorded_by="Tildelingsenheten",
                case=case_id)

    def assessor(self) -> str:
        return self.words.choice(self.w.nurses)

    def urgency(self) -> tuple[str, str]:
        return self.words.choice(self.w.urgency), self.words.choice(self.w.doctors)

    def decline_reason(self) -> str:
        return self.words.choice(self.w.declines)

    def admission_delay(self) -> int:
        return self.words.randint(1, 5) \
            if self.words.random() < self.town.shares.planned_admission else 0

    def notice_days(self, moved: bool) -> int:
        return self.words.randint(3, 10) if moved else 0

    def late_reason(self) -> str | None:
        """Every third complaint on a rejection comes late (the letter went astray) and is
        taken up all the same (fvl. § 31)."""
        self.rejection_complaints += 1
        return self.w.complaint["late_taken_up"] if self.rejection_complaints % 3 == 2 \
            else None

    def upheld(self, complaint_id: UUID, rng: random.Random) -> bool:
        """The complaints take the description's paths in turn (upheld by the unit, or
        forwarded to the State Administrator, who changes the decision or confirms it)."""
        return self.path(complaint_id) == "upheld"

    def changed(self, complaint_id: UUID, rng: random.Random) -> bool:
        return self.path(complaint_id) == "changed"

    def path(self, complaint_id: UUID) -> str:
        paths = self.town.complaint_paths
        index = self.complaint_paths.setdefault(complaint_id, len(self.complaint_paths))
        return paths[index % len(paths)]

    def deadlines(self) -> None:
        """The morning's checks; the officer on duty that day, by name."""
        self.officer_name = f"Tildelingsenheten v/ {self.words.choice(self.w.officers)}"
        super().deadlines()

    # --- the officer: runs when something is free; places bought ------------------------

    def worth_a_run(self) -> bool:
        """The officer starts a run when it would propose an offer or a move (R17, R28):
        an own place free within the policy's days that the optimizer gives someone
        (grants not carried out and breaches get bought places, :meth:`buy`). The check
        is the optimizer itself on the problem the run would read: the run solves it again
        and records it (same problem in, same plan out)."""
        problem = self.svc.build_problem(self.m, self.today)
        if not problem.vacancies or not (problem.persons or problem.movers):
            return False
        plan = opt.solve(problem)
        return bool(plan.assignments or plan.moves)

    def offers_from_providers(self) -> Process:
        """Now and then another provider offers a place, at its price for the type."""
        every = self.town.provider_offer_every_days
        for day in range(20, self.days - 30, every):
            yield self.until(day, 15)
            self.provider_offer(self.words.choice((_ORD, _ORD, _SCR, _REI)),
                                self.town.provider_offer_valid_days)

    def provider_offer(self, place_type: PlaceType, valid_days: int) -> UUID:
        provider = self.words.choice(self.town.providers)
        po: UUID = self.do(
            "register_provider_offer", self.m, provider=provider.name,
            reference=f"{provider.name.split()[0][:4].upper()}-{self.today:%Y%m%d}-"
                      f"{len(self.provider_offers) + 1}",
            facility_name=provider.facility_name, facility_kind=provider.kind,
            place_type=place_type, available_from=self.today,
            price_per_day=provider.price_per_day + self.town.price_supplement[place_type],
            valid_until=self.today + timedelta(days=valid_days))
        self.provider_offers.append(po)
        return po

    def buy(self, case_id: UUID, place_type: PlaceType, type_reason: str | None) -> None:
        """A place bought from one of the municipality's providers, offered at once."""
        self.offer_bought(case_id, self.provider_offer(place_type, 30), type_reason)

    # --- what the history holds at its end -----------------------------------------------

    def figures(self) -> dict[str, Any]:
        """The seed summary's figures, read from the state at the end."""
        day, m = self.today, self.m
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
            complaints=len(self.svc.complaint_ids()),
            policy_versions=self.svc.policy(m).current_version)


def _last_day(until: datetime) -> date:
    """The history's last day: the day of ``until``, whose checks run before 07:00."""
    local = until.astimezone(OSLO)
    return local.date() - timedelta(days=local.time() < clock_time(7))


def plan_demo(service: AllocationService, *, municipality: str = "4601",
              until: datetime | None = None) -> tuple[list[Step], Plan]:
    """Play the demo municipality in the simulator (on its own store) and return its steps,
    in time order, with the plan's figures and the invariant checks made. Reads
    ``service`` only for an earlier run's first day and its person register's key (R25)."""
    check_municipality(municipality)
    if until is None:
        until = datetime.now(UTC)
    elif until.tzinfo is None:
        raise InvalidValue("until", "a moment must carry its time zone")
    town = DEMO if municipality == DEMO.number else replace(DEMO, number=municipality)
    start = anchored_start(service, town) or \
        _last_day(until) - timedelta(days=town.history_days)
    sim = DemoSimulation(town, start, service.person_key)
    try:
        steps = sim.play()
        figures = sim.figures()
        checks = sim.tally.invariant_checks
    finally:
        sim.close()
    return steps, Plan(town, start, until, figures, invariant_checks=checks)


__all__ = ["DEMO_PROFILE", "DemoSimulation", "plan_demo"]
