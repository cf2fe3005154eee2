"""A case (sak): one person's application for a long-term stay, from the application
(søknad) through documentation (§ 2-2), the decision (vedtak), the waiting list (§ 3-1),
priority (§ 3-3), offers, the guarantee (§ 3-4), admission and closure.

Every rule a single case can check lives here, named by its number in RULES.md. Rules that
need a second aggregate (R10 with the spouse's case) are plain functions at the bottom that
the application layer calls with both loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID, uuid4

from domain.base import Base, add_months, add_weeks, check_municipality, local_date
from domain.errors import InvalidState, InvalidValue, MissingDocumentation, RuleViolation
from domain.identity import IdentityNumber, age_on
from domain.values import (
    FACTOR_MAX,
    IPLOS_SCORES,
    IPLOS_VARIABLES,
    BreachChoice,
    Channel,
    ClosureReason,
    DeclinedOfferEffect,
    DementiaFinding,
    DocumentationItem,
    FacilityKind,
    InterimService,
    LeonEntry,
    MedicalSource,
    OfferKind,
    OfferStatus,
    Person,
    PlaceType,
    PolicySettings,
    PriorityFactor,
    StayEndReason,
)

#: R3 (§ 1-3 c): younger person means under 67 on the date of the decision.
YOUNGER_PERSON_AGE = 67
#: R14 (pasient- og brukerrettighetsloven § 7-5): the complaint deadline is four weeks.
COMPLAINT_WEEKS = 4
#: R8 (2): an IPLOS registration older than this is not "updated".
IPLOS_MAX_AGE_MONTHS = 12

COMPLAINT_RIGHT = (
    "Du kan klage på vedtaket etter pasient- og brukerrettighetsloven § 7-2. "
    "Klagefristen er fire uker fra du fikk vedtaket (§ 7-5)."
)
LEGAL_BASIS = {
    "grant": "helse- og omsorgstjenesteloven § 3-2 a og kommunal forskrift § 2-1 første ledd",
    "waiting_list": (
        "helse- og omsorgstjenesteloven § 3-2 a og kommunal forskrift § 2-1 annet og "
        "tredje ledd og § 3-2"
    ),
    "rejection": "helse- og omsorgstjenesteloven § 3-2 a og kommunal forskrift § 2-1",
}


class CaseStatus(Enum):
    RECEIVED = "received"  # application in, being documented
    GRANTED = "granted"  # R4 grant, to be carried out at once
    WAITING = "waiting"  # R5 waiting-list decision: on the waiting list (R12)
    REJECTED = "rejected"  # R9
    RESIDENT = "resident"  # admitted to a long-term place
    CLOSED = "closed"  # withdrawn, died, moved away, or the stay ended


@dataclass
class Decision:
    decision_id: UUID
    kind: str
    place_type: PlaceType | None
    decided_on: date
    decided_by: str
    policy_version: int
    deadline: date | None


@dataclass
class Offer:
    offer_id: UUID
    kind: OfferKind
    target_id: UUID  # the Place, or the ProviderOffer for a purchase
    facility_id: str
    facility_name: str
    place_type: PlaceType
    made_on: date
    status: OfferStatus = OfferStatus.MADE
    answered_on: date | None = None
    #: The day the person moved in on this offer; an admitted offer is no longer
    #: outstanding (its status stays "accepted").
    admitted_on: date | None = None


@dataclass
class PriorityAssessment:
    need_score: int
    suggested_score: int
    factors: dict[str, int]
    assessor: str
    assessed_on: date
    departure_reason: str | None


@dataclass
class Documentation:
    own_account: bool = False
    relatives: bool = False
    iplos_assessed_on: date | None = None
    iplos_scores: dict[str, int] = field(default_factory=dict)
    medical_sources: set[MedicalSource] = field(default_factory=set)
    leon: list[LeonEntry] = field(default_factory=list)
    dementia_finding: DementiaFinding | None = None
    dementia_diagnosis: bool = False


class Case(Base):
    # --- events ---------------------------------------------------------------------

    class ApplicationReceived(Base.Created):
        """Søknad mottatt. Version 2 added ``channel`` (version 1 events came on paper)."""

        class_version = 2

        person: Person
        received_on: date
        channel: Channel
        spouse_case_id: UUID | None
        accompanying_spouse: bool
        receives_other_services: bool
        dementia_suspected: bool

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["channel"] = Channel.PAPER

    class SpouseLinked(Base.Event):
        spouse_case_id: UUID

        def on(self, case: Case) -> None:
            case.spouse_case_id = self.spouse_case_id

    class OwnAccountRecorded(Base.Event):
        """R8 (1): the person's own account, "what matters to you" (hva er viktig for deg)."""

        what_matters: str
        account: str
        recorded_by: str

        def on(self, case: Case) -> None:
            case.docs.own_account = True

    class RelativesInformationRecorded(Base.Event):
        """R8 (1): information from relatives or the guardian (pårørende/verge)."""

        name: str
        relation: str
        is_guardian: bool
        information: str
        recorded_by: str

        def on(self, case: Case) -> None:
            case.docs.relatives = True

    class IplosRegistered(Base.Event):
        """R8 (2): an IPLOS registration, each variable scored 1–5 or 9 (not relevant)."""

        scores: dict[str, int]
        assessed_on: date
        assessed_by: str

        def on(self, case: Case) -> None:
            case.docs.iplos_scores = dict(self.scores)
            case.docs.iplos_assessed_on = self.assessed_on

    class MedicalInformationRecorded(Base.Event):
        """R8 (3): medical information with its source (GP, specialist, competence centre)."""

        source: MedicalSource
        summary: str
        diagnoses: list[str]
        dementia_diagnosis: bool
        received_on: date

        def on(self, case: Case) -> None:
            case.docs.medical_sources.add(self.source)
            if self.dementia_diagnosis:
                case.docs.dementia_diagnosis = True
                case.dementia_suspected = True

    class LeonMeasuresRecorded(Base.Event):
        """R8 (4): lower-level measures tried or assessed (LEON)."""

        entries: list[LeonEntry]
        recorded_by: str

        def on(self, case: Case) -> None:
            case.docs.leon.extend(self.entries)

    class DementiaInvestigationRecorded(Base.Event):
        """R8 (5): the dementia investigation (demensutredning)."""

        finding: DementiaFinding
        conclusion: str
        recorded_by: str

        def on(self, case: Case) -> None:
            case.docs.dementia_finding = self.finding
            case.dementia_suspected = True

    class DecisionMade(Base.Event):
        """Vedtak: grant (R4), waiting list (R5) or rejection (R9), with R14's content."""

        decision_id: UUID
        kind: str
        place_type: PlaceType | None
        facility_kind: FacilityKind | None
        legal_basis: str
        grounds: str
        decided_by: str
        decided_on: date
        complaint_right: str
        complaint_deadline: date
        complaint_to: str
        policy_version: int
        guarantee_months: int | None
        deadline: date | None
        declined_offer_effect: DeclinedOfferEffect
        free_choice: bool
        younger_person: bool
        alternatives_at_home: str | None
        interim_services: list[InterimService]

        def on(self, case: Case) -> None:
            case.decisions.append(
                Decision(self.decision_id, self.kind, self.place_type, self.decided_on,
                         self.decided_by, self.policy_version, self.deadline)
            )
            case.status = {
                "grant": CaseStatus.GRANTED,
                "waiting_list": CaseStatus.WAITING,
                "rejection": CaseStatus.REJECTED,
            }[self.kind]
            case.place_type = self.place_type
            case.deadline = self.deadline
            case.declined_offer_effect = self.declined_offer_effect
            case.free_choice = self.free_choice
            case.guarantee_fulfilled_on = None
            case.guarantee_lost = False
            case.interim_services = list(self.interim_services)

    class InterimServicesRecorded(Base.Event):
        """R14: the services the person gets while waiting."""

        services: list[InterimService]
        recorded_by: str

        def on(self, case: Case) -> None:
            case.interim_services = list(self.services)

    class PriorityAssessed(Base.Event):
        """R16, R17: the professional assessment of need, with its factors and assessor."""

        factors: dict[str, int]
        need_score: int
        suggested_score: int
        assessor: str
        departure_reason: str | None
        assessed_on: date

        def on(self, case: Case) -> None:
            case.priority = PriorityAssessment(
                self.need_score, self.suggested_score, dict(self.factors), self.assessor,
                self.assessed_on, self.departure_reason,
            )

    class UrgencyMarked(Base.Event):
        """R15: can no longer be cared for safely at home."""

        reason: str
        assessed_by: str

        def on(self, case: Case) -> None:
            case.urgent = True

    class UrgencyCleared(Base.Event):
        reason: str
        assessed_by: str

        def on(self, case: Case) -> None:
            case.urgent = False

    class WishesRecorded(Base.Event):
        """R16 (great weight to the person's wishes) and R20 (free choice, ranked)."""

        facility_ids: list[str]

        def on(self, case: Case) -> None:
            case.wishes = list(self.facility_ids)

    class LivingApartConsented(Base.Event):
        """R10: both spouses have consented to live at different facilities."""

        statement: str
        recorded_by: str

        def on(self, case: Case) -> None:
            case.living_apart_consent = True

    class OfferMade(Base.Event):
        offer_id: UUID
        kind: OfferKind
        target_id: UUID
        facility_id: str
        facility_name: str
        place_type: PlaceType
        made_by: str
        made_on: date
        non_screened_reason: str | None
        proposal_id: UUID | None

        def on(self, case: Case) -> None:
            case.offers[self.offer_id] = Offer(
                self.offer_id, self.kind, self.target_id, self.facility_id,
                self.facility_name, self.place_type, self.made_on,
            )
            if case.deadline is not None and case.guarantee_fulfilled_on is None:
                case.guarantee_fulfilled_on = self.made_on

    class OfferAccepted(Base.Event):
        offer_id: UUID
        answered_on: date

        def on(self, case: Case) -> None:
            offer = case.offers[self.offer_id]
            offer.status = OfferStatus.ACCEPTED
            offer.answered_on = self.answered_on

    class OfferDeclined(Base.Event):
        """The person says no. ``guarantee`` records what that did to the deadline (R18, R20):
        "fulfilled" (the offer met it), "continues" (the deadline still stands), "lost"."""

        offer_id: UUID
        answered_on: date
        reason: str
        guarantee: str

        def on(self, case: Case) -> None:
            offer = case.offers[self.offer_id]
            offer.status = OfferStatus.DECLINED
            offer.answered_on = self.answered_on
            if self.guarantee == "continues":
                case.guarantee_fulfilled_on = None
            elif self.guarantee == "lost":
                case.guarantee_lost = True

    class OfferWithdrawn(Base.Event):
        offer_id: UUID
        reason: str

        def on(self, case: Case) -> None:
            case.offers[self.offer_id].status = OfferStatus.WITHDRAWN
            if not any(o.status is not OfferStatus.WITHDRAWN for o in case.offers.values()):
                case.guarantee_fulfilled_on = None

    class DeadlineBreached(Base.Event):
        """R18: no offer within the guarantee (fristbrudd)."""

        deadline: date
        breached_on: date

        def on(self, case: Case) -> None:
            case.breached_on = self.breached_on

    class BreachChoiceRecorded(Base.Event):
        """R19: purchase from another provider, or wait on for a municipal place."""

        choice: BreachChoice
        recorded_on: date
        recorded_by: str

        def on(self, case: Case) -> None:
            case.breach_choice = self.choice

    class Admitted(Base.Event):
        offer_id: UUID
        target_id: UUID
        facility_id: str
        place_type: PlaceType
        purchased: bool
        admitted_on: date

        def on(self, case: Case) -> None:
            offer = case.offers.get(self.offer_id)
            if offer is not None:
                offer.admitted_on = self.admitted_on
            case.status = CaseStatus.RESIDENT
            case.residence = (self.target_id, self.facility_id, self.admitted_on, self.purchased)
            case.urgent = False

    class Closed(Base.Event):
        reason: ClosureReason
        closed_on: date

        def on(self, case: Case) -> None:
            case.closure = self.reason
            if self.reason is not ClosureReason.PLACED:
                case.status = CaseStatus.CLOSED

    class StayEnded(Base.Event):
        reason: StayEndReason
        ended_on: date

        def on(self, case: Case) -> None:
            case.status = CaseStatus.CLOSED
            case.stay_ended = (self.reason, self.ended_on)

    # --- state ----------------------------------------------------------------------

    def __init__(
        self,
        municipality: str,
        command_id: str | None,
        person: Person,
        received_on: date,
        channel: Channel,
        spouse_case_id: UUID | None,
        accompanying_spouse: bool,
        receives_other_services: bool,
        dementia_suspected: bool,
    ) -> None:
        super().__init__(municipality, command_id)
        self.person = person
        self.received_on = received_on
        self.channel = channel
        self.spouse_case_id = spouse_case_id
        self.accompanying_spouse = accompanying_spouse
        self.receives_other_services = receives_other_services
        self.dementia_suspected = dementia_suspected
        self.docs = Documentation()
        self.status = CaseStatus.RECEIVED
        self.decisions: list[Decision] = []
        self.place_type: PlaceType | None = None
        self.deadline: date | None = None
        self.declined_offer_effect = DeclinedOfferEffect.OFFER_FULFILS_GUARANTEE
        self.free_choice = False
        self.guarantee_fulfilled_on: date | None = None
        self.guarantee_lost = False
        self.breached_on: date | None = None
        self.breach_choice: BreachChoice | None = None
        self.interim_services: list[InterimService] = []
        self.priority: PriorityAssessment | None = None
        self.urgent = False
        self.wishes: list[str] = []
        self.living_apart_consent = False
        self.offers: dict[UUID, Offer] = {}
        self.residence: tuple[UUID, str, date, bool] | None = None
        self.closure: ClosureReason | None = None
        self.stay_ended: tuple[StayEndReason, date] | None = None

    # --- derived --------------------------------------------------------------------

    @property
    def has_dementia(self) -> bool:
        """R7: a dementia diagnosis, from medical information or the investigation."""
        return self.docs.dementia_diagnosis or (
            self.docs.dementia_finding is DementiaFinding.CONFIRMED
        )

    @property
    def on_waiting_list(self) -> bool:
        """R12: a waiting-list (or not yet carried out grant) decision, not yet placed."""
        return self.status in (CaseStatus.WAITING, CaseStatus.GRANTED)

    @property
    def outstanding_offer(self) -> Offer | None:
        """The offer awaiting an answer or an admission; the one the person moved in on
        is not outstanding."""
        for offer in self.offers.values():
            if (offer.status in (OfferStatus.MADE, OfferStatus.ACCEPTED)
                    and offer.admitted_on is None):
                return offer
        return None

    @property
    def current_decision(self) -> Decision | None:
        return self.decisions[-1] if self.decisions else None

    @property
    def in_long_term_stay(self) -> bool:
        """R10: granted, waiting or resident: the spouse co-location guarantee applies."""
        return self.status in (CaseStatus.GRANTED, CaseStatus.WAITING, CaseStatus.RESIDENT)

    @property
    def facility_held(self) -> str | None:
        """The facility where the person lives or holds an outstanding offer (R10)."""
        if self.status is CaseStatus.RESIDENT and self.residence is not None:
            return self.residence[1]
        offer = self.outstanding_offer
        return offer.facility_id if offer else None

    def missing_documentation(self, place_type: PlaceType | None, on: date) -> tuple[str, ...]:
        """R8 (§ 2-2): the items still missing before a grant or waiting-list decision."""
        d = self.docs
        missing: list[str] = []
        if not d.own_account:
            missing.append(DocumentationItem.OWN_ACCOUNT.value)
        if not d.relatives:
            missing.append(DocumentationItem.RELATIVES.value)
        if self.receives_other_services:
            if d.iplos_assessed_on is None:
                missing.append(DocumentationItem.IPLOS.value)
            elif add_months(d.iplos_assessed_on, IPLOS_MAX_AGE_MONTHS) < on:
                missing.append(f"{DocumentationItem.IPLOS.value} (older than 12 months)")
        if place_type is PlaceType.REINFORCED:
            if MedicalSource.GP not in d.medical_sources:
                missing.append(DocumentationItem.MEDICAL_GP.value)
            if MedicalSource.SPECIALIST not in d.medical_sources:
                missing.append(DocumentationItem.MEDICAL_SPECIALIST.value)
        elif not d.medical_sources & {MedicalSource.GP, MedicalSource.SPECIALIST}:
            missing.append("medical_gp_or_specialist")
        if not d.leon:
            missing.append(DocumentationItem.LEON.value)
        if self.dementia_suspected and d.dementia_finding is None:
            missing.append(DocumentationItem.DEMENTIA_INVESTIGATION.value)
        return tuple(missing)

    # --- commands: application and documentation -------------------------------------

    @classmethod
    def receive_application(
        cls,
        now: datetime,
        *,
        case_id: UUID | None = None,
        municipality: str,
        identity_number: str,
        name: str,
        received_on: date | None = None,
        channel: Channel = Channel.DIGITAL,
        spouse_case_id: UUID | None = None,
        accompanying_spouse: bool = False,
        receives_other_services: bool = True,
        dementia_suspected: bool = False,
        command_id: str | None = None,
    ) -> Case:
        check_municipality(municipality)
        number = IdentityNumber.parse(identity_number)
        if not name or not name.strip():
            raise InvalidValue("name", "the applicant's name is required")
        today = local_date(now)
        received = received_on or today
        if received > today:
            raise InvalidValue("received_on", "an application cannot be received in the future")
        if accompanying_spouse and spouse_case_id is None:
            raise RuleViolation("R11", "an accompanying stay needs the spouse's case linked",
                                field="spouse_case_id")
        return cls._create(
            cls.ApplicationReceived,
            id=case_id or uuid4(),
            timestamp=now,
            municipality=municipality,
            command_id=command_id,
            person=Person(number.value, name.strip(), number.birth_date),
            received_on=received,
            channel=channel,
            spouse_case_id=spouse_case_id,
            accompanying_spouse=accompanying_spouse,
            receives_other_services=receives_other_services,
            dementia_suspected=dementia_suspected,
        )

    def _open(self, field: str = "case_id") -> None:
        if self.status is CaseStatus.CLOSED:
            raise InvalidState("the case is closed", field=field)

    def check_spouse_link(self, spouse_case_id: UUID) -> None:
        """R10 (§ 2-3): this case may be linked to ``spouse_case_id``: it is open, not that
        case itself, and not linked to another case (a person has at most one spouse or
        cohabitant link; linking the same case again changes nothing)."""
        self._open()
        if spouse_case_id == self.id:
            raise InvalidValue("spouse_case_id", "a person is not their own spouse")
        if self.spouse_case_id is not None and self.spouse_case_id != spouse_case_id:
            raise RuleViolation(
                "R10", f"case {self.id} is already linked to another spouse's or "
                "cohabitant's case; a person has at most one spouse or cohabitant (§ 2-3)",
                field="spouse_case_id")

    def link_spouse(self, now: datetime, *, spouse_case_id: UUID,
                    command_id: str | None = None) -> None:
        """One side of the link (R10); :func:`link_spouses` links both. Idempotent."""
        self.check_spouse_link(spouse_case_id)
        if self.spouse_case_id == spouse_case_id:
            return
        self.trigger_event(self.SpouseLinked, timestamp=now, command_id=command_id,
                           spouse_case_id=spouse_case_id)

    def record_own_account(self, now: datetime, *, what_matters: str, account: str,
                           recorded_by: str, command_id: str | None = None) -> None:
        self._open()
        if not what_matters.strip():
            raise InvalidValue("what_matters", "R8 (1): record what matters to the person")
        self.trigger_event(self.OwnAccountRecorded, timestamp=now, command_id=command_id,
                           what_matters=what_matters, account=account, recorded_by=recorded_by)

    def record_relatives(self, now: datetime, *, name: str, relation: str, information: str,
                         recorded_by: str, is_guardian: bool = False,
                         command_id: str | None = None) -> None:
        self._open()
        if not information.strip():
            raise InvalidValue("information", "R8 (1): record what the relatives said")
        self.trigger_event(self.RelativesInformationRecorded, timestamp=now,
                           command_id=command_id, name=name, relation=relation,
                           is_guardian=is_guardian, information=information,
                           recorded_by=recorded_by)

    def register_iplos(self, now: datetime, *, scores: dict[str, int], assessed_by: str,
                       assessed_on: date | None = None, command_id: str | None = None) -> None:
        self._open()
        unknown = sorted(set(scores) - set(IPLOS_VARIABLES))
        if unknown:
            raise InvalidValue("scores", f"not IPLOS variables: {', '.join(unknown)}")
        absent = [v for v in IPLOS_VARIABLES if v not in scores]
        if absent:
            raise InvalidValue("scores", f"IPLOS variables without a score: {', '.join(absent)}")
        bad = sorted(k for k, v in scores.items() if v not in IPLOS_SCORES)
        if bad:
            raise InvalidValue(
                "scores", f"scores are 1–5, or 9 for not relevant; wrong for: {', '.join(bad)}"
            )
        when = assessed_on or local_date(now)
        if when > local_date(now):
            raise InvalidValue("assessed_on", "cannot be in the future")
        self.trigger_event(self.IplosRegistered, timestamp=now, command_id=command_id,
                           scores=dict(scores), assessed_on=when, assessed_by=assessed_by)

    def record_medical_information(
        self, now: datetime, *, source: MedicalSource, summary: str,
        diagnoses: list[str] | None = None, dementia_diagnosis: bool = False,
        received_on: date | None = None, command_id: str | None = None,
    ) -> None:
        self._open()
        if not summary.strip():
            raise InvalidValue("summary", "R8 (3): summarise the medical information")
        self.trigger_event(self.MedicalInformationRecorded, timestamp=now, command_id=command_id,
                           source=source, summary=summary, diagnoses=list(diagnoses or []),
                           dementia_diagnosis=dementia_diagnosis,
                           received_on=received_on or local_date(now))

    def record_leon(self, now: datetime, *, entries: list[LeonEntry], recorded_by: str,
                    command_id: str | None = None) -> None:
        self._open()
        if not entries:
            raise InvalidValue("entries", "R8 (4): name at least one measure tried or assessed")
        self.trigger_event(self.LeonMeasuresRecorded, timestamp=now, command_id=command_id,
                           entries=list(entries), recorded_by=recorded_by)

    def record_dementia_investigation(self, now: datetime, *, finding: DementiaFinding,
                                      conclusion: str, recorded_by: str,
                                      command_id: str | None = None) -> None:
        self._open()
        if not conclusion.strip():
            raise InvalidValue("conclusion", "R8 (5): state the investigation's conclusion")
        self.trigger_event(self.DementiaInvestigationRecorded, timestamp=now,
                           command_id=command_id, finding=finding, conclusion=conclusion,
                           recorded_by=recorded_by)

    # --- commands: the decision (vedtak) ---------------------------------------------

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
        decision_id: UUID | None = None,
        command_id: str | None = None,
    ) -> UUID:
        """Make a decision (vedtak). Refused, with every reason named, unless R4–R9 and R14
        are met. Returns the decision's id."""
        if self.status in (CaseStatus.CLOSED, CaseStatus.RESIDENT):
            raise InvalidState("the case is closed or the person already lives in a place")
        if kind not in LEGAL_BASIS:
            raise InvalidValue("kind", "a decision is 'grant', 'waiting_list' or 'rejection'")
        today = local_date(now)
        if not grounds or not grounds.strip():
            raise RuleViolation("R14", "a decision states its grounds: the facts and the main "
                                "considerations", field="grounds", missing=("grounds",))
        if not decided_by or not decided_by.strip():
            raise InvalidValue("decided_by", "name the decision maker")
        younger = age_on(self.person.birth_date, today) < YOUNGER_PERSON_AGE  # R3
        deadline: date | None = None
        services = list(interim_services or [])
        if kind in ("grant", "waiting_list"):
            if place_type is None:
                raise InvalidValue("place_type", "a grant or waiting-list decision names the "
                                   "place type: ordinary, screened or reinforced")
            missing = self.missing_documentation(place_type, today)
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
                deadline = add_months(today, policy.guarantee_months)  # R18
            if younger and not (alternatives_at_home and alternatives_at_home.strip()):
                raise RuleViolation(
                    "R6", f"the person is under {YOUNGER_PERSON_AGE} (R3): record that "
                    "alternatives in the person's own home were sought, or why not",
                    field="alternatives_at_home", missing=("alternatives_at_home",))
        decision_id = decision_id or uuid4()
        self.trigger_event(
            self.DecisionMade,
            timestamp=now,
            command_id=command_id,
            decision_id=decision_id,
            kind=kind,
            place_type=place_type if kind != "rejection" else None,
            facility_kind=facility_kind,
            legal_basis=legal_basis or LEGAL_BASIS[kind],
            grounds=grounds.strip(),
            decided_by=decided_by,
            decided_on=today,
            complaint_right=COMPLAINT_RIGHT,
            complaint_deadline=add_weeks(today, COMPLAINT_WEEKS),
            complaint_to=(
                f"Klagen sendes til tildelingsenheten i kommune {self.municipality}, som "
                "vurderer saken på nytt og sender den til Statsforvalteren om klagen ikke "
                "tas til følge."
            ),
            policy_version=policy_version,
            guarantee_months=policy.guarantee_months if deadline else None,
            deadline=deadline,
            declined_offer_effect=policy.declined_offer_effect,
            free_choice=policy.free_choice,
            younger_person=younger,
            alternatives_at_home=alternatives_at_home,
            interim_services=services,
        )
        return decision_id

    def record_interim_services(self, now: datetime, *, services: list[InterimService],
                                recorded_by: str, command_id: str | None = None) -> None:
        if not self.on_waiting_list:
            raise InvalidState("interim services are recorded for a person on the waiting list")
        if not services:
            raise RuleViolation("R14", "name the services the person gets while waiting",
                                field="services", missing=("services",))
        self.trigger_event(self.InterimServicesRecorded, timestamp=now, command_id=command_id,
                           services=list(services), recorded_by=recorded_by)

    # --- commands: priority (§ 3-3) ---------------------------------------------------

    def assess_priority(
        self, now: datetime, *, factors: dict[str, int], need_score: int, assessor: str,
        policy: PolicySettings, departure_reason: str | None = None,
        command_id: str | None = None,
    ) -> None:
        if self.status in (CaseStatus.CLOSED, CaseStatus.RESIDENT, CaseStatus.REJECTED):
            raise InvalidState("priority is assessed for a person who is waiting")
        known = {f.value for f in PriorityFactor}
        unknown = sorted(set(factors) - known)
        if unknown:
            raise InvalidValue("factors", f"unknown priority factors: {', '.join(unknown)}")
        bad = sorted(k for k, v in factors.items() if not 0 <= v <= FACTOR_MAX)
        if bad:
            raise InvalidValue("factors", f"each factor is scored 0–{FACTOR_MAX}: {bad}")
        if not 0 <= need_score <= 100:
            raise InvalidValue("need_score", "the need score is 0–100")
        if not assessor or not assessor.strip():
            raise RuleViolation("R17", "the priority is a professional judgement: name the "
                                "assessor", field="assessor", missing=("assessor",))
        suggested = policy.suggested_need_score(factors)
        reason = (departure_reason or "").strip() or None
        if abs(need_score - suggested) > policy.score_tolerance and reason is None:
            raise RuleViolation(
                "R17", f"the need score {need_score} departs from the policy's suggestion "
                f"{suggested} by more than {policy.score_tolerance}: give the reason",
                field="departure_reason", missing=("departure_reason",))
        self.trigger_event(self.PriorityAssessed, timestamp=now, command_id=command_id,
                           factors=dict(factors), need_score=need_score,
                           suggested_score=suggested, assessor=assessor,
                           departure_reason=reason, assessed_on=local_date(now))

    def mark_urgent(self, now: datetime, *, reason: str, assessed_by: str,
                    command_id: str | None = None) -> None:
        """R15: the person can no longer be cared for safely at home; they go first."""
        if not self.on_waiting_list:
            raise RuleViolation("R15", "urgency applies to a person on the waiting list or "
                                "granted a stay not yet carried out", field="case_id")
        if not reason or not reason.strip():
            raise RuleViolation("R15", "say why the person can no longer be cared for safely "
                                "at home", field="reason", missing=("reason",))
        if self.urgent:
            return
        self.trigger_event(self.UrgencyMarked, timestamp=now, command_id=command_id,
                           reason=reason, assessed_by=assessed_by)

    def clear_urgency(self, now: datetime, *, reason: str, assessed_by: str,
                      command_id: str | None = None) -> None:
        if not self.urgent:
            raise InvalidState("the case is not marked urgent")
        self.trigger_event(self.UrgencyCleared, timestamp=now, command_id=command_id,
                           reason=reason, assessed_by=assessed_by)

    def record_wishes(self, now: datetime, *, facility_ids: list[str],
                      command_id: str | None = None) -> None:
        self._open()
        if len(set(facility_ids)) != len(facility_ids):
            raise InvalidValue("facility_ids", "each facility is ranked once")
        self.trigger_event(self.WishesRecorded, timestamp=now, command_id=command_id,
                           facility_ids=list(facility_ids))

    def consent_to_living_apart(self, now: datetime, *, statement: str, recorded_by: str,
                                command_id: str | None = None) -> None:
        if not statement.strip():
            raise RuleViolation("R10", "record the consent in the person's words",
                                field="statement")
        self.trigger_event(self.LivingApartConsented, timestamp=now, command_id=command_id,
                           statement=statement, recorded_by=recorded_by)

    # --- commands: offers -------------------------------------------------------------

    def make_offer(
        self, now: datetime, *, offer_id: UUID, kind: OfferKind, target_id: UUID,
        facility_id: str, facility_name: str, place_type: PlaceType, made_by: str,
        deadline_horizon_days: int, non_screened_reason: str | None = None,
        proposal_id: UUID | None = None, command_id: str | None = None,
    ) -> None:
        if self.status is CaseStatus.REJECTED:
            raise RuleViolation("R9", "a rejected person is not on the waiting list and gets "
                                "no offer", field="case_id")
        if not self.on_waiting_list:
            raise InvalidState("an offer goes to a person with a grant or waiting-list "
                               "decision who is not yet placed", field="case_id")
        if self.outstanding_offer is not None:
            raise InvalidState("the person already has an outstanding offer; a person gets "
                               "at most one place", field="case_id")
        if place_type is PlaceType.REINFORCED and self.place_type is not PlaceType.REINFORCED:
            raise InvalidState("a reinforced place is for a person whose decision is for a "
                               "reinforced place", field="place_type")
        reason = (non_screened_reason or "").strip() or None
        if self.has_dementia and place_type is not PlaceType.SCREENED and reason is None:
            raise RuleViolation(
                "R7", "the person has a dementia diagnosis: a place that is not screened needs "
                "a recorded reason (for example to live with a spouse in a double room)",
                field="non_screened_reason", missing=("non_screened_reason",))
        if kind is OfferKind.PURCHASE:
            today = local_date(now)
            near_deadline = self.deadline is not None and (
                (self.deadline - today).days <= deadline_horizon_days
            )
            allowed = (
                self.urgent  # R15
                or self.status is CaseStatus.GRANTED  # R4
                or self.breach_choice is BreachChoice.PURCHASE  # R19
                or (near_deadline and self.breach_choice is not BreachChoice.WAIT)  # R18
            )
            if not allowed:
                raise RuleViolation(
                    "R19", "a place is bought from another provider for an urgent case (R15), "
                    "a grant at once (R4), a deadline about to pass (R18), or after a breach "
                    "when the person chose a purchase", field="kind")
        self.trigger_event(
            self.OfferMade, timestamp=now, command_id=command_id, offer_id=offer_id,
            kind=kind, target_id=target_id, facility_id=facility_id,
            facility_name=facility_name, place_type=place_type, made_by=made_by,
            made_on=local_date(now), non_screened_reason=reason, proposal_id=proposal_id,
        )

    def _offer(self, offer_id: UUID, *statuses: OfferStatus) -> Offer:
        offer = self.offers.get(offer_id)
        if offer is None:
            raise InvalidState("no such offer on this case", field="offer_id")
        if offer.admitted_on is not None:
            raise InvalidState("the person moved in on this offer; end the stay to release "
                               "the place", field="offer_id")
        if offer.status not in statuses:
            raise InvalidState(f"the offer is {offer.status.value}", field="offer_id")
        return offer

    def accept_offer(self, now: datetime, *, offer_id: UUID,
                     command_id: str | None = None) -> Offer:
        offer = self._offer(offer_id, OfferStatus.MADE)
        self.trigger_event(self.OfferAccepted, timestamp=now, command_id=command_id,
                           offer_id=offer_id, answered_on=local_date(now))
        return offer

    def decline_offer(self, now: datetime, *, offer_id: UUID, reason: str,
                      command_id: str | None = None) -> Offer:
        """R18/R20: what declining does to the guarantee follows the decision's policy."""
        offer = self._offer(offer_id, OfferStatus.MADE)
        if self.deadline is None:
            effect = "none"
        elif self.free_choice and self.wishes and offer.facility_id not in self.wishes[:1]:
            effect = "lost"  # R20: declining a non-preferred offer loses the guarantee
        elif self.declined_offer_effect is DeclinedOfferEffect.GUARANTEE_CONTINUES:
            effect = "continues"
        else:
            effect = "fulfilled"
        self.trigger_event(self.OfferDeclined, timestamp=now, command_id=command_id,
                           offer_id=offer_id, answered_on=local_date(now), reason=reason,
                           guarantee=effect)
        return offer

    def withdraw_offer(self, now: datetime, *, offer_id: UUID, reason: str,
                       command_id: str | None = None) -> Offer:
        offer = self._offer(offer_id, OfferStatus.MADE, OfferStatus.ACCEPTED)
        self.trigger_event(self.OfferWithdrawn, timestamp=now, command_id=command_id,
                           offer_id=offer_id, reason=reason)
        return offer

    def admit(self, now: datetime, *, offer_id: UUID, admitted_on: date | None = None,
              command_id: str | None = None) -> Offer:
        offer = self._offer(offer_id, OfferStatus.ACCEPTED)
        day = admitted_on or local_date(now)
        if day < offer.made_on:
            raise InvalidValue("admitted_on", "admission cannot precede the offer")
        self.trigger_event(self.Admitted, timestamp=now, command_id=command_id,
                           offer_id=offer_id, target_id=offer.target_id,
                           facility_id=offer.facility_id, place_type=offer.place_type,
                           purchased=offer.kind is OfferKind.PURCHASE, admitted_on=day)
        self.trigger_event(self.Closed, timestamp=now, command_id=command_id,
                           reason=ClosureReason.PLACED, closed_on=day)
        return offer

    def end_stay(self, now: datetime, *, reason: StayEndReason, ended_on: date,
                 command_id: str | None = None) -> None:
        if self.status is not CaseStatus.RESIDENT or self.residence is None:
            raise InvalidState("the person does not live in a long-term place")
        if ended_on < self.residence[2]:
            raise InvalidValue("ended_on", "cannot be before the admission")
        self.trigger_event(self.StayEnded, timestamp=now, command_id=command_id,
                           reason=reason, ended_on=ended_on)

    def close(self, now: datetime, *, reason: ClosureReason,
              command_id: str | None = None) -> Offer | None:
        """Withdrawn, died or moved away before placement. Checked first; then an
        outstanding offer is withdrawn and the case closed. Returns the withdrawn offer, whose
        place the application releases in the same save."""
        self._open()
        if reason is ClosureReason.PLACED:
            raise InvalidValue("reason", "a case is closed as placed by the admission")
        if self.status is CaseStatus.RESIDENT:
            raise InvalidState("the person lives in a place: end the stay instead")
        offer = self.outstanding_offer
        if offer is not None:
            self.trigger_event(self.OfferWithdrawn, timestamp=now, command_id=command_id,
                               offer_id=offer.offer_id, reason=reason.value)
        self.trigger_event(self.Closed, timestamp=now, command_id=command_id,
                           reason=reason, closed_on=local_date(now))
        return offer

    # --- the guarantee (§ 3-4) --------------------------------------------------------

    def breach_due(self, today: date) -> bool:
        """R18: on the waiting list, past the deadline, no offer that met it, not lost."""
        return (
            self.status is CaseStatus.WAITING
            and self.deadline is not None
            and today > self.deadline
            and self.breached_on is None
            and not self.guarantee_lost
            and (self.guarantee_fulfilled_on is None
                 or self.guarantee_fulfilled_on > self.deadline)
        )

    def check_deadline(self, now: datetime, *, command_id: str | None = None) -> bool:
        """Record the breach once (idempotent: a second run records nothing)."""
        today = local_date(now)
        if not self.breach_due(today):
            return False
        assert self.deadline is not None
        self.trigger_event(self.DeadlineBreached, timestamp=now, command_id=command_id,
                           deadline=self.deadline, breached_on=today)
        return True

    def choose_after_breach(self, now: datetime, *, choice: BreachChoice, recorded_by: str,
                            command_id: str | None = None) -> None:
        """R19: the choice is recorded; the breach stays visible either way."""
        if self.breached_on is None:
            raise RuleViolation("R19", "the choice between a purchased place and waiting on "
                                "follows a deadline breach; this case has none", field="choice")
        if not self.on_waiting_list:
            raise InvalidState("the person is no longer waiting")
        self.trigger_event(self.BreachChoiceRecorded, timestamp=now, command_id=command_id,
                           choice=choice, recorded_on=local_date(now), recorded_by=recorded_by)


