"""Places (R1) and other providers' offers (kjøp fra annen leverandør), and the vacancy
board. No person's data here, so these routes are not in the access log."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path

from api.deps import AnyRole, CurrentRuntime, Officer
from api.errors import ERROR_RESPONSES
from api.idempotency import CommandId
from api.routes.common import At, moment, today
from api.routes.paging import DEFAULT_LIMIT, Limit, Offset, page
from api.routing import ApiRoute
from api.schemas import (
    PlaceIn,
    PlaceOut,
    ProviderOfferIn,
    ProviderOfferOut,
    ReasonIn,
    Recorded,
    VacancyBoardOut,
)
from domain.base import local_date

router = APIRouter(tags=["Plasser (places)"],
                   responses=ERROR_RESPONSES, route_class=ApiRoute)

PlaceId = Annotated[UUID, Path(description="a place")]
ProviderOfferId = Annotated[UUID, Path(description="another provider's offered place")]


@router.post("/places", status_code=201, response_model=PlaceOut,
             summary="R1: register a place (idempotent by facility, unit and room)")
def register_place(body: PlaceIn, p: Officer, rt: CurrentRuntime, cid: CommandId
                   ) -> PlaceOut:
    place_id = rt.service.register_place(
        p.municipality, facility_id=body.facility_id, facility_name=body.facility_name,
        facility_kind=body.facility_kind, unit=body.unit, room=body.room,
        place_type=body.place_type, room_kind=body.room_kind,
        available_from=body.available_from, command_id=cid)
    return PlaceOut(place_id=place_id)


@router.post("/places/{place_id}/close", response_model=Recorded,
             summary="Close a place (renovation, staffing)")
def close_place(place_id: PlaceId, body: ReasonIn, p: Officer, rt: CurrentRuntime,
                cid: CommandId) -> Recorded:
    rt.service.close_place(p.municipality, place_id, reason=body.reason, command_id=cid)
    return Recorded()


@router.post("/places/{place_id}/reopen", response_model=Recorded,
             summary="Reopen a closed place")
def reopen_place(place_id: PlaceId, p: Officer, rt: CurrentRuntime, cid: CommandId
                 ) -> Recorded:
    rt.service.reopen_place(p.municipality, place_id, command_id=cid)
    return Recorded()


@router.post("/provider-offers", status_code=201, response_model=ProviderOfferOut,
             summary="Register another provider's place at a price per day")
def register_provider_offer(body: ProviderOfferIn, p: Officer, rt: CurrentRuntime,
                            cid: CommandId) -> ProviderOfferOut:
    offer_id = rt.service.register_provider_offer(
        p.municipality, provider=body.provider, reference=body.reference,
        facility_name=body.facility_name, facility_kind=body.facility_kind,
        place_type=body.place_type, price_per_day=body.price_per_day,
        room_kind=body.room_kind, available_from=body.available_from,
        valid_until=body.valid_until, command_id=cid)
    return ProviderOfferOut(provider_offer_id=offer_id)


@router.post("/provider-offers/{provider_offer_id}/withdraw", response_model=Recorded,
             summary="The provider withdraws its offered place")
def withdraw_provider_offer(provider_offer_id: ProviderOfferId, body: ReasonIn, p: Officer,
                            rt: CurrentRuntime, cid: CommandId) -> Recorded:
    rt.service.withdraw_provider_offer(p.municipality, provider_offer_id, reason=body.reason,
                                       command_id=cid)
    return Recorded()


@router.get("/vacancy-board", response_model=VacancyBoardOut,
            summary="Vacant, reserved and closed places; other providers' offers; a page at "
                    "a time")
def read_vacancy_board(p: AnyRole, rt: CurrentRuntime, at: At = None, offset: Offset = 0,
                       limit: Limit = DEFAULT_LIMIT) -> VacancyBoardOut:
    """No person's data: every role may read it (managers size services from it). The page
    is rows ``offset + 1`` to ``offset + limit`` of the places (``total``) and of the other
    providers' offers (``provider_offers_total``)."""
    if at is not None:
        when = moment(at)
        board = rt.read.as_of(when).vacancy_board(p.municipality)
        day, shown_at = local_date(when), when
    else:
        board = rt.fresh().vacancy_board(p.municipality)
        day, shown_at = today(rt), None
    return VacancyBoardOut(municipality=p.municipality, today=day, at=shown_at,
                           places=page(board.places, offset, limit),
                           provider_offers=page(board.provider_offers, offset, limit),
                           total=len(board.places), offset=offset, limit=limit,
                           provider_offers_total=len(board.provider_offers))
