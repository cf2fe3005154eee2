"""Allocation runs: build the problem from the current state, ask the optimizer, record the
proposal, and let an officer approve, change or reject each proposed offer (R17).

Approving makes the offer through the same path as a manual offer (R7, R8, R10, R18, R19 and
the place's capacity are checked again), saving the case, the place and the run together.
A person on the list without a current priority assessment is named before a run: the
officer confirms before it proceeds (R16, R17).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import optimizer as opt
from application.allocation_facts import (
    AllocationFacts,
    CaseFacts,
    FactsMemo,
    PlaceFacts,
    ProviderOfferFacts,
)
from application.allocation_movers import MoverFacts, mover_of_case
from application.base import derived_id
from application.errors import ConfirmationRequired
from application.moves import MoveCommands
from application.waiting_cases import AllocationRows
from domain.allocation import PROPOSED, AllocationRun
from domain.base import local_date
from domain.case import Case
from domain.errors import InvalidState, InvalidValue, NotFound
from domain.place import Place
from domain.provider import ProviderOffer
from domain.values import BreachChoice, FacilityKind, MoveReason, PlaceType, RoomKind


@dataclass(frozen=True)
class RerunResult:
    """A recorded run solved again: the same problem must give the same plan, bit for bit."""

    run_id: UUID
    identical: bool
    problem_hash: str
    recorded_plan: dict[str, Any]
    plan: dict[str, Any]

    def persons(self) -> list[dict[str, Any]]:
        """Person by person, in the recorded run's order (proposed first, then by rank):
        the outcome, place and reasons recorded and now, and whether they are the same."""
        def by_case(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
            places = {a["case_id"]: a["place_id"] for a in plan.get("assignments", [])}
            return {e["case_id"]: {"outcome": e.get("outcome", "none"),
                                   "place_id": places.get(e["case_id"]), "explanation": e}
                    for e in plan.get("explanations", [])}

        recorded, now = by_case(self.recorded_plan), by_case(self.plan)
        order = sorted(recorded, key=lambda c: (recorded[c]["place_id"] is None,
                                                recorded[c]["explanation"].get(
                                                    "waiting_list_rank") or 0, c))
        order += sorted(set(now) - set(recorded))
        nothing: dict[str, Any] = {"outcome": None, "place_id": None, "explanation": None}
        return [{"case_id": c, "same": recorded.get(c) == now.get(c),
                 "recorded": recorded.get(c, nothing), "rerun": now.get(c, nothing)}
                for c in order]


@dataclass(frozen=True)
class Candidates:
    """Who an allocation run is about: the persons it may propose offers to, and those on the
    list it leaves out or warns about; ``facts``: everything the run read, at one moment."""

    cases: dict[UUID, CaseFacts]
    unassessed: tuple[UUID, ...]  # R16: no current priority assessment (ranked last)
    dementia_uninvestigated: tuple[UUID, ...]  # R8 (5): no offer before the investigation
    facts: AllocationFacts


#: The domain's values as the optimizer's (the same strings): looked up, not converted,
#: for each of a run's thousands of persons and places.
_OPT_PLACE_TYPE = {t: opt.PlaceType(t.value) for t in PlaceType}
_OPT_FACILITY_KIND = {k: opt.FacilityKind(k.value) for k in FacilityKind}
_OPT_ROOM = {k: opt.Room(k.value) for k in RoomKind}


def _room(kind: RoomKind) -> opt.Room:
    return _OPT_ROOM[kind]


def _ore(amount: Any) -> int:
    """Kroner (Decimal) as whole øre."""
    return int((amount * 100).to_integral_value())


def _move_reason_of(explanation: dict[str, Any]) -> MoveReason:
    """R28: the reason a mover's recorded explanation states."""
    for fact in explanation.get("facts", []):
        if fact.get("kind") == opt.FactKind.MOVE_REASON.value:
            return MoveReason(fact["provider"])
    raise InvalidValue("case_id", "the run's explanation gives no reason for the move")


def _lacks_type(case: CaseFacts, stock: set[tuple[PlaceType, FacilityKind]]) -> bool:
    """R5: no own place of the decided type (and kind, if decided) exists."""
    return not any(t is case.place_type
                   and (case.facility_kind is None or k is case.facility_kind)
                   for t, k in stock)


