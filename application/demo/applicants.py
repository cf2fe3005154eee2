"""The applicants: how many apply on a day, who each one is (drawn as the description's
shares say, with what the investigation will find), the application (søknad), the § 2-2
documentation over the next days (R8), the decision (vedtak) and what is set going after
it — an assessment, wishes, a short-term stay, and what befalls a person on the list.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any
from uuid import UUID

from application.demo.documentation import CaseDocumentation, documentation_steps
from application.demo.stage import Stage
from domain.case import ON_LIST, YOUNGER_PERSON_AGE
from domain.identity import age_on, synthetic_identity_number
from domain.values import (
    IPLOS_VARIABLES,
    Channel,
    ClosureReason,
    DeliveryChannel,
    DementiaFinding,
    PlaceType,
)

_ORD, _SCR, _REI = PlaceType.ORDINARY, PlaceType.SCREENED, PlaceType.REINFORCED


@dataclass(frozen=True)
class Applicant:
    """An applicant as drawn: who they are and what the investigation will find."""

    name: str
    woman: bool
    born: date
    place_type: PlaceType
    suspected: bool  # dementia suspected when applying (R8 (5))
    docs: CaseDocumentation


class Applicants(Stage):
    """From the application to the decision, and what the decision sets going."""

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
        # R14: the letter goes to the digital mailbox the same day (received that day, as
        # usual: the complaint deadline runs from then). No command id of its own: the
        # story's ids (and so its ties in the one order) stay as they were.
        self.do("record_decision_sent", self.m, case_id, decision_id, sent_on=self.today,
                channel=DeliveryChannel.DIGITAL_MAILBOX, recorded_by="Tildelingsenheten",
                with_id=False, command_id=self.sequel_id("sent"))
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
