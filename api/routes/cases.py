"""The allocation unit's case work (tildelingsenheten): applications, the § 2-2
documentation, decisions, priority, urgency, wishes, spouses, offers and their answers,
admission, end of stay and the breach choice. Every route here is a
:class:`~api.routing.CaseRoute`: each call is one entry in the case's access log; a read of
the case answers with its version as ``ETag``, and a write on it sent with ``If-Match``
is refused (409 ``precondition_failed``, nothing written) if the case is no longer at that
version.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response

from api.audit import note_cases
from api.deps import CurrentRuntime, Officer, OfficerOrHandler
from api.errors import ERROR_RESPONSES
from api.idempotency import CommandId
from api.routes.common import actor, plain, today
from api.routing import ApiRoute, CaseRoute, etag
from api.schemas import (
    AccompanyingConclusionIn,
    AccompanyingStayIn,
    AdmissionIn,
    AnswerIn,
    ApplicationIn,
    BreachChoiceIn,
    BridgingStayEndIn,
    BridgingStayIn,
    CaseCreated,
    CaseView,
    CloseCaseIn,
    DecisionIn,
    DecisionOut,
    DecisionReceivedIn,
    DecisionSentIn,
    DementiaInvestigationIn,
    DementiaSuspicionIn,
    EndStayIn,
    HistoryView,
    InterimServicesIn,
    IplosIn,
    LeonIn,
    LivingApartIn,
    MedicalIn,
    NoRelativesIn,
    OfferIn,
    OfferOut,
    OtherServicesIn,
    OwnAccountIn,
    PriorityIn,
    ReasonIn,
    Recorded,
    RelativesIn,
    ReportOut,
    SpouseIn,
    SuggestionIn,
    SuggestionOut,
    UrgencyIn,
    WishesIn,
    case_view,
    mask,
    type_reason,
)
from domain.errors import InvalidValue, NotFound
from domain.values import FACTOR_MAX, SPECIAL_WEIGHT, InterimService, LeonEntry, PriorityFactor

#: Routes that read no person's data (not in any access log).
plain_router = APIRouter(tags=["Saksbehandling (allocation unit)"], route_class=ApiRoute,
                         responses=ERROR_RESPONSES)
router = APIRouter(tags=["Saksbehandling (allocation unit)"], route_class=CaseRoute,
                   responses=ERROR_RESPONSES)

CaseId = Annotated[UUID, Path(description="the case (sak)")]
OfferId = Annotated[UUID, Path(description="an offer on the case")]
DecisionId = Annotated[UUID, Path(description="a decision (vedtak) on the case")]


# --- applications and reads --------------------------------------------------------------


@router.post("/cases", status_code=201, response_model=CaseCreated,
             summary="Register an application (søknad)")
def register_application(body: ApplicationIn, request: Request, p: Officer,
                         rt: CurrentRuntime, cid: CommandId) -> CaseCreated:
    """The identity number travels in this body only; the answer carries a masked form."""
    case_id = rt.service.receive_application(
        p.municipality, identity_number=body.identity_number, name=body.name,
        received_on=body.received_on, channel=body.channel,
        spouse_case_id=body.spouse_case_id, accompanying_spouse=body.accompanying_spouse,
        receives_other_services=body.receives_other_services,
        dementia_suspected=body.dementia_suspected, command_id=cid)
    note_cases(request, [case_id])
    case = rt.service.get_case(p.municipality, case_id)
    return CaseCreated(case_id=case_id, case_number=case.case_number,
                       identity_number_masked=mask(case.person.identity_number))


@router.get("/cases/{case_id}", response_model=CaseView,
            summary="A case: its current state and its history (R21)",
            responses={200: {"headers": {"ETag": {
                "description": "the case's version, quoted: send it as `If-Match` with a "
                "write on the case to have it refused (409) if the case changed meanwhile",
                "schema": {"type": "string"}}}}})
def read_case(case_id: CaseId, p: OfficerOrHandler, rt: CurrentRuntime,
              response: Response) -> CaseView:
    """The answer's ``ETag`` is the case's version (also ``version`` in the body)."""
    case = rt.service.get_case(p.municipality, case_id)
    history = rt.fresh().case_history(case_id)
    response.headers["ETag"] = etag(case.version)
    return case_view(case, history, today(rt))


@router.get("/cases/{case_id}/history", response_model=list[HistoryView],
            summary="Every event of the case in order, in plain words (R21)")
def read_case_history(case_id: CaseId, p: OfficerOrHandler, rt: CurrentRuntime
                      ) -> list[HistoryView]:
    rt.service.get_case(p.municipality, case_id)  # 404 unless the caller's municipality's
    return [HistoryView(version=h.version, at=h.at, event=h.event, text=h.text, who=h.who)
            for h in rt.fresh().case_history(case_id)]


@router.get("/cases/{case_id}/breach-report", response_model=ReportOut,
            summary="R18/R19: the deadline breach, as a supervisory authority asks for it")
def read_breach_report(case_id: CaseId, p: OfficerOrHandler, rt: CurrentRuntime
                       ) -> ReportOut:
    rt.service.get_case(p.municipality, case_id)
    report = rt.fresh().breach_report(p.municipality, case_id)
    if report is None:
        raise NotFound("the case has no recorded deadline breach", field="case_id")
    return ReportOut(municipality=p.municipality, today=today(rt), data=plain(report))


# --- § 2-2 documentation (R8) ---------------------------------------------------------------


@router.post("/cases/{case_id}/documentation/own-account", response_model=Recorded,
             summary="R8 (1): the person's own account")
def record_own_account(case_id: CaseId, body: OwnAccountIn, p: Officer, rt: CurrentRuntime,
                       cid: CommandId) -> Recorded:
    rt.service.record_own_account(p.municipality, case_id, what_matters=body.what_matters,
                                  account=body.account, recorded_by=actor(p), command_id=cid)
    return Recorded(case_id=case_id)


@router.post("/cases/{case_id}/documentation/relatives", response_model=Recorded,
             summary="R8 (1): information from relatives or the guardian")
def record_relatives(case_id: CaseId, body: RelativesIn, p: Officer, rt: CurrentRuntime,
                     cid: CommandId) -> Recorded:
    rt.service.record_relatives(p.municipality, case_id, name=body.name,
                                relation=body.relation, information=body.information,
                                is_guardian=body.is_guardian, recorded_by=actor(p),
                                command_id=cid)
    return Recorded(case_id=case_id)


@router.post("/cases/{case_id}/documentation/iplos", response_model=Recorded,
             summary="R8 (2): an updated IPLOS registration")
def register_iplos(case_id: CaseId, body: IplosIn, p: Officer, rt: CurrentRuntime,
                   cid: CommandId) -> Recorded:
    rt.service.register_iplos(p.municipality, case_id, scores=dict(body.scores),
                              assessed_by=body.assessed_by or actor(p),
                              assessed_on=body.assessed_on, command_id=cid)
    return Recorded(case_id=case_id)


@router.post("/cases/{case_id}/documentation/medical", response_model=Recorded,
             summary="R8 (3): medical information (GP, specialist, competence centre)")
def record_medical_information(case_id: CaseId, body: MedicalIn, p: Officer,
                               rt: CurrentRuntime, cid: CommandId) -> Recorded:
    rt.service.record_medical_information(
        p.municipality, case_id, source=body.source, summary=body.summary,
        diagnoses=list(body.diagnoses), dementia_diagnosis=body.dementia_diagnosis,
        received_on=body.received_on,
        competence_centre_involved=body.competence_centre_involved, recorded_by=actor(p),
        command_id=cid)
    return Recorded(case_id=case_id)


@router.post("/cases/{case_id}/documentation/no-relatives", response_model=Recorded,
             summary="R8 (1): a statement that there are no relatives or guardian to ask")
def state_no_relatives(case_id: CaseId, body: NoRelativesIn, p: Officer, rt: CurrentRuntime,
                       cid: CommandId) -> Recorded:
    rt.service.state_no_relatives(p.municipality, case_id, statement=body.statement,
                                  recorded_by=actor(p), command_id=cid)
    return Recorded(case_id=case_id)


@router.post("/cases/{case_id}/documentation/dementia-suspicion", response_model=Recorded,
             summary="R8 (5): dementia is suspected (an investigation before any offer)")
def suspect_dementia(case_id: CaseId, body: DementiaSuspicionIn, p: Officer,
                     rt: CurrentRuntime, cid: CommandId) -> Recorded:
    rt.service.suspect_dementia(p.municipality, case_id, reason=body.reason,
                                raised_by=actor(p), command_id=cid)
    return Recorded(case_id=case_id)


@router.post("/cases/{case_id}/documentation/other-services", response_model=Recorded,
             summary="R8 (2): the person now does (or no longer does) get other services")
def record_other_services(case_id: CaseId, body: OtherServicesIn, p: Officer,
                          rt: CurrentRuntime, cid: CommandId) -> Recorded:
    rt.service.record_other_services(p.municipality, case_id,
                                     receives_other_services=body.receives_other_services,
                                     recorded_by=actor(p), command_id=cid)
    return Recorded(case_id=case_id)


@router.post("/cases/{case_id}/documentation/leon", response_model=Recorded,
             summary="R8 (4): lower-level measures tried or assessed (LEON)")
def record_leon(case_id: CaseId, body: LeonIn, p: Officer, rt: CurrentRuntime,
                cid: CommandId) -> Recorded:
    entries = [LeonEntry(e.measure, e.status, e.outcome) for e in body.entries]
    rt.service.record_leon(p.municipality, case_id, entries=entries, recorded_by=actor(p),
                           command_id=cid)
    return Recorded(case_id=case_id)


@router.post("/cases/{case_id}/documentation/dementia-investigation",
             response_model=Recorded, summary="R8 (5): the dementia investigation")
def record_dementia_investigation(case_id: CaseId, body: DementiaInvestigationIn,
                                  p: Officer, rt: CurrentRuntime, cid: CommandId) -> Recorded:
    rt.service.record_dementia_investigation(
        p.municipality, case_id, finding=body.finding, conclusion=body.conclusion,
        recorded_by=body.recorded_by or actor(p), command_id=cid)
    return Recorded(case_id=case_id)


# --- decisions, priority, urgency, wishes, spouses -------------------------------------------


@router.post("/cases/{case_id}/decisions", status_code=201, response_model=DecisionOut,
             summary="A decision (vedtak): grant (R4), waiting list (R5) or rejection (R9)")
def record_decision(case_id: CaseId, body: DecisionIn, p: Officer, rt: CurrentRuntime,
                    cid: CommandId) -> DecisionOut:
    """Refused with 422 ``r8_missing_documentation`` listing every missing § 2-2 item, or
    the R4/R5/R6/R14 rule at fault. The decision maker is you."""
    services = [InterimService(s.service, s.extent) for s in body.interim_services or []]
    decision_id = rt.service.decide(
        p.municipality, case_id, kind=body.kind.value, grounds=body.grounds,
        decided_by=actor(p), place_type=body.place_type, facility_kind=body.facility_kind,
        can_be_cared_for_safely_at_home=body.can_be_cared_for_safely_at_home,
        alternatives_at_home=body.alternatives_at_home, interim_services=services,
        legal_basis=body.legal_basis, decided_on=body.decided_on,
        complaint_id=body.complaint_id, command_id=cid)
    return DecisionOut(case_id=case_id, decision_id=decision_id)


@router.post("/cases/{case_id}/decisions/{decision_id}/sending", response_model=Recorded,
             summary="R14: when and how the decision was sent (and received, if known)")
def record_decision_sent(case_id: CaseId, decision_id: DecisionId, body: DecisionSentIn,
                         p: Officer, rt: CurrentRuntime, cid: CommandId) -> Recorded:
    """By post, to the digital mailbox or handed over (then received that day). Recorded
    once per decision (409 ``invalid_state`` after that); the complaint deadline runs from
    the receipt, or from the sending plus the usual delivery time."""
    rt.service.record_decision_sent(
        p.municipality, case_id, decision_id, sent_on=body.sent_on, channel=body.channel,
        received_on=body.received_on, recorded_by=actor(p), command_id=cid)
    return Recorded(case_id=case_id)


@router.post("/cases/{case_id}/decisions/{decision_id}/receipt", response_model=Recorded,
             summary="R14: the day the person received the decision")
def record_decision_received(case_id: CaseId, decision_id: DecisionId,
                             body: DecisionReceivedIn, p: Officer, rt: CurrentRuntime,
                             cid: CommandId) -> Recorded:
    """Recorded once per decision (409 ``invalid_state`` after that)."""
    rt.service.record_decision_received(
        p.municipality, case_id, decision_id, received_on=body.received_on,
        recorded_by=actor(p), command_id=cid)
    return Recorded(case_id=case_id)


@router.post("/cases/{case_id}/interim-services", response_model=Recorded,
             summary="R14: the services the person gets while waiting")
def record_interim_services(case_id: CaseId, body: InterimServicesIn, p: Officer,
                            rt: CurrentRuntime, cid: CommandId) -> Recorded:
    rt.service.record_interim_services(
        p.municipality, case_id, services=[InterimService(s.service, s.extent)
                                           for s in body.services],
        recorded_by=actor(p), command_id=cid)
    return Recorded(case_id=case_id)


@router.post("/cases/{case_id}/priority", response_model=Recorded,
             summary="R16/R17: the professional assessment of need")
def assess_priority(case_id: CaseId, body: PriorityIn, p: Officer, rt: CurrentRuntime,
                    cid: CommandId) -> Recorded:
    rt.service.assess_priority(p.municipality, case_id, factors=dict(body.factors),
                               need_score=body.need_score, assessor=body.assessor or actor(p),
                               departure_reason=body.departure_reason,
                               assessed_on=body.assessed_on, command_id=cid)
    return Recorded(case_id=case_id)


@router.post("/cases/{case_id}/urgency", response_model=DecisionOut | Recorded,
             summary="R15: the person can no longer be cared for safely at home: a grant")
def set_urgency(case_id: CaseId, body: UrgencyIn, p: Officer, rt: CurrentRuntime,
                cid: CommandId) -> DecisionOut | Recorded:
    """Records a grant to be carried out at once (§ 2-1 first paragraph, § 3-3 first
    paragraph): the person leaves the waiting list and goes before everyone else. Urgency
    ends with a new waiting-list decision (``POST /cases/{id}/decisions``)."""
    if not body.urgent:
        raise InvalidValue("urgent", "urgency is a grant decision; it ends with a new "
                           "waiting-list decision")
    granted = rt.service.mark_urgent(p.municipality, case_id, reason=body.reason,
                                     assessed_by=actor(p), decided_on=body.decided_on,
                                     command_id=cid)
    if granted is None:
        return Recorded(case_id=case_id)
    return DecisionOut(case_id=case_id, decision_id=granted)


@router.post("/cases/{case_id}/bridging-stay", response_model=Recorded,
             summary="R2/R15: a short-term stay that bridges the wait for a long-term place")
def record_bridging_stay(case_id: CaseId, body: BridgingStayIn, p: Officer,
                         rt: CurrentRuntime, cid: CommandId) -> Recorded:
    rt.service.record_bridging_stay(p.municipality, case_id, facility_name=body.facility_name,
                                    unit=body.unit, from_on=body.from_on, to_on=body.to_on,
                                    recorded_by=actor(p), command_id=cid)
    return Recorded(case_id=case_id)


@router.post("/cases/{case_id}/bridging-stay/end", response_model=Recorded,
             summary="R2/R15: the bridging short-term stay ended")
def end_bridging_stay(case_id: CaseId, body: BridgingStayEndIn, p: Officer,
                      rt: CurrentRuntime, cid: CommandId) -> Recorded:
    rt.service.end_bridging_stay(p.municipality, case_id, to_on=body.to_on,
                                 recorded_by=actor(p), command_id=cid)
    return Recorded(case_id=case_id)


@router.put("/cases/{case_id}/wishes", response_model=Recorded,
            summary="R16/R20: the person's wishes, facilities in ranked order")
def record_wishes(case_id: CaseId, body: WishesIn, p: Officer, rt: CurrentRuntime,
                  cid: CommandId) -> Recorded:
    rt.service.record_wishes(p.municipality, case_id, facility_ids=list(body.facility_ids),
                             command_id=cid)
    return Recorded(case_id=case_id)


@router.post("/cases/{case_id}/spouse", response_model=Recorded,
             summary="R10: link the spouse's or cohabitant's case (both ways)")
def link_spouse(case_id: CaseId, body: SpouseIn, request: Request, p: Officer,
                rt: CurrentRuntime, cid: CommandId) -> Recorded:
    """A person has at most one spouse or cohabitant (§ 2-3): linking a case that either
    side already has linked to a third case is refused (422 ``r10_violation``, ``field``
    spouse_case_id), as is linking a case to itself (422 ``invalid_value``). Linking the
    same pair again writes nothing and answers as the first time."""
    note_cases(request, [body.spouse_case_id])
    rt.service.link_spouses(p.municipality, case_id, body.spouse_case_id, command_id=cid)
    return Recorded(case_id=case_id)


@router.post("/cases/{case_id}/living-apart-consent", response_model=Recorded,
             summary="R10: the person consents to live apart from the spouse")
def consent_to_living_apart(case_id: CaseId, body: LivingApartIn, p: Officer,
                            rt: CurrentRuntime, cid: CommandId) -> Recorded:
    rt.service.consent_to_living_apart(p.municipality, case_id, statement=body.statement,
                                       recorded_by=actor(p), command_id=cid)
    return Recorded(case_id=case_id)


@router.post("/cases/{case_id}/accompanying-stay", status_code=201, response_model=DecisionOut,
             summary="R11: a decision on an accompanying stay, on the spouse's own case")
def decide_accompanying_stay(case_id: CaseId, body: AccompanyingStayIn, request: Request,
                             p: Officer, rt: CurrentRuntime, cid: CommandId) -> DecisionOut:
    """§ 2-3 second paragraph: the spouse or cohabitant (this case) lives with the resident
    spouse (``resident_case_id``) in an accompanying stay. The criteria of § 2-1 do not
    apply, so the § 2-2 checklist is not asked for; the cases must be linked (R10) and the
    resident spouse in long-term stay (422 ``r11_violation`` naming the field otherwise).
    From then on an offer of a double room to the resident reserves both beds."""
    note_cases(request, [body.resident_case_id])
    decision_id = rt.service.decide_accompanying_stay(
        p.municipality, case_id, resident_case_id=body.resident_case_id, wish=body.wish,
        grounds=body.grounds, decided_by=actor(p), decided_on=body.decided_on,
        command_id=cid)
    return DecisionOut(case_id=case_id, decision_id=decision_id)


@router.post("/cases/{case_id}/accompanying-stay/conclusion", status_code=201,
             response_model=DecisionOut,
             summary="R11: the new decision on an accompanying stay: ordinary stay, or it ends")
def conclude_accompanying_stay(case_id: CaseId, body: AccompanyingConclusionIn, p: Officer,
                               rt: CurrentRuntime, cid: CommandId) -> DecisionOut:
    """When the resident spouse dies or moves, the accompanying stay continues (the bed
    stays occupied) until this decision: it continues as an ordinary long-term stay, or it
    ends on ``ended_on`` (the bed is vacant from that day, R24)."""
    decision_id = rt.service.conclude_accompanying_stay(
        p.municipality, case_id, outcome=body.outcome, grounds=body.grounds,
        decided_by=actor(p), ended_on=body.ended_on, decided_on=body.decided_on,
        command_id=cid)
    return DecisionOut(case_id=case_id, decision_id=decision_id)


# --- offers and after ------------------------------------------------------------------------


@router.post("/cases/{case_id}/offers", status_code=201, response_model=OfferOut,
             summary="A manual offer of an own place or another provider's place")
def make_offer(case_id: CaseId, body: OfferIn, p: Officer, rt: CurrentRuntime,
               cid: CommandId) -> OfferOut:
    """R7, R8, R10, R18, R19 and the place's capacity are checked; the case and the place
    are saved together (two officers offering the last bed at once: one gets 409
    ``conflict``). An offer of a place that does not meet the decision needs
    ``unsuitable_reason`` and does not meet the guarantee (R18). R11: to a person whose
    spouse has a decision on an accompanying stay, a double room is offered to both (both
    beds reserved, the spouse's offer following this one); a single room needs
    ``single_room_reason``."""
    offer_id = rt.service.make_offer(
        p.municipality, case_id, made_by=actor(p), place_id=body.place_id,
        provider_offer_id=body.provider_offer_id,
        type_reason=type_reason(body),
        unsuitable_reason=body.unsuitable_reason,
        single_room_reason=body.single_room_reason, command_id=cid)
    return OfferOut(case_id=case_id, offer_id=offer_id)


@router.post("/cases/{case_id}/offers/{offer_id}/answer", response_model=Recorded,
             summary="The person's answer: accept or decline (R18/R20 decide the guarantee)")
def answer_offer(case_id: CaseId, offer_id: OfferId, body: AnswerIn, p: Officer,
                 rt: CurrentRuntime, cid: CommandId) -> Recorded:
    if body.answer == "accept":
        rt.service.accept_offer(p.municipality, case_id, offer_id, command_id=cid)
    else:
        if not body.reason:
            raise InvalidValue("reason", "oppgi hvorfor tilbudet ble avslått")
        rt.service.decline_offer(p.municipality, case_id, offer_id, reason=body.reason,
                                 command_id=cid)
    return Recorded(case_id=case_id)


@router.post("/cases/{case_id}/offers/{offer_id}/withdraw", response_model=Recorded,
             summary="Withdraw an offer (the place is released in the same save)")
def withdraw_offer(case_id: CaseId, offer_id: OfferId, body: ReasonIn, p: Officer,
                   rt: CurrentRuntime, cid: CommandId) -> Recorded:
    rt.service.withdraw_offer(p.municipality, case_id, offer_id, reason=body.reason,
                              command_id=cid)
    return Recorded(case_id=case_id)


@router.post("/cases/{case_id}/offers/{offer_id}/admission", response_model=Recorded,
             summary="Admission (innflytting) on an accepted offer")
def admit(case_id: CaseId, offer_id: OfferId, body: AdmissionIn, p: Officer,
          rt: CurrentRuntime, cid: CommandId) -> Recorded:
    rt.service.admit(p.municipality, case_id, offer_id, admitted_on=body.admitted_on,
                     command_id=cid)
    return Recorded(case_id=case_id)


@router.post("/cases/{case_id}/end-of-stay", response_model=Recorded,
             summary="The stay ends (death or move): an own place becomes vacant")
def end_stay(case_id: CaseId, body: EndStayIn, p: Officer, rt: CurrentRuntime,
             cid: CommandId) -> Recorded:
    rt.service.end_stay(p.municipality, case_id, reason=body.reason, ended_on=body.ended_on,
                        command_id=cid)
    return Recorded(case_id=case_id)


@router.post("/cases/{case_id}/close", response_model=Recorded,
             summary="Close the case before placement (withdrawn, died, moved away)")
def close_case(case_id: CaseId, body: CloseCaseIn, p: Officer, rt: CurrentRuntime,
               cid: CommandId) -> Recorded:
    """An offer not yet moved in on is withdrawn and its place released in the same save.
    A resident's case is not closed (409 ``invalid_state``): end the stay instead."""
    rt.service.close_case(p.municipality, case_id, reason=body.reason, command_id=cid)
    return Recorded(case_id=case_id)


@router.post("/cases/{case_id}/breach-choice", response_model=Recorded,
             summary="R19: after a deadline breach, a purchased place or waiting on")
def record_breach_choice(case_id: CaseId, body: BreachChoiceIn, p: Officer,
                         rt: CurrentRuntime, cid: CommandId) -> Recorded:
    rt.service.record_breach_choice(p.municipality, case_id, choice=body.choice,
                                    recorded_by=actor(p), command_id=cid)
    return Recorded(case_id=case_id)


@plain_router.post("/priority-suggestion", response_model=SuggestionOut,
                  summary="R16/R17: the score the policy suggests for the factors so far")
def suggest_priority(body: SuggestionIn, p: Officer, rt: CurrentRuntime) -> SuggestionOut:
    """Asked while the assessor fills in the factors. Nothing is recorded and no person's
    data is read, so it is not an entry in anyone's access log."""
    known = {f.value for f in PriorityFactor}
    unknown = sorted(set(body.factors) - known)
    if unknown:
        raise InvalidValue("factors", f"unknown priority factors: {', '.join(unknown)}")
    if any(not 0 <= v <= FACTOR_MAX for v in body.factors.values()):
        raise InvalidValue("factors", f"each factor is scored 0–{FACTOR_MAX}")
    score, version = rt.service.suggested_need_score(p.municipality, dict(body.factors),
                                                     body.assessed_on)
    special = any(body.factors.get(f.value, 0) > 0 for f in SPECIAL_WEIGHT)
    return SuggestionOut(suggested_score=score, policy_version=version, special_weight=special)
