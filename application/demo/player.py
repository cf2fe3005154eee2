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

This module holds that timetable (:meth:`Player.play`), the municipality's first and last
days, and the figures read at the end. The rest is in the player's parts, each a mixin on
:class:`~.stage.Stage`:

- :mod:`.stage` — the service, clock and agenda, :meth:`~.stage.Stage.do` and the
  :class:`Step` it records, readings of the state;
- :mod:`.applicants` — arrivals, applications, § 2-2 documentation, decisions;
- :mod:`.waiting_list` — assessments, reviews, short-term stays, urgency, the deadlines;
- :mod:`.morning` — which place goes to whom, purchases, offers, other providers;
- :mod:`.outcomes` — answers, admissions, stays ending, complaints.
"""

from __future__ import annotations

import heapq
from collections import Counter
from datetime import timedelta
from functools import partial
from typing import Any
from uuid import UUID

from application.demo.applicants import Applicant, Applicants
from application.demo.morning import Morning
from application.demo.municipality import Unit
from application.demo.outcomes import Outcomes
from application.demo.stage import Step, moment
from application.demo.waiting_list import WaitingList
from domain.base import local_date
from domain.case import ON_LIST, Case, CaseStatus
from domain.values import BreachChoice, Channel, ClosureReason, OfferStatus, PlaceType

_ORD, _SCR, _REI = PlaceType.ORDINARY, PlaceType.SCREENED, PlaceType.REINFORCED
_WAITING = CaseStatus.WAITING


class Player(Applicants, WaitingList, Morning, Outcomes):
    """Plays ``town`` from ``start`` for its history's days; see the module's docstring."""

    # --- the day's timetable ----------------------------------------------------------

    def play(self) -> list[Step]:
        for version in self.town.policies:  # the first, on day 0, anchors the timeline
            day = self.start + timedelta(days=version.day)
            self.at(day, 7 * 60, partial(self.do, "set_policy", self.m, effective_from=day,
                                         issued_by=version.issued_by, reason=version.reason,
                                         **version.changes))
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


__all__ = ["Applicant", "Player", "Step", "moment"]
