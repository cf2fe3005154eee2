"""Request and response bodies of the JSON routes.

Bodies forbid unknown fields (a misspelt field is a 422 naming it, never silently dropped).
Text fields refuse control characters (a NUL would break a PostgreSQL read model) and are
bounded in length. The identity number (fødselsnummer, D-number) appears in one body only,
the application; no response carries it, only :func:`mask` of it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from domain.case import Case
from domain.values import (
    BreachChoice,
    Channel,
    ClosureReason,
    DecisionKind,
    DementiaFinding,
    FacilityKind,
    LeonMeasure,
    LeonStatus,
    MedicalSource,
    PlaceType,
    RoomKind,
    StayEndReason,
)
from projections.vacancy_board import PlaceRow, ProviderOfferRow
from projections.waiting_list import WaitingListEntry

_NO_CONTROL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"

#: A line or a paragraph of text (no control characters but tab and line breaks).
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000, pattern=_NO_CONTROL)]
#: A name, a facility id, a reference.
Short = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_NO_CONTROL)]
#: The identity number: 11 digits (spaces allowed); the domain checks the check digits.
IdentityText = Annotated[str, StringConstraints(min_length=11, max_length=13,
                                                pattern=r"^[0-9 ]+$")]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


def mask(identity_number: str) -> str:
    """The birth-date part and five stars: enough to tell two persons apart on a screen,
    never the whole number."""
    return identity_number[:6] + "*****"


# --- applications and documentation ----------------------------------------------------


class ApplicationIn(In):
    """An application (søknad). The identity number goes in the body, never in a URL."""

    identity_number: IdentityText = Field(description="fødselsnummer or D-number, 11 digits")
    name: Short
    received_on: date | None = Field(None, description="default: today")
    channel: Channel = Channel.DIGITAL
    spouse_case_id: UUID | None = Field(None, description="R10: the spouse's case, if any")
    accompanying_spouse: bool = Field(False, description="R11: an accompanying stay")
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

    scores: dict[Short, int]
    assessed_by: Short | None = Field(None, description="default: you")
    assessed_on: date | None = Field(None, description="default: today")


class MedicalIn(In):
    """R8 (3): medical information from the GP, the specialist health service or a
    competence centre."""

    source: MedicalSource
    summary: Text
    diagnoses: list[Short] = Field(default_factory=list, max_length=50)
    dementia_diagnosis: bool = False
    received_on: date | None = None
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
    decided_on: date | None = Field(None, description="R24: the decision date (vedtaksdato); "
                                    "default today; not in the future, not before the "
                                    "application")


class InterimServicesIn(In):
    services: list[InterimServiceIn] = Field(max_length=20)


class PriorityIn(In):
    """R16, R17: the professional assessment of need."""

    factors: dict[Short, int] = Field(description="factor → severity 0–4")
    need_score: int = Field(description="0–100")
    assessor: Short | None = Field(None, description="default: you")
    departure_reason: Text | None = Field(
        None, description="R17: needed when the score departs from the policy's suggestion")
    assessed_on: date | None = Field(None, description="default: today; the policy in force "
                                     "on this day suggests the score")


class SuggestionIn(In):
    """R16, R17: the factors as the assessor has scored them so far."""

    factors: dict[Short, int] = Field(description="factor → severity 0–4")
    assessed_on: date | None = None


class SuggestionOut(BaseModel):
    suggested_score: int
    policy_version: int
    special_weight: bool = Field(description="R16: a factor of special weight is present")


class UrgencyIn(In):
    """R15: the person can no longer be cared for safely at home (urgent=true): a grant to
    be carried out at once is recorded. Urgency is ended by a new waiting-list decision."""

    urgent: bool
    reason: Text
    decided_on: date | None = Field(None, description="the grant's date; default today")


class BridgingStayIn(In):
    """R2, R15: a short-term stay that bridges the wait for a long-term place."""

    facility_name: Short
    unit: Short
    from_on: date
    to_on: date | None = None


class BridgingStayEndIn(In):
    to_on: date


class WishesIn(In):
    """R16/R20: the person's wishes, facilities in ranked order."""

    facility_ids: list[Short] = Field(max_length=20)


class SpouseIn(In):
    """R10: link two cases as spouses or cohabitants."""

    spouse_case_id: UUID


class LivingApartIn(In):
    """R10: the person's consent to live apart from the spouse."""

    statement: Text


