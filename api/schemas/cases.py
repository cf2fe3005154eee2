"""The bodies of a case's commands: the application, the § 2-2 documentation (R8), the
decision, the priority assessment and urgency, what is recorded while the person waits
(bridging stays, interim services, wishes, the spouse), and the end of a case or a stay; with
the answers that name what an application or a decision created. Offers are in
:mod:`api.schemas.offers`."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.common import IdentityText, In, IsoDate, ScoresByName, Short, Text
from domain.values import (
    BreachChoice,
    Channel,
    ClosureReason,
    DecisionKind,
    DeliveryChannel,
    DementiaFinding,
    FacilityKind,
    LeonMeasure,
    LeonStatus,
    MedicalSource,
    PlaceType,
    StayEndReason,
)

# --- the application and the § 2-2 documentation (R8) ----------------------------------------


class ApplicationIn(In):
    """An application (søknad). The identity number goes in the body, never in a URL."""

    identity_number: IdentityText = Field(description="fødselsnummer or D-number, 11 digits")
    name: Short
    received_on: IsoDate | None = Field(None, description="default: today")
    channel: Channel = Channel.DIGITAL
    spouse_case_id: UUID | None = Field(None, description="R10: the spouse's case, if any")
    accompanying_spouse: bool = Field(
        False, description="R11: the couple wishes the spouse to accompany the applicant (a "
        "wish only: the accompanying stay is decided on the spouse's own case, "
        "POST /cases/{spouse}/accompanying-stay)")
    receives_other_services: bool = Field(True, description="R8 (2): IPLOS is needed if so")
    dementia_suspected: bool = Field(False, description="R8 (5): a dementia investigation "
                                     "is needed if so")


class OwnAccountIn(In):
    """R8 (1): the person's own account, "what matters to you"."""

    what_matters: Text
    account: Text


class RelativesIn(In):
    """R8 (1): information from relatives or the guardian."""

    name: Short
    relation: Short
    information: Text
    is_guardian: bool = False


class IplosIn(In):
    """R8 (2): an IPLOS registration, each variable 1–5 or 9 (not relevant)."""

    scores: ScoresByName
    assessed_by: Short | None = Field(None, description="default: you")
    assessed_on: IsoDate | None = Field(None, description="default: today")


class MedicalIn(In):
    """R8 (3): medical information from the GP, the specialist health service or a
    competence centre."""

    source: MedicalSource
    summary: Text
    diagnoses: list[Short] = Field(default_factory=list, max_length=50)
    dementia_diagnosis: bool = False
    received_on: IsoDate | None = None
    competence_centre_involved: bool = Field(
        False, description="R8 (3): a competence centre has been involved (then a reinforced "
        "place needs its view too)")


class NoRelativesIn(In):
    """R8 (1): a statement that there are no relatives or guardian to ask."""

    statement: Text


class DementiaSuspicionIn(In):
    """R8 (5): failing self-care from dementia is suspected (at any time)."""

    reason: Text


class OtherServicesIn(In):
    """R8 (2): whether the person receives other services changed."""

    receives_other_services: bool


class LeonEntryIn(In):
    measure: LeonMeasure
    status: LeonStatus
    outcome: Text


class LeonIn(In):
    """R8 (4): lower-level measures tried or assessed (LEON)."""

    entries: list[LeonEntryIn] = Field(min_length=1, max_length=20)


class DementiaInvestigationIn(In):
    """R8 (5): the dementia investigation."""

    finding: DementiaFinding
    conclusion: Text
    recorded_by: Short | None = Field(None, description="default: you")


# --- decisions, priority and urgency (R4, R5, R9, R15, R16, R17, R19) ------------------------


class InterimServiceIn(In):
    """R14: a service the person gets while waiting."""

    service: Short
    extent: Short


class DecisionIn(In):
    """A decision (vedtak): grant (R4), waiting list (R5) or rejection (R9). The decision
    maker is you."""

    kind: DecisionKind
    grounds: Text
    place_type: PlaceType | None = None
    facility_kind: FacilityKind | None = None
    can_be_cared_for_safely_at_home: bool | None = Field(
        None, description="R4 grant: false; R5 waiting list: true")
    alternatives_at_home: Text | None = Field(None, description="R6 for a younger person")
    interim_services: list[InterimServiceIn] | None = Field(None, max_length=20)
    legal_basis: Text | None = None
    decided_on: IsoDate | None = Field(None, description="R24: the decision date (vedtaksdato); "
                                    "default today; not in the future, not before the "
                                    "application")
    complaint_id: UUID | None = Field(
        None, description="R21: the complaint whose outcome quashed the decision before; the "
        "new decision is linked to it and keeps the waiting-list date")


