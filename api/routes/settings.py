"""The municipality's own settings (kommunens fagadministrator, ``municipal_admin``): its
profile (:mod:`application.municipalities`) and its policy (:mod:`domain.policy`: R18–R20 and
the priority weights). Every change is a new version with who, when and why. No one's
personal data: not in the access log."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import APIRouter

from api.deps import CurrentRuntime, MunicipalAdmin
from api.errors import ERROR_RESPONSES
from api.idempotency import CommandId
from api.routes.common import today
from api.routing import ApiRoute
from api.schemas.settings import (
    FacilityOut,
    PolicyChangeIn,
    PolicyOut,
    PolicyValues,
    PolicyVersionOut,
    ProfileIn,
    ProfileOut,
    VersionNote,
)
from application.service import AllocationService

router = APIRouter(tags=["Kommunens innstillinger (settings)"],
                   responses=ERROR_RESPONSES, route_class=ApiRoute)


def profile_out(service: AllocationService, municipality: str) -> ProfileOut:
    p = service.municipality_profile(municipality)
    return ProfileOut(
        municipality=municipality, version=p.version, name=p.name, unit_name=p.unit_name,
        postal_address=list(p.postal_address), visiting_address=list(p.visiting_address),
        phone=p.phone, email=p.email, state_administrator=p.state_administrator,
        state_administrator_address=list(p.state_administrator_address),
        facilities=[FacilityOut(facility_id=f.facility_id, name=f.name, kind=f.kind,
                                address=list(f.address)) for f in p.facilities],
        demo=p.demo,
        history=[VersionNote(version=v.number, changed_at=v.changed_at,
                             changed_by=v.changed_by, reason=v.reason)
                 for v in service.profile_history(municipality)])


@router.get("/municipality-profile", response_model=ProfileOut,
            summary="The municipality's profile: unit, addresses, State Administrator, "
            "facilities; with every version's who, when and why")
def read_profile(p: MunicipalAdmin, rt: CurrentRuntime) -> ProfileOut:
    return profile_out(rt.service, p.municipality)


@router.put("/municipality-profile", response_model=ProfileOut,
            summary="A new version of the municipality's profile (the whole profile, and why)")
def change_profile(body: ProfileIn, p: MunicipalAdmin, rt: CurrentRuntime, cid: CommandId
                   ) -> ProfileOut:
    values = body.model_dump(mode="json", exclude={"reason"})
    rt.service.change_profile(p.municipality, profile=values, changed_by=p.name,
                              reason=body.reason, command_id=cid)
    return profile_out(rt.service, p.municipality)


def policy_out(service: AllocationService, municipality: str, rt: Any) -> PolicyOut:
    policy = service.policy(municipality)
    in_force, _ = policy.in_force_on(today(rt))
    return PolicyOut(
        municipality=municipality, in_force_version=in_force,
        current_version=policy.current_version,
        versions=[PolicyVersionOut(
            version=v.number, effective_from=v.effective_from, issued_by=v.issued_by,
            issued_at=v.issued_at, reason=v.reason,
            settings=PolicyValues(**{f.name: getattr(v.settings, f.name)
                                     for f in dataclasses.fields(v.settings)}))
            for v in policy.history()])


@router.get("/policy", response_model=PolicyOut,
            summary="R18–R20 and the priority weights (R16, R17): every version, with who, "
            "when and why, and the one in force today")
def read_policy(p: MunicipalAdmin, rt: CurrentRuntime) -> PolicyOut:
    return policy_out(rt.service, p.municipality, rt)


@router.post("/policy/versions", status_code=201, response_model=PolicyOut,
             summary="A new version of the policy: the settings changed, from when, and why")
def revise_policy(body: PolicyChangeIn, p: MunicipalAdmin, rt: CurrentRuntime,
                  cid: CommandId) -> PolicyOut:
    changes = body.model_dump(exclude={"reason", "effective_from"}, exclude_none=True)
    if "priority_weights" in changes:
        changes["priority_weights"] = {k.value: v for k, v in
                                       body.priority_weights.items()}  # type: ignore[union-attr]
    rt.service.set_policy(p.municipality, issued_by=p.name, reason=body.reason,
                          effective_from=body.effective_from, command_id=cid, **changes)
    return policy_out(rt.service, p.municipality, rt)