class AllocationCommands(MoveCommands):
    """Allocation runs (tildelingsrunder), on the offer and case commands."""

    #: Facts kept between allocation reads (:class:`FactsMemo`), where the read side keeps
    #: its documents between them too (the policy lab's daily runs); None: built anew.
    allocation_facts_memo: FactsMemo | None = None

    def allocation_facts(self, municipality: str) -> AllocationFacts:
        """What a run reads of the current state: from the read models when the service has
        them (:class:`~application.waiting_cases.AllocationRows`: one read, nothing
        replayed), else from the aggregates (every place and provider offer, and the
        waiting cases, loaded from their events)."""
        source = self.waiting_cases
        if isinstance(source, AllocationRows):
            return AllocationFacts.of_rows(source.allocation_rows(municipality),
                                           self.allocation_facts_memo)
        return self._facts_from_aggregates(municipality)

    def _facts_from_aggregates(self, municipality: str) -> AllocationFacts:
        waiting: list[CaseFacts] = []
        for cid in self.waiting_case_ids(municipality):
            case = self._exists(cid)
            if isinstance(case, Case) and case.municipality == municipality \
                    and case.on_waiting_list:
                waiting.append(CaseFacts.of_case(case))
        on_list = {c.case_id for c in waiting}
        spouses: dict[UUID, CaseFacts] = {}
        for c in waiting:
            if c.spouse_case_id is not None and c.spouse_case_id not in on_list:
                spouse = self._exists(c.spouse_case_id)
                if isinstance(spouse, Case):
                    spouses[spouse.id] = CaseFacts.of_case(spouse)
        places = []
        for pid in self.place_ids():
            place = self._exists(pid)
            if isinstance(place, Place) and place.municipality == municipality:
                places.append(PlaceFacts.of_place(place))
        offers = []
        for oid in self.provider_offer_ids():
            po = self._exists(oid)
            if isinstance(po, ProviderOffer) and po.municipality == municipality:
                offers.append(ProviderOfferFacts.of_offer(po))
        return AllocationFacts(tuple(sorted(waiting, key=lambda c: str(c.case_id))),
                               spouses, tuple(places), tuple(offers),
                               movers=self._movers_from_aggregates(places, offers))

    def _movers_from_aggregates(self, places: list[PlaceFacts],
                                offers: list[ProviderOfferFacts]) -> tuple[MoverFacts, ...]:
        """R28: the residents of the municipality's places and of its bought places."""
        ids = {UUID(c) for p in places for c in p.occupants}
        ids |= {UUID(o.purchased_for) for o in offers if o.purchased_for}
        out = []
        for cid in sorted(ids, key=str):
            case = self._exists(cid)
            if not isinstance(case, Case):
                continue
            mover = mover_of_case(case, self._spouse(case), free_choice=True, today=date.max)
            if mover is not None:
                out.append(mover)
        return tuple(out)

    def candidates(self, municipality: str, facts: AllocationFacts | None = None
                   ) -> Candidates:
        """The cases on the list without an outstanding offer, and the warnings."""
        facts = facts or self.allocation_facts(municipality)
        cases: dict[UUID, CaseFacts] = {}
        unassessed: list[UUID] = []
        uninvestigated: list[UUID] = []
        for case in facts.waiting:
            if not (case.municipality == municipality and case.on_waiting_list
                    and not case.has_outstanding_offer and case.place_type is not None
                    and case.decided):
                continue
            if case.dementia_uninvestigated:
                uninvestigated.append(case.case_id)
                continue
            if case.need_score is None:
                unassessed.append(case.case_id)
            cases[case.case_id] = case
        return Candidates(cases, tuple(sorted(unassessed, key=str)),
                          tuple(sorted(uninvestigated, key=str)), facts)

    def build_problem(self, municipality: str, as_of: date,
                      candidates: Candidates | None = None) -> opt.AllocationProblem:
        """The allocation problem as the current state stands: own places free within the
        policy's days (R18), other providers' available places, and everyone waiting without
        an outstanding offer (R8 (5): not a person whose suspected dementia is uninvestigated).
        """
        _, version, settings = self.policy_on(municipality, as_of)
        candidates = candidates or self.candidates(municipality)
        facts = candidates.facts
        window = as_of + timedelta(days=settings.offer_available_within_days)
        vacancies = []
        stock: set[tuple[PlaceType, FacilityKind]] = set()
        names: dict[str, str] = {}
        for place in facts.places:
            names[place.facility_id] = place.facility_name
            if place.is_open:
                stock.add((place.place_type, place.facility_kind))
            free_from = place.free_from(as_of)
            if free_from is None or free_from > window:
                continue
            vacancies.append(opt.Vacancy(
                place_id=str(place.place_id), facility_id=place.facility_id,
                facility_name=place.facility_name,
                facility_kind=_OPT_FACILITY_KIND[place.facility_kind],
                unit=place.unit, place_type=_OPT_PLACE_TYPE[place.place_type],
                room=_room(place.room_kind), capacity=place.free_beds_on(free_from),
                available_from=free_from))
        purchasable = []
        for po in facts.provider_offers:
            if po.is_available_on(as_of):
                purchasable.append(opt.PurchasableOffer(
                    offer_id=str(po.offer_id), provider=po.provider,
                    facility_id=po.facility_id, facility_name=po.facility_name,
                    facility_kind=_OPT_FACILITY_KIND[po.facility_kind],
                    place_type=_OPT_PLACE_TYPE[po.place_type],
                    price_per_day_ore=_ore(po.price_per_day),
                    available_from=po.available_from, room=_room(po.room_kind)))
        waiting = candidates.cases
        persons = [self._waiting_person(case, waiting, facts, as_of, stock)
                   for case in waiting.values()]
        return opt.AllocationProblem(
            municipality=municipality, as_of=as_of, vacancies=tuple(vacancies),
            purchasable=tuple(purchasable), persons=tuple(persons),
            policy=opt.PolicySettings(version=version, free_choice=settings.free_choice,
                                      deadline_horizon_days=settings.deadline_horizon_days),
            facility_names=tuple(sorted(names.items())),
            movers=self._movers(facts, as_of, settings.free_choice, set(waiting)),
        ).canonical()

    @staticmethod
    def _movers(facts: AllocationFacts, as_of: date, free_choice: bool,
                waiting: set[UUID]) -> tuple[opt.Mover, ...]:
        """R28: the movers of the run: residents with a reason in force today (free choice
        only where the policy has it), moved in by today."""
        out = []
        for m in facts.movers:
            reasons = tuple(r for r in m.reasons
                            if free_choice or r is not MoveReason.FREE_CHOICE)
            if reasons and m.resident_since <= as_of and m.case_id not in waiting:
                out.append(replace(m, reasons=reasons).mover())
        return tuple(out)

    @staticmethod
    def _waiting_person(case: CaseFacts, waiting: dict[UUID, CaseFacts],
                        facts: AllocationFacts, as_of: date,
                        stock: set[tuple[PlaceType, FacilityKind]]) -> opt.WaitingPerson:
        assert case.place_type is not None
        spouse_waiting: str | None = None
        spouse_facility: str | None = None
        accompanied = False
        if case.spouse_case_id is not None:
            spouse = facts.case(case.spouse_case_id)
            apart = spouse is not None and case.living_apart_consent \
                and spouse.living_apart_consent
            if spouse is not None and not apart:
                if spouse.awaits_accompanying_offer \
                        and spouse.accompanies_case_id == case.case_id:
                    accompanied = True  # R11: the couple needs a whole double room
                elif spouse.case_id in waiting:
                    spouse_waiting = str(spouse.case_id)
                elif spouse.in_long_term_stay:
                    spouse_facility = spouse.facility_held  # R10: pulls to that facility
        state = case.guarantee.state(as_of)
        return opt.WaitingPerson(
            case_id=str(case.case_id),
            need_score=case.need_score,
            urgent=case.urgent,
            decided_place_type=_OPT_PLACE_TYPE[case.place_type],
            decided_facility_kind=(_OPT_FACILITY_KIND[case.facility_kind]
                                   if case.facility_kind is not None else None),
            needs_screened=case.has_dementia or case.place_type is PlaceType.SCREENED,
            prefers_screened=case.dementia_suspected,
            reinforced_assessed=case.place_type is PlaceType.REINFORCED,
            wishes=case.wishes,
            waiting_since=case.waiting_since or case.received_on,
            deadline=state.running_deadline,
            spouse_case_id=spouse_waiting,
            spouse_resident_facility_id=spouse_facility,
            accompanying_spouse=accompanied,
            chose_to_wait=case.breach_choice is BreachChoice.WAIT,
            bridging_stay=case.bridging_stay_on(as_of) is not None,
            own_stock_lacks_type=_lacks_type(case, stock),
        )

    def run_allocation(self, municipality: str, *, started_by: str,
                       confirm_unassessed: bool = False,
                       command_id: str | None = None) -> UUID:
        """Propose who gets which vacant place; record the proposal. Offers are made only
        when an officer approves them. R16, R17: when persons on the list have no current
        priority assessment, the run is refused with :class:`ConfirmationRequired` naming
        them, until the officer confirms (``confirm_unassessed``)."""
        return self.start_allocation_run(municipality, started_by=started_by,
                                         confirm_unassessed=confirm_unassessed,
                                         command_id=command_id).id

    def start_allocation_run(self, municipality: str, *, started_by: str,
                             confirm_unassessed: bool = False,
                             command_id: str | None = None) -> AllocationRun:
        """:meth:`run_allocation`, answering with the recorded run itself (its problem and
        plan at hand, not unpacked again)."""
        run_id = derived_id("allocation-run", municipality, command_id)
        if command_id and self._exists(run_id) is not None:
            return self.get_allocation_run(municipality, run_id)
        now = self._now()
        candidates = self.candidates(municipality)
        if candidates.unassessed and not confirm_unassessed:
            raise ConfirmationRequired(
                "unassessed_persons", f"{len(candidates.unassessed)} person(s) on the waiting "
                "list have no priority assessment and will be ranked after everyone assessed "
                "(§ 3-3): assess them, or confirm that the run proceeds",
                case_ids=candidates.unassessed)
        problem = self.build_problem(municipality, local_date(now), candidates)
        plan = opt.solve(problem)
        run = AllocationRun.propose(
            now, run_id=run_id, municipality=municipality, as_of=problem.as_of,
            problem=problem.to_dict(), problem_hash=plan.problem_hash,
            solver=opt.model.to_json(plan.solver), plan=plan.to_dict(),
            started_by=started_by, command_id=command_id,
            read_position=candidates.facts.read_position)
        self._commit(run)
        return run

    def get_allocation_run(self, municipality: str, run_id: UUID) -> AllocationRun:
        return self._load(AllocationRun, run_id, municipality, "allocation_run")

    def approve_proposal(
        self, municipality: str, run_id: UUID, case_id: UUID, *,
        approved_by: str, place_id: UUID | None = None,
        provider_offer_id: UUID | None = None, reason: str | None = None,
        type_reason: str | None = None, unsuitable_reason: str | None = None,
        single_room_reason: str | None = None,
    ) -> UUID:
        """An officer approves a proposed offer, or changes it to another place with a
        reason. The offer is made as a manual one would be; case, place and run are saved
        in one transaction. Safe to retry."""
        run = self.get_allocation_run(municipality, run_id)
        key = str(case_id)
        offer_id = derived_id("offer", case_id, f"allocation-run/{run_id}")
        if run.offer_ids.get(key) == offer_id:
            return offer_id  # a retry
        if key in run.moves and key in run.offer_ids:
            return run.offer_ids[key]  # a retry of a move
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
        explanation = next((e for e in run.plan.get(
            "move_explanations" if key in run.moves else "explanations", [])
            if e["case_id"] == key), None)
        if (type_reason is None and explanation is not None
                and explanation.get("type_fit") in ("ordinary_for_dementia",
                                                    "screened_not_needed")
                and target_key == item["place_id"]):
            type_reason = explanation["text"]  # R7: the proposal's reason, adopted
        work = self._begin(municipality, case_id)
        command_id = f"allocation-run/{run_id}/{key}"
        if key in run.moves:  # R28: a proposed move, approved like an offer (R17)
            if place_id is None:
                raise InvalidValue("place_id", "a move is to an own place")
            move_id = derived_id("move", case_id, f"allocation-run/{run_id}")
            touched = self._move_to(
                municipality, work.case, move_id, place_id=place_id,
                reason=MoveReason(work.case.move_reasons[0].value)
                if explanation is None else _move_reason_of(explanation),
                made_by=approved_by, type_reason=type_reason, proposal_id=run_id,
                command_id=command_id)
            run.approve(self._now(), case_id=key, offer_id=move_id, target_id=target_key,
                        approved_by=approved_by, reason=reason, command_id=command_id)
            self._finish(work, *touched, run, command_id=command_id)
            return move_id
        touched = self._offer_to(
            municipality, work.case, offer_id, made_by=approved_by, place_id=place_id,
            provider_offer_id=provider_offer_id, type_reason=type_reason,
            unsuitable_reason=unsuitable_reason, proposal_id=run_id,
            single_room_reason=single_room_reason, command_id=command_id)
        run.approve(self._now(), case_id=key, offer_id=offer_id, target_id=target_key,
                    approved_by=approved_by, reason=reason, command_id=command_id)
        self._finish(work, *touched, run, command_id=command_id)
        return offer_id

    def reject_proposal(self, municipality: str, run_id: UUID,
                        case_id: UUID, *, rejected_by: str, reason: str,
                        command_id: str | None = None) -> None:
        run = self.get_allocation_run(municipality, run_id)
        if run.has_handled(command_id):
            return
        run.reject(self._now(), case_id=str(case_id), rejected_by=rejected_by, reason=reason,
                   command_id=command_id)
        self._commit(run)

    def rerun_allocation(self, municipality: str, run_id: UUID) -> RerunResult:
        """R21: solve the recorded problem again and compare with the recorded plan."""
        run = self.get_allocation_run(municipality, run_id)
        problem = opt.AllocationProblem.from_dict(run.problem)
        plan = opt.solve(problem).to_dict()
        return RerunResult(run_id=run.id, identical=plan == run.plan,
                           problem_hash=problem.problem_hash(), recorded_plan=run.plan,
                           plan=plan)


__all__ = ["AllocationCommands", "Candidates", "RerunResult"]
