"""One simulation: a municipality played day by day in virtual time through the real
service (see :mod:`simulator`), checked at every day's end, measured at its end.

A day: 06:00 the deadline check (R18) and lapsed offers (R26); 09:00 the allocation on the
unit's schedule and the purchases; 23:00 the invariants and the day's tallies. Everything
else — applications, decisions, reviews, answers, admissions, stays ending — happens when
its own draw says, as SimPy processes.
"""

from __future__ import annotations

import gc
import time as wallclock
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

from domain.case import Case
from domain.values import (
    ClosureReason,
    DeclinedOfferEffect,
    FacilityKind,
    OfferKind,
    PlaceType,
    RoomKind,
)
from simulator import draws, invariants
from simulator.measures import CaseRecord, measures
from simulator.officer import Officer
from simulator.scenario import Scenario
from simulator.theory import mm_c_stationary

_ORDER = (PlaceType.ORDINARY, PlaceType.SCREENED, PlaceType.REINFORCED)


class Simulation(Officer):
    """``Simulation(scenario, seed, years).run()`` → the run's measures (a dict)."""

    def __init__(self, scenario: Scenario, seed: int, years: float, **kwargs: Any) -> None:
        super().__init__(scenario, seed, years, **kwargs)
        self.initial: set[UUID] = set()
        self.day_log = invariants.DayLog()
        self.residences = invariants.Residences()

    # --- the first day ----------------------------------------------------------------

    def open_municipality(self) -> None:
        """The policy, the places (spread over the facilities), and a resident in every
        bed — registered by the ordinary commands, each with the rest of a stay under way."""
        changes = dict(self.scenario.policy)
        if "declined_offer_effect" in changes:
            changes["declined_offer_effect"] = DeclinedOfferEffect(
                changes["declined_offer_effect"])
        if changes:
            self.do("set_policy", self.m, issued_by="Kommunedirektøren",
                    reason="Scenarioets regler", effective_from=self.start, **changes)
        p = self.profile
        for place_type in _ORDER:
            count = self.scenario.places_by_type()[place_type]
            doubles = round(count * p.double_room_share / 2)
            for i in range(count - doubles):
                facility = f"sim-{i % p.facilities + 1}"
                kind = RoomKind.DOUBLE if i < doubles else RoomKind.SINGLE
                self.places.append(self.do(
                    "register_place", self.m, facility_id=facility,
                    facility_name=f"Sykehjem {i % p.facilities + 1}",
                    facility_kind=FacilityKind.NURSING_HOME, unit=place_type.value[:3],
                    room=f"{place_type.value[:1]}{i:03d}", place_type=place_type,
                    room_kind=kind))
        beds = [(place_id, self.place(place_id).place_type) for place_id in self.places
                for _ in range(self.place(place_id).capacity)]
        taken = round(len(beds) * p.initial_occupancy)
        queue = 0
        if p.steady_start and p.plain_queue and p.exponential_stay_days:
            load = p.applications_per_year * p.mean_stay_days / 365.25
            n = self.rng.choices(range(len(probs := mm_c_stationary(len(beds), load))),
                                 probs)[0]
            taken, queue = min(n, len(beds)), max(0, n - len(beds))
        for place_id, place_type in beds[:taken]:
            self.resident(place_id, place_type)
        for _ in range(queue):  # decided on day 0: left out by a warm-up of a day
            self.env.process(self.applicant(draws.need(self.rng, p)))
        self.read.catch_up()  # the opening's events in the read models now, not at 06:00
        self.day_log.read(self.today, self.svc.recorder, self.svc.mapper)  # and in the day log

    def resident(self, place_id: UUID, place_type: PlaceType) -> None:
        need = draws.Need("grant", place_type, place_type is PlaceType.SCREENED, False, 50)
        case_id = self.apply(need)
        self.initial.add(case_id)
        self.document(case_id, need)
        self.decide(case_id, need)
        offer = self.do("make_offer", self.m, case_id, made_by=self.officer_name, place_id=place_id)
        self.do("accept_offer", self.m, case_id, offer)
        self.do("admit", self.m, case_id, offer, admitted_on=self.today)
        self.listed.pop(case_id, None)
        self.residents.add(case_id)
        self.env.process(self.stay(case_id, draws.remaining_stay_days(self.rng, self.profile)))

    # --- the run ------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        started = wallclock.perf_counter()
        try:
            self.open_municipality()
            # the opening's objects (places, residents, their rows) live through the run:
            # left out of the collector's full passes till the end
            gc.freeze()
            self.env.process(self.arrivals())
            self.env.process(self.mornings())
            self.env.run(until=self.days)
            result = self.result()
        finally:
            gc.unfreeze()
            self.close()
        result["wall_seconds"] = round(wallclock.perf_counter() - started, 2)
        return result

    def end_of_day(self) -> None:
        """The day's invariants and tallies: the places and cases with events today (every
        one on every ``full_check_every_days``-th day, the first and the last)."""
        day = self.today
        n = self.day_number
        changed = self.day_log.read(day, self.svc.recorder, self.svc.mapper)
        every = self.full_check_every_days
        if n == 0 or n == self.days - 1 or not every or n % every == 0 or \
                len(self.residences.order) != len(self.places):  # a place added
            self.residences.check_all(day, [self.place(i) for i in self.places], self.case)
            self.tally.full_checks += 1
        else:
            self.residences.check_changed(day, changed, self.place, self.case)
        listed = self.on_list()
        invariants.breaches_recorded(day, listed)
        if self.replay_every_days and (n % self.replay_every_days == 0
                                       or n == self.days - 1):
            self.check_replay()
        self.tally.invariant_checks += 1
        self.tally.waiting_by_day.append(len(listed))
        for kind, (used, total) in self.residences.occupancy().items():
            self.tally.occupancy_by_day.setdefault(kind, []).append(used / total)
        if self.progress is not None:
            self.progress((n + 1) / self.days)

    def check_replay(self) -> None:
        from_rows = self.svc.allocation_facts(self.m)
        self.svc.use_waiting_cases(None)
        try:
            from_log = self.svc.allocation_facts(self.m)
        finally:
            self.svc.use_waiting_cases(self.read)
        invariants.read_models_equal_replay(self.today, from_rows, from_log)
        self.tally.replay_checks += 1

    # --- the measures -------------------------------------------------------------------

    def result(self) -> dict[str, Any]:
        end = self.today
        first = self.start + timedelta(days=self.profile.warmup_days)
        records = {str(c): self.record(case) for c in self.cases if c not in self.initial
                   and (case := self.case(c)).received_on >= first}
        out = measures(records, end, self.tally)
        waits = [w for at, w in self.tally.waits if at >= self.profile.warmup_days]
        out.update(wait_exact_mean=sum(waits) / len(waits) if waits else None,
                   seed=self.seed, days=self.days, invariant_checks=self.tally.invariant_checks,
                   replay_checks=self.tally.replay_checks, plan_checks=self.tally.plan_checks,
                   full_checks=self.tally.full_checks,
                   invariant_violations=0, events=self.svc.recorder.max_notification_id())
        out.update(self.move_measures(first) | self.complaint_measures(first))
        return out

    def record(self, case: Case) -> CaseRecord:
        # the decision that put the person on the list (after a complaint: not the rejection)
        first = next((d for d in case.decisions if d.kind != "rejection"),
                     case.decisions[0] if case.decisions else None)
        offers = sorted(case.offers.values(), key=lambda o: o.made_on)
        admitted = next((o for o in offers if o.admitted_on is not None), None)
        price = 0.0
        if admitted is not None and admitted.kind is OfferKind.PURCHASE:
            po = self.svc.get_provider_offer(self.m, admitted.target_id)
            price = float(po.price_per_day)
        died = case.closure is ClosureReason.DIED and admitted is None
        return CaseRecord(
            decision=first.kind if first else None,
            decided_on=first.decided_on if first else None,
            place_type=case.place_type.value if case.place_type else None,
            first_offer_on=offers[0].made_on if offers else None,
            admitted_on=admitted.admitted_on if admitted else None,
            purchased=admitted is not None and admitted.kind is OfferKind.PURCHASE,
            mismatch=admitted is not None and case.place_type is not None
            and admitted.place_type is not case.place_type,
            breaches=len(case.guarantee.breaches), died_waiting=died,
            spouse=str(case.spouse_case_id) if case.spouse_case_id else None,
            facility=admitted.facility_id if admitted else None,
            stay_ended=case.stay_ended[1] if case.stay_ended else None,
            purchase_price=price)


def simulate(scenario: Scenario, seed: int, years: float, *,
             progress: Callable[[float], None] | None = None,
             hooks: dict[int, Callable[[Any], None]] | None = None,
             **kwargs: Any) -> dict[str, Any]:
    """One run of ``scenario`` with ``seed`` over ``years``: its measures."""
    sim = Simulation(scenario, seed, years, progress=progress, **kwargs)
    sim.hooks.update(hooks or {})
    return sim.run()


__all__ = ["Simulation", "simulate"]