class OfferIn(In):
    """A manual offer: an own place or another provider's place (exactly one)."""

    place_id: UUID | None = None
    provider_offer_id: UUID | None = None
    type_reason: Text | None = Field(
        None, description="R7: why a place of another type than the decided one (e.g. not "
        "screened for a person with dementia, to live with the spouse)")
    unsuitable_reason: Text | None = Field(
        None, description="R18: why a place that does not meet the decision is offered all "
        "the same (it does not meet the guarantee)")
    non_screened_reason: Text | None = Field(None, description="earlier name of type_reason",
                                             deprecated=True)


def type_reason(body: OfferIn | ApproveIn | ChangeIn) -> str | None:
    """R7: the reason for another place type, under its name or its earlier one."""
    if body.type_reason is not None:
        return body.type_reason
    if "non_screened_reason" in body.model_fields_set:
        return body.__dict__.get("non_screened_reason")
    return None


class AnswerIn(In):
    """The person's answer to an offer."""

    answer: Literal["accept", "decline"]
    reason: Text | None = Field(None, description="required when declining")


class ReasonIn(In):
    reason: Text


class AdmissionIn(In):
    admitted_on: date | None = Field(None, description="default: today")


class EndStayIn(In):
    reason: StayEndReason
    ended_on: date | None = Field(None, description="default: today")


class CloseCaseIn(In):
    reason: ClosureReason


class BreachChoiceIn(In):
    """R19: after a deadline breach, a purchased place or waiting on."""

    choice: BreachChoice


# --- places and other providers ----------------------------------------------------------


class PlaceIn(In):
    """R1: a place, its facility, unit, room and type. Registering the same room again is
    a no-op returning the same place."""

    facility_id: Short
    facility_name: Short
    facility_kind: FacilityKind
    unit: Short
    room: Short
    place_type: PlaceType
    room_kind: RoomKind = RoomKind.SINGLE
    available_from: date | None = None


class ProviderOfferIn(In):
    """Another provider's place at a price per day (kjøp fra annen leverandør)."""

    provider: Short
    reference: Short
    facility_name: Short
    facility_kind: FacilityKind
    place_type: PlaceType
    price_per_day: Decimal = Field(gt=0, lt=1_000_000, max_digits=12, decimal_places=2)
    room_kind: RoomKind = RoomKind.SINGLE
    available_from: date | None = None
    valid_until: date | None = None


# --- allocation runs -------------------------------------------------------------------


class ApproveIn(In):
    """R17: approve the proposed offer as proposed."""

    type_reason: Text | None = Field(None, description="R7, if not proposed with one")
    unsuitable_reason: Text | None = Field(None, description="R18")
    non_screened_reason: Text | None = Field(None, description="earlier name of type_reason",
                                             deprecated=True)


class ChangeIn(In):
    """R17: approve with another place than the one proposed; the reason is required."""

    place_id: UUID | None = None
    provider_offer_id: UUID | None = None
    reason: Text
    type_reason: Text | None = None
    unsuitable_reason: Text | None = None
    non_screened_reason: Text | None = Field(None, description="earlier name of type_reason",
                                             deprecated=True)


class RunIn(In):
    """An allocation run. R16, R17: when persons on the list are not assessed, the run is
    refused (409 ``unassessed_persons`` naming them) until it is sent with
    ``confirm_unassessed``."""

    confirm_unassessed: bool = False


# --- complaints ----------------------------------------------------------------------------


class ComplaintIn(In):
    """R21: a complaint (klage) against a decision or an offer."""

    case_id: UUID
    against: Literal["decision", "offer"]
    subject_id: UUID = Field(description="the decision's or the offer's id")
    received_on: date
    grounds: Text


class ReconsiderationIn(In):
    """The allocation unit's reconsideration: upheld in full, or not (then forward it)."""

    upheld: bool
    reasoning: Text
    decided_on: date | None = Field(None, description="default: today")


class ForwardIn(In):
    forwarded_on: date | None = Field(None, description="default: today")


class OutcomeIn(In):
    """Statsforvalteren's outcome."""

    outcome: Literal["confirmed", "changed", "quashed"]
    decided_on: date
    summary: Text


# --- auth --------------------------------------------------------------------------------


class DemoTokenIn(In):
    username: Short = Field(description="saksbehandler, leder, klagebehandler or "
                            "saksbehandler-oslo", examples=["saksbehandler"])


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    role: str
    municipality: str


class MeOut(BaseModel):
    subject: str
    name: str
    role: str
    role_label: str
    municipality: str
    sees_identity: bool


# --- answers to writes ----------------------------------------------------------------------


class CaseCreated(BaseModel):
    case_id: UUID
    identity_number_masked: str


class Recorded(BaseModel):
    """A write that creates nothing new to name."""

    recorded: Literal[True] = True
    case_id: UUID | None = None


