"""What a case holds: the base of its events and the records its state is made of.

The concept modules (:mod:`.intake`, :mod:`.decisions`, :mod:`.priority`, :mod:`.spouses`,
:mod:`.offers`, :mod:`.stays`, :mod:`.guarantee_commands`) each add their events and
commands to :class:`~domain.case.Case`; the attributes they share are declared once here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.base import Base
from domain.case.guarantee import Guarantee
from domain.case.lifecycle import CaseStatus
from domain.values import (
    BreachChoice,
    Channel,
    ClosureReason,
    DeclinedOfferEffect,
    DeliveryChannel,
    DementiaFinding,
    FacilityKind,
    InterimService,
    LeonEntry,
    MedicalSource,
    MoveReason,
    OfferKind,
    OfferStatus,
    OfferUnsuitability,
    Person,
    PlaceType,
    StayEndReason,
)


class CaseEvent(Base.Event):
    """Every event of a case. The concept modules declare their events on ``Base.Event``;
    the library redefines each on :class:`~domain.case.Case` as a subclass of this one
    (``Case.DecisionMade`` and so on)."""


@dataclass
class Decision:
    decision_id: UUID
    kind: str  # "grant", "waiting_list" or "rejection"
    place_type: PlaceType | None
    decided_on: date
    decided_by: str
    policy_version: int
    deadline: date | None
    facility_kind: FacilityKind | None = None
    #: R14: when and how the decision was sent, and when the person received it
    #: (:mod:`domain.case.delivery`); None until recorded.
    sent_on: date | None = None
    channel: DeliveryChannel | None = None
    received_on: date | None = None
    #: R21: the complaint this decision was made after (changed or quashed), if any
    complaint_id: UUID | None = None
    #: R23: the person's waiting-list date under this decision (None off the list)
    waiting_since: date | None = None


@dataclass
class Offer:
    offer_id: UUID
    kind: OfferKind
    target_id: UUID  # the Place, or the ProviderOffer for a purchase
    facility_id: str
    facility_name: str
    place_type: PlaceType
    made_on: date
    facility_kind: FacilityKind | None = None
    available_on: date | None = None  # the day the place can be moved into
    answer_by: date | None = None  # R26: svarfrist
    suitable: bool = True  # R18: meets the guarantee
    unsuitable: tuple[OfferUnsuitability, ...] = ()
    status: OfferStatus = OfferStatus.MADE
    answered_on: date | None = None
    #: The day the person moved (or will move) in on this offer; an admitted offer is no
    #: longer outstanding (its status stays "accepted").
    admitted_on: date | None = None
    #: R11: on the accompanying spouse's case, the resident spouse's offer this one follows
    #: (the second bed of the same double room); None for an ordinary offer.
    accompanies: UUID | None = None
    #: R28: a move offer (flytting) to a resident, and why; None for an offer of a first
    #: place (:mod:`domain.case.moves`).
    move_reason: MoveReason | None = None

    @property
    def outstanding(self) -> bool:
        return self.status in (OfferStatus.MADE, OfferStatus.ACCEPTED) and \
            self.admitted_on is None


@dataclass
class PriorityAssessment:
    need_score: int
    suggested_score: int
    factors: dict[str, int]
    assessor: str
    assessed_on: date
    departure_reason: str | None
    policy_version: int | None = None


@dataclass
class Documentation:
    own_account: bool = False
    relatives: bool = False
    no_relatives: bool = False  # R8 (1): a recorded statement that there are none
    iplos_assessed_on: date | None = None
    iplos_scores: dict[str, int] = field(default_factory=dict)
    medical_sources: set[MedicalSource] = field(default_factory=set)
    competence_centre_involved: bool = False  # R8 (3): reinforced places (5.3.4)
    leon: list[LeonEntry] = field(default_factory=list)
    dementia_finding: DementiaFinding | None = None
    dementia_diagnosis: bool = False


@dataclass
class Residence:
    """Where the person lives in long-term stay (R24: an admission may be planned)."""

    target_id: UUID
    facility_id: str
    admitted_on: date
    purchased: bool
    place_type: PlaceType | None = None


@dataclass
class AccompanyingStay:
    """R11 (§ 2-3 second paragraph): the decision that this person lives with the resident
    spouse (``resident_case_id``) in an accompanying stay; ``concluded``: the new decision
    on it, if one was made ("ordinary_stay" or "ended")."""

    decision_id: UUID
    resident_case_id: UUID
    decided_on: date
    concluded: str | None = None


@dataclass
class BridgingStay:
    """R2, R15 (notat 2.4): a short-term stay that bridges the wait for a long-term place."""

    facility_name: str
    unit: str
    from_on: date
    to_on: date | None


class CaseState:
    """The attributes of a case (set in :meth:`Case.__init__`, changed by its events)."""

    id: UUID
    municipality: str
    person: Person
    received_on: date
    channel: Channel
    spouse_case_id: UUID | None
    accompanying_spouse: bool
    receives_other_services: bool
    dementia_suspected: bool
    docs: Documentation
    status: CaseStatus
    decisions: list[Decision]
    place_type: PlaceType | None
    facility_kind: FacilityKind | None
    declined_offer_effect: DeclinedOfferEffect
    free_choice: bool
    review_every_months: int
    grant_alert_days: int
    iplos_max_age_months: int
    guarantee: Guarantee
    breach_choice: BreachChoice | None
    interim_services: list[InterimService]
    priority: PriorityAssessment | None
    urgency_reason: str | None
    wishes: list[str]
    living_apart_consent: bool
    offers: dict[UUID, Offer]
    residence: Residence | None
    bridging: list[BridgingStay]
    closure: ClosureReason | None
    stay_ended: tuple[StayEndReason, date] | None
    accompanying: AccompanyingStay | None

    if TYPE_CHECKING:  # the library's, declared for the concept modules' type checks
        def trigger_event(self, event_class: type, **kwargs: Any) -> None: ...