class DecisionSentIn(In):
    """R14: when and how the decision was sent, and the receipt if known already."""

    sent_on: IsoDate = Field(description="the day it was sent: not in the future, not before "
                             "the decision (R24)")
    channel: DeliveryChannel = Field(description="post, digital_mailbox (digital postkasse) "
                                     "or handed_over (overlevert: received that day)")
    received_on: IsoDate | None = Field(None, description="the day the person received it, "
                                        "if known: not before it was sent")


class DecisionReceivedIn(In):
    """R14: the day the person received the decision (the complaint deadline runs from
    it)."""

    received_on: IsoDate = Field(description="not in the future, not before the decision or "
                                 "its sending")


class InterimServicesIn(In):
    services: list[InterimServiceIn] = Field(max_length=20)


class PriorityIn(In):
    """R16, R17: the professional assessment of need."""

    factors: ScoresByName = Field(description="factor → severity 0–4")
    need_score: int = Field(description="0–100")
    assessor: Short | None = Field(None, description="default: you")
    departure_reason: Text | None = Field(
        None, description="R17: needed when the score departs from the policy's suggestion")
    assessed_on: IsoDate | None = Field(None, description="default: today; the policy in force "
                                     "on this day suggests the score")


class SuggestionIn(In):
    """R16, R17: the factors as the assessor has scored them so far."""

    factors: ScoresByName = Field(description="factor → severity 0–4")
    assessed_on: IsoDate | None = None


class SuggestionOut(BaseModel):
    suggested_score: int
    policy_version: int
    special_weight: bool = Field(description="R16: a factor of special weight is present")


class UrgencyIn(In):
    """R15: the person can no longer be cared for safely at home (urgent=true): a grant to
    be carried out at once is recorded. Urgency is ended by a new waiting-list decision."""

    urgent: bool
    reason: Text
    decided_on: IsoDate | None = Field(None, description="the grant's date; default today")


class BreachChoiceIn(In):
    """R19: after a deadline breach, a purchased place or waiting on."""

    choice: BreachChoice


# --- while waiting: bridging stays, wishes, the spouse (R2, R10, R15, R16/R20) ---------------


class BridgingStayIn(In):
    """R2, R15: a short-term stay that bridges the wait for a long-term place."""

    facility_name: Short
    unit: Short
    from_on: IsoDate
    to_on: IsoDate | None = None


class BridgingStayEndIn(In):
    to_on: IsoDate


class WishesIn(In):
    """R16/R20: the person's wishes, facilities in ranked order."""

    facility_ids: list[Short] = Field(max_length=20)


class SpouseIn(In):
    """R10: link two cases as spouses or cohabitants."""

    spouse_case_id: UUID


class LivingApartIn(In):
    """R10: the person's consent to live apart from the spouse."""

    statement: Text


class AccompanyingStayIn(In):
    """R11 (§ 2-3 second paragraph): a decision on an accompanying stay on this, the
    spouse's, case. The decision maker is you."""

    resident_case_id: UUID = Field(description="the resident spouse's case (linked, R10)")
    wish: Text = Field(description="that both spouses wish it, in their words")
    grounds: Text
    decided_on: IsoDate | None = Field(None, description="R24: the decision date; default "
                                       "today; not in the future, not before the application")


class AccompanyingConclusionIn(In):
    """R11: the new decision on an accompanying stay (after the resident spouse died or
    moved, or whenever the municipality decides on it). The decision maker is you."""

    outcome: Literal["ordinary_stay", "ended"] = Field(
        description="ordinary_stay: it continues as an ordinary long-term stay; ended: the "
        "stay ends on ended_on")
    grounds: Text
    ended_on: IsoDate | None = Field(None, description="required when the stay ends; ahead: "
                                     "planned, the bed is hers or his until then (R24)")
    decided_on: IsoDate | None = Field(None, description="R24: the decision date; default "
                                       "today")


# --- the end of a case or a stay -------------------------------------------------------------


class EndStayIn(In):
    reason: StayEndReason
    ended_on: IsoDate | None = Field(None, description="default: today")


class CloseCaseIn(In):
    reason: ClosureReason


# --- answers to writes -----------------------------------------------------------------------


class CaseCreated(BaseModel):
    case_id: UUID
    case_number: str | None = Field(description="saksnummer, e.g. 2026/0042")
    identity_number_masked: str


class DecisionOut(BaseModel):
    case_id: UUID
    decision_id: UUID