class DecisionOut(BaseModel):
    case_id: UUID
    decision_id: UUID


class OfferOut(BaseModel):
    case_id: UUID
    offer_id: UUID


class PlaceOut(BaseModel):
    place_id: UUID


class ProviderOfferOut(BaseModel):
    provider_offer_id: UUID


class ComplaintCreated(BaseModel):
    complaint_id: UUID
    case_id: UUID


class DeadlineCheckOut(BaseModel):
    breached_case_ids: list[UUID]
    lapsed_case_ids: list[UUID] = Field(default_factory=list,
                                        description="R26: offers recorded as lapsed")


# --- a case --------------------------------------------------------------------------------


class DecisionView(BaseModel):
    decision_id: UUID
    kind: str
    place_type: str | None
    decided_on: date
    decided_by: str
    policy_version: int
    deadline: date | None


class OfferView(BaseModel):
    offer_id: UUID
    kind: str
    target_id: UUID
    facility_id: str
    facility_name: str
    place_type: str
    made_on: date
    status: str
    answered_on: date | None
    available_on: date | None = None
    answer_by: date | None = None  # R26
    suitable: bool = True  # R18
    unsuitable: list[str] = Field(default_factory=list)


class PriorityView(BaseModel):
    need_score: int
    suggested_score: int
    factors: dict[str, int]
    assessor: str
    assessed_on: date
    departure_reason: str | None
    policy_version: int | None = None


class GuaranteeView(BaseModel):
    """R18, R23: the waiting-list guarantee as it stands today (the domain's one judge)."""

    status: str  # none, running, met, breached, lost
    waiting_since: date | None
    period: int | None
    deadline: date | None
    days_left: int | None
    met_on: date | None
    met_how: str | None
    breached_on: date | None
    breach_due: bool
    breaches: list[dict[str, Any]]


class HistoryView(BaseModel):
    version: int
    at: datetime
    event: str
    text: str
    who: str | None


class CaseView(BaseModel):
    """A case as it stands now, with its history (R21)."""

    case_id: UUID
    version: int
    name: str
    identity_number_masked: str
    birth_date: date
    received_on: date
    channel: str
    status: str
    spouse_case_id: UUID | None
    accompanying_spouse: bool
    receives_other_services: bool
    dementia_suspected: bool
    has_dementia: bool
    documentation: dict[str, Any]
    missing_documentation: list[str] = Field(
        description="R8: what a grant or waiting-list decision still lacks, for the decided "
        "place type (ordinary if none yet)")
    decisions: list[DecisionView]
    place_type: str | None
    facility_kind: str | None
    waiting_since: date | None
    deadline: date | None
    breached_on: date | None
    breach_choice: str | None
    guarantee: GuaranteeView
    interim_services: list[dict[str, str]]
    priority: PriorityView | None
    urgent: bool
    urgency_reason: str | None
    grant_overdue_days: int | None = Field(
        description="R4: days since a grant not carried out within the policy's days")
    review_due_on: date | None = Field(description="R27: the next review of a waiting case")
    iplos_outdated: bool = Field(description="R8 (2), R27: IPLOS missing or too old")
    bridging_stays: list[dict[str, Any]]
    wishes: list[str]
    living_apart_consent: bool
    offers: list[OfferView]
    residence: dict[str, Any] | None
    closure: str | None
    stay_ended: dict[str, Any] | None
    history: list[HistoryView]


def guarantee_view(case: Case, today: date) -> GuaranteeView:
    state = case.guarantee.state(today)
    return GuaranteeView(
        status=state.status.value, waiting_since=state.waiting_since, period=state.period,
        deadline=state.deadline, days_left=state.days_left, met_on=state.met_on,
        met_how=state.met_how.value if state.met_how else None,
        breached_on=state.breached_on, breach_due=state.breach_due,
        breaches=[{"period": p.number, "deadline": p.deadline, "breached_on": p.breached_on}
                  for p in case.guarantee.breaches])