def check_spouse_co_location(case: Case, spouse: Case | None, facility_id: str) -> None:
    """R10 (§ 2-3): spouses or cohabitants both in long-term stay live at the same facility.

    Refuses an offer at another facility than the one where the spouse lives or holds an
    offer, unless both have consented to live apart.
    """
    if spouse is None or not spouse.in_long_term_stay:
        return
    held = spouse.facility_held
    if held is None or held == facility_id:
        return
    if case.living_apart_consent and spouse.living_apart_consent:
        return
    raise RuleViolation(
        "R10", f"the spouse lives at or is offered facility {held}; spouses in long-term stay "
        "are given a place at the same facility unless both have consented to live apart",
        field="place_id", missing=("living_apart_consent",))


def link_spouses(now: datetime, case: Case, spouse: Case, *,
                 command_id: str | None = None) -> None:
    """R10 (§ 2-3): link two cases as spouses or cohabitants, both ways.

    Both cases are checked before either changes: they are of the same municipality, open,
    not one and the same, and neither is linked to a third case. Linking a pair that is
    already linked (either way or both) only completes the link: idempotent, never refused.
    """
    if case.municipality != spouse.municipality:
        raise RuleViolation("R10", "spouses' cases are linked within one municipality",
                            field="municipality")
    case.check_spouse_link(spouse.id)
    spouse.check_spouse_link(case.id)
    case.link_spouse(now, spouse_case_id=spouse.id, command_id=command_id)
    spouse.link_spouse(now, spouse_case_id=case.id, command_id=command_id)
