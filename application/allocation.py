"""Allocation runs: build the problem from the current state, ask the optimizer, record the
proposal, and let an officer approve, change or reject each proposed offer (R17).

Approving makes the offer through the same path as a manual offer (R7, R10, R19 and the
place's capacity are checked again), saving the case, the place and the run together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

import optimizer as opt
from domain.allocation import PROPOSED, AllocationRun
from domain.base import local_date
from domain.case import Case, CaseStatus
from domain.errors import InvalidState, NotFound
from domain.place import Place
from domain.provider import ProviderOffer
from domain.values import BreachChoice, PlaceType, RoomKind

if TYPE_CHECKING:
    from application.service import AllocationService


@dataclass(frozen=True)
class RerunResult:
    """A recorded run solved again: the same problem must give the same plan, bit for bit."""

    run_id: UUID
    identical: bool
    problem_hash: str
    recorded_plan: dict[str, Any]
    plan: dict[str, Any]


def _room(kind: RoomKind) -> opt.Room:
    return opt.Room(kind.value)


class AllocationCommands:
    """Mixed into :class:`AllocationService`."""

    def build_problem(self: AllocationService, municipality: str, as_of: date
                      ) -> opt.AllocationProblem:
        """The allocation problem as the current state stands: vacant own places, other
        providers' available places, and everyone waiting without an outstanding offer."""
        vacancies = []
        for pid in self.place_ids():
            place = self._exists(pid)
            if (isinstance(place, Place) and place.municipality == municipality
                    and place.free_beds > 0 and place.available_from <= as_of):
                vacancies.append(opt.Vacancy(
                    place_id=str(place.id), facility_id=place.facility_id,
                    facility_kind=opt.FacilityKind(place.facility_kind.value),
                    unit=place.unit, place_type=opt.PlaceType(place.place_type.value),
                    room=_room(place.room_kind), capacity=place.free_beds,
                    available_from=place.available_from))
        purchasable = []
        for oid in self.provider_offer_ids():
            po = self._exists(oid)
            if (isinstance(po, ProviderOffer) and po.municipality == municipality
                    and po.is_available_on(as_of)):
                purchasable.append(opt.PurchasableOffer(
                    offer_id=str(po.id), provider=po.provider, facility_id=po.facility_id,
                    place_type=opt.PlaceType(po.place_type.value),
                    price_per_day=int(po.price_per_day.to_integral_value()),
                    available_from=po.available_from, room=_room(po.room_kind)))
        waiting: dict[UUID, Case] = {}
        for cid in self.waiting_case_ids(municipality):
            case = self._exists(cid)
            if (isinstance(case, Case) and case.municipality == municipality
                    and case.on_waiting_list and case.outstanding_offer is None
                    and case.place_type is not None and case.current_decision is not None):
                waiting[case.id] = case
        persons = [self._waiting_person(case, waiting) for case in waiting.values()]
        version, settings = self.policy(municipality).in_force_on(as_of)
        return opt.AllocationProblem(
            municipality=municipality, as_of=as_of, vacancies=tuple(vacancies),
            purchasable=tuple(purchasable), persons=tuple(persons),
            policy=opt.PolicySettings(version=version, free_choice=settings.free_choice,
                                      deadline_horizon_days=settings.deadline_horizon_days),
        ).canonical()

    def _waiting_person(self: AllocationService, case: Case, waiting: dict[UUID, Case]
                        ) -> opt.WaitingPerson:
        decision = case.current_decision
        assert decision is not None and case.place_type is not None
        spouse_waiting: str | None = None
        spouse_facility: str | None = None
        if case.spouse_case_id is not None:
            spouse = waiting.get(case.spouse_case_id) or self._spouse(case)
            apart = spouse is not None and case.living_apart_consent \
                and spouse.living_apart_consent
            if spouse is not None and not apart:
                if spouse.id in waiting:
                    spouse_waiting = str(spouse.id)
                elif spouse.in_long_term_stay:
                    spouse_facility = spouse.facility_held  # R10: pulls to that facility
        return opt.WaitingPerson(
            case_id=str(case.id),
            need_score=case.priority.need_score if case.priority else 0,
            urgent=case.urgent,
            granted_outright=case.status is CaseStatus.GRANTED,
            decided_place_type=opt.PlaceType(case.place_type.value),
            needs_screened=case.has_dementia or case.place_type is PlaceType.SCREENED,
            prefers_screened=case.dementia_suspected,
            reinforced_assessed=case.place_type is PlaceType.REINFORCED,
            wishes=tuple(case.wishes),
            decision_date=decision.decided_on,
            deadline=case.deadline or decision.decided_on,
            spouse_case_id=spouse_waiting,
            spouse_resident_facility_id=spouse_facility,
            accompanying_spouse=case.accompanying_spouse,
            chose_to_wait=case.breach_choice is BreachChoice.WAIT,
        )

    def run_allocation(self: AllocationService, municipality: str, *, started_by: str,
                       command_id: str | None = None) -> UUID:
        """Propose who gets which vacant place; record the proposal. Offers are made only
        when an officer approves them."""
        from application.service import derived_id

        run_id = derived_id("allocation-run", municipality, command_id)
        if command_id and self._exists(run_id) is not None:
            return self.get_allocation_run(municipality, run_id).id
        now = self._now()
        problem = self.build_problem(municipality, local_date(now))
        plan = opt.solve(problem)
        run = AllocationRun.propose(
            now, run_id=run_id, municipality=municipality, as_of=problem.as_of,
            problem=problem.to_dict(), problem_hash=plan.problem_hash,
            solver=opt.model.to_json(plan.solver), plan=plan.to_dict(),
            started_by=started_by, command_id=command_id)
        self._commit(run)
        return run.id

    def get_allocation_run(self: AllocationService, municipality: str, run_id: UUID
                           ) -> AllocationRun:
        return self._load(AllocationRun, run_id, municipality, "allocation_run")

    def approve_proposal(
        self: AllocationService, municipality: str, run_id: UUID, case_id: UUID, *,
        approved_by: str, place_id: UUID | None = None,
        provider_offer_id: UUID | None = None, reason: str | None = None,
        non_screened_reason: str | None = None,
    ) -> UUID:
        """An officer approves a proposed offer, or changes it to another place with a
        reason. The offer is made as a manual one would be; case, place and run are saved
        in one transaction. Safe to retry."""
        from application.service import derived_id

        run = self.get_allocation_run(municipality, run_id)
        key = str(case_id)
        offer_id = derived_id("offer", case_id, f"allocation-run/{run_id}")
        if run.offer_ids.get(key) == offer_id:
            return offer_id  # a retry
        item = run.proposed.get(key)
        if item is None:
            raise NotFound("the run proposed no offer for this case", field="case_id")
        if run.item_status[key] != PROPOSED:
            raise InvalidState(f"the proposal is already {run.item_status[key]}",
                               field="case_id")
        if place_id is None and provider_offer_id is None:
            if item["kind"] == opt.AssignmentKind.OWN.value:
                place_id = UUID(item["place_id"])
            else:
                provider_offer_id = UUID(item["place_id"])
        target_key = str(place_id or provider_offer_id)
        explanation = next((e for e in run.plan.get("explanations", [])
                            if e["case_id"] == key), None)
        if (non_screened_reason is None and explanation is not None
                and explanation.get("type_fit") == "ordinary_for_dementia"
                and target_key == item["place_id"]):
            non_screened_reason = explanation["text"]  # R7: the proposal's reason, adopted
        case = self.get_case(municipality, case_id)
        command_id = f"allocation-run/{run_id}/{key}"
        target = self._offer_to(
            municipality, case, offer_id, made_by=approved_by, place_id=place_id,
            provider_offer_id=provider_offer_id, non_screened_reason=non_screened_reason,
            proposal_id=run_id, command_id=command_id)
        run.approve(self._now(), case_id=key, offer_id=offer_id, target_id=target_key,
                    approved_by=approved_by, reason=reason, command_id=command_id)
        self._commit(case, target, run)
        return offer_id

    def reject_proposal(self: AllocationService, municipality: str, run_id: UUID,
                        case_id: UUID, *, rejected_by: str, reason: str,
                        command_id: str | None = None) -> None:
        run = self.get_allocation_run(municipality, run_id)
        if run.has_handled(command_id):
            return
        run.reject(self._now(), case_id=str(case_id), rejected_by=rejected_by, reason=reason,
                   command_id=command_id)
        self._commit(run)

    def rerun_allocation(self: AllocationService, municipality: str, run_id: UUID
                         ) -> RerunResult:
        """R21: solve the recorded problem again and compare with the recorded plan."""
        run = self.get_allocation_run(municipality, run_id)
        problem = opt.AllocationProblem.from_dict(run.problem)
        plan = opt.solve(problem).to_dict()
        return RerunResult(run_id=run.id, identical=plan == run.plan,
                           problem_hash=problem.problem_hash(), recorded_plan=run.plan,
                           plan=plan)


__all__ = ["AllocationCommands", "RerunResult"]