def case_view(case: Case, history: list[Any], today: date) -> CaseView:
    d = case.docs
    planned = case.place_type or PlaceType.ORDINARY
    return CaseView(
        case_id=case.id, version=case.version, name=case.person.name,
        identity_number_masked=mask(case.person.identity_number),
        birth_date=case.person.birth_date, received_on=case.received_on,
        channel=case.channel.value, status=case.status.value,
        spouse_case_id=case.spouse_case_id, accompanying_spouse=case.accompanying_spouse,
        receives_other_services=case.receives_other_services,
        dementia_suspected=case.dementia_suspected, has_dementia=case.has_dementia,
        documentation={
            "own_account": d.own_account, "relatives": d.relatives,
            "no_relatives": d.no_relatives,
            "competence_centre_involved": d.competence_centre_involved,
            "iplos_assessed_on": d.iplos_assessed_on.isoformat() if d.iplos_assessed_on
            else None,
            "medical_sources": sorted(s.value for s in d.medical_sources),
            "leon": [{"measure": e.measure.value, "status": e.status.value,
                      "outcome": e.outcome} for e in d.leon],
            "dementia_finding": d.dementia_finding.value if d.dementia_finding else None,
            "dementia_diagnosis": d.dementia_diagnosis,
        },
        missing_documentation=list(case.missing_documentation(planned, today)),
        decisions=[DecisionView(
            decision_id=x.decision_id, kind=x.kind,
            place_type=x.place_type.value if x.place_type else None, decided_on=x.decided_on,
            decided_by=x.decided_by, policy_version=x.policy_version, deadline=x.deadline)
            for x in case.decisions],
        place_type=case.place_type.value if case.place_type else None,
        facility_kind=case.facility_kind.value if case.facility_kind else None,
        waiting_since=case.waiting_since,
        deadline=case.deadline, breached_on=case.breached_on,
        breach_choice=case.breach_choice.value if case.breach_choice else None,
        guarantee=guarantee_view(case, today),
        interim_services=[{"service": s.service, "extent": s.extent}
                          for s in case.interim_services],
        priority=PriorityView(**vars(case.priority)) if case.priority else None,
        urgent=case.urgent, urgency_reason=case.urgency_reason,
        grant_overdue_days=case.grant_overdue(today),
        review_due_on=case.review_due_on(),
        iplos_outdated=case.on_waiting_list and case.iplos_outdated(today),
        bridging_stays=[{"facility_name": b.facility_name, "unit": b.unit,
                         "from_on": b.from_on, "to_on": b.to_on} for b in case.bridging],
        wishes=list(case.wishes),
        living_apart_consent=case.living_apart_consent,
        offers=[OfferView(
            offer_id=o.offer_id, kind=o.kind.value, target_id=o.target_id,
            facility_id=o.facility_id, facility_name=o.facility_name,
            place_type=o.place_type.value, made_on=o.made_on, status=o.status.value,
            answered_on=o.answered_on, available_on=o.available_on, answer_by=o.answer_by,
            suitable=o.suitable, unsuitable=[u.value for u in o.unsuitable])
            for o in case.offers.values()],
        residence={"target_id": str(case.residence.target_id),
                   "facility_id": case.residence.facility_id,
                   "admitted_on": case.residence.admitted_on.isoformat(),
                   "purchased": case.residence.purchased} if case.residence else None,
        closure=case.closure.value if case.closure else None,
        stay_ended={"reason": case.stay_ended[0].value,
                    "ended_on": case.stay_ended[1].isoformat()} if case.stay_ended else None,
        history=[HistoryView(version=h.version, at=h.at, event=h.event, text=h.text,
                             who=h.who) for h in history],
    )


# --- allocation runs ------------------------------------------------------------------------


class RunSummary(BaseModel):
    run_id: UUID
    at: datetime
    as_of: date
    started_by: str
    problem_hash: str
    proposed: int


class RunView(BaseModel):
    """An allocation run: the proposal with its explanation and the officer's answer to
    each proposed offer (R17)."""

    run_id: UUID
    at: datetime
    as_of: date
    started_by: str
    problem_hash: str
    solver: dict[str, Any]
    plan: dict[str, Any]
    items: list[dict[str, Any]] = Field(
        description="one per proposed offer: case_id, proposed target, status "
        "(proposed/approved/changed/rejected), offer_id once approved")


class RerunOut(BaseModel):
    """R21: the recorded problem solved again."""

    run_id: UUID
    identical: bool
    problem_hash: str
    recorded_problem_hash: str
    recorded_plan: dict[str, Any]
    plan: dict[str, Any]


# --- reads -----------------------------------------------------------------------------------


class View(BaseModel):
    """A read model: ``today`` is the day days waited and days left are counted to; ``at``
    is set when the view is as it stood at a past moment (R21)."""

    municipality: str
    today: date
    at: datetime | None = None


class WaitingListOut(View):
    """R12: everyone on the waiting list, in rank order (R15, R16)."""

    entries: list[WaitingListEntry]


class VacancyBoardOut(View):
    """Vacant, reserved and closed own places; other providers' offers."""

    places: list[PlaceRow]
    provider_offers: list[ProviderOfferRow]


class ReportOut(View):
    """A report from the read side (deadline monitor, statistics, activity report, breach
    report, complaints, access log). For managers, names and case ids are removed."""

    data: Any
