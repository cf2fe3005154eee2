"""Moves of residents (flytting, R28), for the allocation unit: a move offered to a resident
(the new place reserved in the same save), the answer (declining costs nothing), the
withdrawal, the move carried out on its day (out of the old place and into the new one in
one save: the old place vacant from that day), and a new decision on the place type for a
resident (a change of need). A move offer not answered by its answer deadline lapses in the
deadline check (R26, ``POST /deadlines/check``).

Every route is a :class:`~api.routing.CaseRoute`, like the offers': one entry in the case's
access log, in the transaction of the write; idempotent by ``Idempotency-Key``; conditional
on ``If-Match`` when sent, answering the case's new version as ``ETag``. Refusals are the
service's error envelope naming the field or the rule (R7, R10, R11, R28; 409
``invalid_state`` when the case or the offer is not where the command can be given).
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path

from api.deps import CurrentRuntime, Officer
from api.errors import ERROR_RESPONSES
from api.idempotency import CommandId
from api.routes.common import actor
from api.routing import CaseRoute
from api.schemas import (
    DecisionOut,
    MoveAnswerIn,
    MoveCarriedOutIn,
    MoveOfferIn,
    OfferOut,
    PlaceTypeDecisionIn,
    ReasonIn,
    Recorded,
)

router = APIRouter(tags=["Flytting (moves of residents, R28)"], route_class=CaseRoute,
                   responses=ERROR_RESPONSES)

CaseId = Annotated[UUID, Path(description="the resident's case (sak)")]
OfferId = Annotated[UUID, Path(description="a move offer on the case")]


@router.post("/cases/{case_id}/moves", status_code=201, response_model=OfferOut,
             summary="R28: offer a resident a move to another own place")
def offer_move(case_id: CaseId, body: MoveOfferIn, p: Officer, rt: CurrentRuntime,
               cid: CommandId) -> OfferOut:
    """The new place is reserved in the same save, with an answer deadline (R26). Refused,
    naming the field or the rule, when the reason does not hold (R28, field ``reason``),
    the place does not fit the decision in force (R7), it would part spouses (R10), or an
    accompanying spouse lives in the room and the place is not a whole free double room
    (R11: the spouse's own move offer then follows this one, both beds reserved)."""
    offer_id = rt.service.offer_move(
        p.municipality, case_id, place_id=body.place_id, reason=body.reason,
        made_by=actor(p), type_reason=body.type_reason, command_id=cid)
    return OfferOut(case_id=case_id, offer_id=offer_id)


@router.post("/cases/{case_id}/moves/{offer_id}/answer", response_model=Recorded,
             summary="R28: the resident's answer to a move offer (declining costs nothing)")
def answer_move(case_id: CaseId, offer_id: OfferId, body: MoveAnswerIn, p: Officer,
                rt: CurrentRuntime, cid: CommandId) -> Recorded:
    """Accepted: the move can be carried out. Declined: the new place is released in the
    same save and the resident keeps their place; nothing else changes."""
    if body.answer == "accept":
        rt.service.accept_move(p.municipality, case_id, offer_id, command_id=cid)
    else:
        rt.service.decline_move(p.municipality, case_id, offer_id, reason=body.reason or "",
                                command_id=cid)
    return Recorded(case_id=case_id)


@router.post("/cases/{case_id}/moves/{offer_id}/withdraw", response_model=Recorded,
             summary="Withdraw a move offer (the new place is released in the same save)")
def withdraw_move(case_id: CaseId, offer_id: OfferId, body: ReasonIn, p: Officer,
                  rt: CurrentRuntime, cid: CommandId) -> Recorded:
    rt.service.withdraw_move(p.municipality, case_id, offer_id, reason=body.reason,
                             command_id=cid)
    return Recorded(case_id=case_id)


@router.post("/cases/{case_id}/moves/{offer_id}/carry-out", response_model=Recorded,
             summary="R28: the move carried out on its day (out of the old place, into the "
                     "new one)")
def carry_out_move(case_id: CaseId, offer_id: OfferId, body: MoveCarriedOutIn, p: Officer,
                   rt: CurrentRuntime, cid: CommandId) -> Recorded:
    """One save: the case's move, the old place vacant from the move day (a bought place's
    purchase ended that day), the new place occupied from the same day; dated ahead, it is
    planned (R24). An accompanying spouse in the room moves too (R11)."""
    rt.service.carry_out_move(p.municipality, case_id, offer_id, moved_on=body.moved_on,
                              command_id=cid)
    return Recorded(case_id=case_id)


@router.post("/cases/{case_id}/place-type-decisions", status_code=201,
             response_model=DecisionOut,
             summary="R28: a new decision on the place type for a resident (a change of need)")
def decide_new_place_type(case_id: CaseId, body: PlaceTypeDecisionIn, p: Officer,
                          rt: CurrentRuntime, cid: CommandId) -> DecisionOut:
    """The resident keeps their place and is a mover to a place of the new type. Refused
    with 422 ``r8_missing_documentation`` listing the § 2-2 items the type needs, R14
    without grounds, R11 for a person in an accompanying stay; 409 for anyone but a resident
    or for the type in force already. A move offer that no longer fits is withdrawn and its
    place released in the same save."""
    decision_id = rt.service.decide_new_place_type(
        p.municipality, case_id, place_type=body.place_type, grounds=body.grounds,
        decided_by=actor(p), facility_kind=body.facility_kind, decided_on=body.decided_on,
        command_id=cid)
    return DecisionOut(case_id=case_id, decision_id=decision_id)
