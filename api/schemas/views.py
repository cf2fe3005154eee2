"""The read views: a case as it stands now with its history (:func:`case_view`, the
guarantee by :func:`guarantee_view`), and the read models of the waiting list, the vacancy
board, the reports and the deadline check."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.common import mask
from domain.case import Case, Decision, deadline_of
from domain.values import PlaceType
from projections.vacancy_board import PlaceRow, ProviderOfferRow
from projections.waiting_list import WaitingListEntry

# --- a case ----------------------------------------------------------------------------------


def _decision_view(x: Decision) -> DecisionView:
    deadline = deadline_of(x)
    return DecisionView(
        decision_id=x.decision_id, kind=x.kind,
        place_type=x.place_type.value if x.place_type else None, decided_on=x.decided_on,
        decided_by=x.decided_by, policy_version=x.policy_version, deadline=x.deadline,
        sent_on=x.sent_on, channel=x.channel.value if x.channel else None,
        received_on=x.received_on, complaint_deadline=deadline.deadline,
        complaint_deadline_basis=deadline.basis)


class DecisionView(BaseModel):
    decision_id: UUID
    kind: str
    place_type: str | None
    decided_on: date
    decided_by: str
    policy_version: int
    deadline: date | None
    sent_on: date | None = Field(None, description="R14: the day the decision was sent")
    channel: str | None = Field(None, description="R14: post, digital_mailbox or handed_over")
    received_on: date | None = Field(None, description="R14: the day the person received it")
    complaint_deadline: date | None = Field(
        None, description="R14: four weeks from the receipt (or from the sending plus the "
        "usual delivery time); null while neither is recorded")
    complaint_deadline_basis: str = Field(
        "unknown", description="R14: 'received', 'sent' or 'unknown'")


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
    case_number: str | None = Field(
        description="saksnummer (year/number, per municipality), e.g. 2026/0042; null only "
        "for a case recorded before case numbers until the service has given it one")
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
        case_id=case.id, case_number=case.case_number, version=case.version,
        name=case.person.name,
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
        decisions=[_decision_view(x) for x in case.decisions],
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


# --- the waiting list, the vacancy board, the reports and the deadlines ----------------------


class View(BaseModel):
    """A read model: ``today`` is the day days waited and days left are counted to; ``at``
    is set when the view is as it stood at a past moment (R21)."""

    municipality: str
    today: date
    at: datetime | None = None


class Paged(BaseModel):
    """A page of a list: rows ``offset + 1`` to ``offset + limit`` of ``total``."""

    total: int = Field(description="how many rows the whole list holds")
    offset: int = Field(description="rows skipped before this page")
    limit: int = Field(description="the most rows a page holds")


class WaitingListOut(View, Paged):
    """R12: the waiting list in rank order (R15, R16), a page of it: ``rank`` is the place
    in the whole list, not in the page."""

    entries: list[WaitingListEntry]


class VacancyBoardOut(View, Paged):
    """Vacant, reserved and closed own places (a page of them: ``total`` counts the places);
    other providers' offers (the same page of them: ``provider_offers_total``)."""

    places: list[PlaceRow]
    provider_offers: list[ProviderOfferRow]
    provider_offers_total: int = 0


class ReportOut(View):
    """A report from the read side (deadline monitor, statistics, activity report, breach
    report, complaints, access log). For managers, names and case ids are removed."""

    data: Any


class PagedReportOut(ReportOut, Paged):
    """A report that is a list (complaints, the access log): ``data`` is a page of it."""


class DeadlineCheckOut(BaseModel):
    breached_case_ids: list[UUID]
    lapsed_case_ids: list[UUID] = Field(default_factory=list,
                                        description="R26: offers recorded as lapsed")
