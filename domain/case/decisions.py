"""Decisions (vedtak, R4–R9, R14, R15, R23, R24): a grant to be carried out at once, a
waiting-list decision, or a rejection; the services the person gets while waiting.

A decision carries its decision date (vedtaksdato) as the officer gives it — not in the
future, not before the application or an earlier decision — beside the moment it was
recorded (the event's timestamp). A person who can no longer be cared for safely at home is
granted a stay at once (R15): :meth:`Decisions.mark_urgent` records that grant.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from domain.base import Base, add_months, local_date
from domain.case.lifecycle import CaseStatus, require
from domain.case.state import CaseState, Decision
from domain.errors import InvalidValue, MissingDocumentation, RuleViolation
from domain.identity import age_on
from domain.values import (
    DeclinedOfferEffect,
    FacilityKind,
    InterimService,
    OfferStatus,
    PlaceType,
    PolicySettings,
)

#: R3 (§ 1-3 c): younger person means under 67 on the date of the decision.
YOUNGER_PERSON_AGE = 67

#: R14: the legal basis (hjemmel) of every decision names the municipality's duty, the
#: person's right and the regulation by its name (seed 002, 5.3.1; the letter adds "for ...
#: kommune").
MUNICIPAL_DUTY = "helse- og omsorgstjenesteloven § 3-2 a"
PERSONS_RIGHT = "pasient- og brukerrettighetsloven § 2-1 e"
REGULATION = ("Kommunal forskrift om kriterier for langtidsopphold i sykehjem eller "
              "tilsvarende bolig særskilt tilrettelagt for heldøgns tjenester")
#: The regulation's paragraphs each kind of decision rests on.
REGULATION_PARAGRAPHS = {
    "grant": "§ 2-1 første ledd",
    "waiting_list": "§ 2-1 annet og tredje ledd og § 3-2",
    "rejection": "§ 2-1",
}
LEGAL_BASIS = {
    kind: f"{MUNICIPAL_DUTY}, {PERSONS_RIGHT} og {REGULATION[0].lower()}{REGULATION[1:]} "
          f"{paragraphs}"
    for kind, paragraphs in REGULATION_PARAGRAPHS.items()
}
#: The standard bases an earlier release wrote on its decisions (they named neither the
#: person's right nor the regulation's title); the letter states the basis in full for them.
EARLIER_LEGAL_BASIS = frozenset({
    "helse- og omsorgstjenesteloven § 3-2 a og kommunal forskrift § 2-1 første ledd",
    "helse- og omsorgstjenesteloven § 3-2 a og kommunal forskrift § 2-1 annet og tredje ledd "
    "og § 3-2",
    "helse- og omsorgstjenesteloven § 3-2 a og kommunal forskrift § 2-1",
})
COMPLAINT_RIGHT = (
    "Du kan klage på vedtaket etter pasient- og brukerrettighetsloven § 7-2. "
    "Klagefristen er fire uker fra du mottok vedtaket (§ 7-5, forvaltningsloven § 29)."
)
COMPLAINT_TO = (
    "Klagen sendes til tildelingsenheten, som vurderer saken på nytt og sender den til "
    "Statsforvalteren om klagen ikke tas til følge."
)
_STATUS = {"grant": CaseStatus.GRANTED, "waiting_list": CaseStatus.WAITING,
           "rejection": CaseStatus.REJECTED}


def fitting_place_types(decided: PlaceType | None, has_dementia: bool) -> frozenset[PlaceType]:
    """R7, R18: the place types that match a decision without a recorded reason: the
    decided type, and a screened place for a person with dementia decided an ordinary one."""
    if decided is None:
        return frozenset()
    if decided is PlaceType.ORDINARY and has_dementia:
        return frozenset({PlaceType.ORDINARY, PlaceType.SCREENED})
    return frozenset({decided})


class Decisions(CaseState):
    """Mixed into :class:`~domain.case.Case`."""

    class DecisionMade(Base.Event):
        """Vedtak: grant (R4, R15), waiting list (R5) or rejection (R9), with R14's content.

        Version 2 added ``urgent`` (the grant records that the person can no longer be cared
        for safely at home, R15), ``review_every_months`` and ``iplos_max_age_months`` (R27),
        ``grant_alert_days`` (R4) and ``waiting_since_kept`` (R21, R23: a decision after a
        complaint that keeps an earlier waiting-list date). Version 3 dropped
        ``complaint_deadline``: four weeks from the decision date, which is not the law —
        the deadline runs from the person's receipt (R14, :mod:`domain.case.delivery`).
        Version 4 added ``complaint_id``: the complaint (R21) whose outcome this decision
        follows — changed on reconsideration or by Statsforvalteren, or made anew after a
        quashed decision; None for every other decision.
        """

        class_version = 4

        decision_id: UUID
        kind: str
        place_type: PlaceType | None
        facility_kind: FacilityKind | None
        legal_basis: str
        grounds: str
        decided_by: str
        decided_on: date
        complaint_right: str
        complaint_to: str
        policy_version: int
        guarantee_months: int | None
        deadline: date | None
        declined_offer_effect: DeclinedOfferEffect
        free_choice: bool
        younger_person: bool
        alternatives_at_home: str | None
        interim_services: list[InterimService]
        urgent: bool
        review_every_months: int
        grant_alert_days: int
        iplos_max_age_months: int
        waiting_since_kept: date | None
        complaint_id: UUID | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state.update(urgent=False, review_every_months=3, grant_alert_days=3,
                         iplos_max_age_months=12, waiting_since_kept=None)

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state.pop("complaint_deadline", None)

        @staticmethod
        def upcast_v3_v4(state: dict[str, Any]) -> None:
            state["complaint_id"] = None

        def on(self, case: Decisions) -> None:
            decision = Decision(self.decision_id, self.kind, self.place_type, self.decided_on,
                                self.decided_by, self.policy_version, self.deadline,
                                self.facility_kind, complaint_id=self.complaint_id)
            case.decisions.append(decision)
            case.status = _STATUS[self.kind]
            case.place_type = self.place_type
            case.facility_kind = self.facility_kind
            case.declined_offer_effect = self.declined_offer_effect
            case.free_choice = self.free_choice
            case.review_every_months = self.review_every_months
            case.grant_alert_days = self.grant_alert_days
            case.iplos_max_age_months = self.iplos_max_age_months
            case.urgency_reason = self.grounds if self.urgent else None
            case.accompanying = None  # R11: an ordinary decision replaces an accompanying one
            if self.kind != "rejection":
                case.interim_services = list(self.interim_services)
            else:
                case.priority = None  # R16: off the list; a new period is assessed anew
                case.breach_choice = None
            case.guarantee.decided(
                self.kind, self.decided_on, months=self.guarantee_months,
                declined_effect=self.declined_offer_effect,
                keep_waiting_since=self.waiting_since_kept)
            decision.waiting_since = case.guarantee.waiting_since

    class InterimServicesRecorded(Base.Event):
        """R14: the services the person gets while waiting."""

        services: list[InterimService]
        recorded_by: str

        def on(self, case: Decisions) -> None:
            case.interim_services = list(self.services)

    class UrgencyMarked(Base.Event):
        """An earlier release's urgency flag (R15); new urgency is a grant decision."""

        reason: str
        assessed_by: str

        def on(self, case: Decisions) -> None:
            case.urgency_reason = self.reason

    class UrgencyCleared(Base.Event):
        """An earlier release's clearing of the urgency flag."""

        reason: str
        assessed_by: str

        def on(self, case: Decisions) -> None:
            case.urgency_reason = None

    # --- derived ---------------------------------------------------------------------------

    @property
    def current_decision(self) -> Decision | None:
        return self.decisions[-1] if self.decisions else None

    @property
    def urgent(self) -> bool:
        """R15/R4: granted a stay to be carried out at once, not yet carried out."""
        return self.status is CaseStatus.GRANTED

    def grant_overdue(self, today: date) -> int | None:
        """R4: days since the grant, if it has not been carried out within the policy's
        days; None otherwise."""
        decision = self.current_decision
        if self.status is not CaseStatus.GRANTED or decision is None:
            return None
        days = (today - decision.decided_on).days
        return days if days > self.grant_alert_days else None

    # --- commands -------------------------------------------------------------------------

    def _decision_date(self, now: datetime, decided_on: date | None) -> date:
        """R24: the decision date as given: not in the future, not before the application
        or the decision in force."""
        today = local_date(now)
        day = decided_on or today
        if day > today:
            raise InvalidValue("decided_on", "a decision cannot be dated in the future")
        if day < self.received_on:
            raise InvalidValue("decided_on", "a decision cannot be dated before the "
                               "application was received")
        last = self.current_decision
        if last is not None and day < last.decided_on:
            raise InvalidValue("decided_on", "a decision cannot be dated before the decision "
                               f"in force ({last.decided_on.isoformat()})")
        return day

    def _withdraw_unfitting_offers(self, now: datetime, kind: str,
                                   place_type: PlaceType | None, command_id: str | None
                                   ) -> None:
        """R9: a rejection withdraws every outstanding offer; a grant or waiting-list decision
        for another place type withdraws an offer that no longer fits it."""
        for offer in list(self.offers.values()):
            if not offer.outstanding:
                continue
            fits = kind != "rejection" and \
                offer.place_type in fitting_place_types(place_type, self.has_dementia)
            if not fits:
                self.trigger_event(self.OfferWithdrawn, timestamp=now, command_id=command_id,
                                   offer_id=offer.offer_id, reason=f"decision:{kind}",
                                   by_municipality=True)

    def decide(
        self,
        now: datetime,
        *,
        kind: str,
        grounds: str,
        decided_by: str,
        policy_version: int,
        policy: PolicySettings,
        place_type: PlaceType | None = None,
        facility_kind: FacilityKind | None = None,
        can_be_cared_for_safely_at_home: bool | None = None,
        alternatives_at_home: str | None = None,
        interim_services: list[InterimService] | None = None,
        legal_basis: str | None = None,
        decided_on: date | None = None,
        keep_waiting_since: date | None = None,
        complaint_id: UUID | None = None,
        decision_id: UUID | None = None,
        command_id: str | None = None,
    ) -> UUID:
        """Make a decision (vedtak). Refused, with every reason named, unless R4–R9, R14 and
        R24 are met. Returns the decision's id. A rejection withdraws outstanding offers.
        ``complaint_id``: the complaint whose outcome this decision follows (R21), which
        the caller has checked."""
        require(self.status, "decide")
        if kind not in LEGAL_BASIS:
            raise InvalidValue("kind", "a decision is 'grant', 'waiting_list' or 'rejection'")
        day = self._decision_date(now, decided_on)
        if not grounds or not grounds.strip():
            raise RuleViolation("R14", "a decision states its grounds: the facts and the main "
                                "considerations", field="grounds", missing=("grounds",))
        if not decided_by or not decided_by.strip():
            raise InvalidValue("decided_by", "name the decision maker")
        younger = age_on(self.person.birth_date, day) < YOUNGER_PERSON_AGE  # R3
        services = list(interim_services or [])
        if kind in ("grant", "waiting_list"):
            if place_type is None:
                raise InvalidValue("place_type", "a grant or waiting-list decision names the "
                                   "place type: ordinary, screened or reinforced")
            missing = self.missing_documentation(place_type, day, policy.iplos_max_age_months)
            if missing:
                raise MissingDocumentation(missing)  # R8
            if kind == "grant" and can_be_cared_for_safely_at_home is not False:
                raise RuleViolation(
                    "R4", "a grant at once is for a person whose needs cannot be met safely "
                    "at home; use a waiting-list decision otherwise",
                    field="can_be_cared_for_safely_at_home")
            if kind == "waiting_list":
                if can_be_cared_for_safely_at_home is not True:
                    raise RuleViolation(
                        "R5", "a waiting-list decision needs the assessment that the person "
                        "can be cared for safely at home until a place is offered; a person "
                        "who cannot is granted a stay at once (R4)",
                        field="can_be_cared_for_safely_at_home")
                if not services:
                    raise RuleViolation(
                        "R14", "a waiting-list decision records the services the person gets "
                        "while waiting", field="interim_services", missing=("interim_services",))
            if younger and not (alternatives_at_home and alternatives_at_home.strip()):
                raise RuleViolation(
                    "R6", f"the person is under {YOUNGER_PERSON_AGE} (R3): record that "
                    "alternatives in the person's own home were sought, or why not",
                    field="alternatives_at_home", missing=("alternatives_at_home",))
        if keep_waiting_since is not None and keep_waiting_since > day:
            raise InvalidValue("keep_waiting_since", "the kept waiting-list date cannot be "
                               "after the decision")
        self._withdraw_unfitting_offers(now, kind, place_type, command_id)
        decision = self._record_decision(
            now, kind=kind, grounds=grounds.strip(), decided_by=decided_by, day=day,
            policy_version=policy_version, policy=policy,
            place_type=place_type if kind != "rejection" else None,
            facility_kind=facility_kind if kind != "rejection" else None,
            alternatives_at_home=alternatives_at_home, interim_services=services,
            legal_basis=legal_basis, younger=younger, urgent=False,
            keep_waiting_since=keep_waiting_since, complaint_id=complaint_id,
            decision_id=decision_id, command_id=command_id)
        # back on the list with the deadline of its guarantee period passed (after a grant
        # or a decision that keeps an earlier waiting-list date): the breach is recorded now
        self._record_due_breach(now, command_id)
        return decision

    def _record_decision(self, now: datetime, *, kind: str, grounds: str, decided_by: str,
                         day: date, policy_version: int, policy: PolicySettings,
                         place_type: PlaceType | None, facility_kind: FacilityKind | None,
                         alternatives_at_home: str | None,
                         interim_services: list[InterimService], legal_basis: str | None,
                         younger: bool, urgent: bool, keep_waiting_since: date | None,
                         decision_id: UUID | None, command_id: str | None,
                         complaint_id: UUID | None = None) -> UUID:
        decision_id = decision_id or uuid4()
        waiting = kind == "waiting_list"
        deadline: date | None = None
        if waiting:  # R18, R23: the deadline of the guarantee period this decision is in
            current = self.guarantee.current or self.guarantee.resumable(keep_waiting_since)
            deadline = current.deadline if current is not None else \
                add_months(keep_waiting_since or day, policy.guarantee_months)
        self.trigger_event(
            self.DecisionMade,
            timestamp=now,
            command_id=command_id,
            decision_id=decision_id,
            kind=kind,
            place_type=place_type,
            facility_kind=facility_kind,
            legal_basis=legal_basis or LEGAL_BASIS[kind],
            grounds=grounds,
            decided_by=decided_by,
            decided_on=day,
            complaint_right=COMPLAINT_RIGHT,
            complaint_to=COMPLAINT_TO,
            policy_version=policy_version,
            guarantee_months=policy.guarantee_months if waiting else None,
            deadline=deadline,
            declined_offer_effect=policy.declined_offer_effect,
            free_choice=policy.free_choice,
            younger_person=younger,
            alternatives_at_home=alternatives_at_home,
            interim_services=interim_services,
            urgent=urgent,
            review_every_months=policy.review_every_months,
            grant_alert_days=policy.grant_alert_days,
            iplos_max_age_months=policy.iplos_max_age_months,
            waiting_since_kept=keep_waiting_since,
            complaint_id=complaint_id,
        )
        return decision_id

    def mark_urgent(self, now: datetime, *, reason: str, assessed_by: str,
                    policy_version: int, policy: PolicySettings,
                    decided_on: date | None = None, decision_id: UUID | None = None,
                    command_id: str | None = None) -> UUID | None:
        """R15 (§ 3-3 first paragraph, § 2-1 first paragraph): the person on the list can no
        longer be cared for safely at home. This records a grant decision: the person is
        taken off the waiting list at once and goes before everyone else. Returns the
        grant's id (None if the person already holds a grant)."""
        if self.status is CaseStatus.RECEIVED:
            raise RuleViolation("R15", "urgency is for a person on the waiting list; a person "
                                "whose application is being investigated and who cannot be "
                                "cared for safely at home is granted a stay (§ 2-1 first "
                                "paragraph)", field="case_id")
        require(self.status, "mark_urgent")
        if not reason or not reason.strip():
            raise RuleViolation("R15", "say why the person can no longer be cared for safely "
                                "at home", field="reason", missing=("reason",))
        if not assessed_by or not assessed_by.strip():
            raise InvalidValue("assessed_by", "name who assessed it")
        if self.status is CaseStatus.GRANTED:
            return None
        day = self._decision_date(now, decided_on)
        return self._record_decision(
            now, kind="grant", grounds=reason.strip(), decided_by=assessed_by, day=day,
            policy_version=policy_version, policy=policy, place_type=self.place_type,
            facility_kind=self.facility_kind, alternatives_at_home=None,
            interim_services=list(self.interim_services), legal_basis=None,
            younger=age_on(self.person.birth_date, day) < YOUNGER_PERSON_AGE, urgent=True,
            keep_waiting_since=None, decision_id=decision_id, command_id=command_id)

    def record_interim_services(self, now: datetime, *, services: list[InterimService],
                                recorded_by: str, command_id: str | None = None) -> None:
        require(self.status, "record_interim_services")
        if not services:
            raise RuleViolation("R14", "name the services the person gets while waiting",
                                field="services", missing=("services",))
        self.trigger_event(self.InterimServicesRecorded, timestamp=now, command_id=command_id,
                           services=list(services), recorded_by=recorded_by)


__all__ = ["COMPLAINT_RIGHT", "COMPLAINT_TO", "EARLIER_LEGAL_BASIS", "LEGAL_BASIS",
           "MUNICIPAL_DUTY", "PERSONS_RIGHT", "REGULATION", "REGULATION_PARAGRAPHS",
           "YOUNGER_PERSON_AGE", "Decisions", "OfferStatus", "fitting_place_types"]
