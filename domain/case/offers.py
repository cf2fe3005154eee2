"""Offers (tilbud om plass, R7, R9, R18, R19, R20, R26): made, accepted, declined, withdrawn
by the municipality, or lapsed when the answer deadline passed unanswered.

An offer meets the guarantee (§ 3-4) only when it is *suitable* (R18): a place of the
decided type (or another type with a recorded reason, R7), in the decided kind of facility,
available within the policy's days of the offer. A manual offer of an unsuitable place is
refused unless a reason is recorded, and even then it does not stop the clock. No offer is
made to a person with suspected dementia that has not been investigated (§ 2-2, R8 (5)).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from domain.base import Base, local_date
from domain.case.decisions import fitting_place_types
from domain.case.guarantee import MetHow, decline_effect
from domain.case.lifecycle import CaseStatus, require
from domain.case.state import CaseState, Offer
from domain.errors import InvalidState, InvalidValue, RuleViolation
from domain.values import (
    BreachChoice,
    FacilityKind,
    OfferKind,
    OfferStatus,
    OfferUnsuitability,
    PlaceType,
    PolicySettings,
)


def unsuitability(*, decided_type: PlaceType | None, decided_kind: FacilityKind | None,
                  has_dementia: bool, place_type: PlaceType, facility_kind: FacilityKind | None,
                  made_on: date, available_on: date, within_days: int,
                  type_reason: str | None) -> tuple[OfferUnsuitability, ...]:
    """R18: why an offer would not meet the guarantee (empty: it is suitable)."""
    out: list[OfferUnsuitability] = []
    fitting = fitting_place_types(decided_type, has_dementia)
    if place_type not in fitting:
        between_ordinary_and_screened = decided_type in (PlaceType.ORDINARY,
                                                         PlaceType.SCREENED) and \
            place_type in (PlaceType.ORDINARY, PlaceType.SCREENED)
        if not (between_ordinary_and_screened and type_reason):
            out.append(OfferUnsuitability.PLACE_TYPE)
    if decided_kind is not None and facility_kind is not None and facility_kind != decided_kind:
        out.append(OfferUnsuitability.FACILITY_KIND)
    if available_on > made_on + timedelta(days=within_days):
        out.append(OfferUnsuitability.AVAILABLE_LATE)
    return tuple(out)


class Offers(CaseState):
    """Mixed into :class:`~domain.case.Case`."""

    class OfferMade(Base.Event):
        """Version 2 added the facility's kind, the day the place is available, the answer
        deadline (R26), whether the offer is suitable (R18) and why not, the reason for an
        unsuitable offer, and renamed ``non_screened_reason`` to ``type_reason``. Version 3
        added ``single_room_reason`` (R11: a room of one bed offered to a person whose
        spouse has a decision on an accompanying stay)."""

        class_version = 3

        offer_id: UUID
        kind: OfferKind
        target_id: UUID
        facility_id: str
        facility_name: str
        facility_kind: FacilityKind | None
        place_type: PlaceType
        made_by: str
        made_on: date
        available_on: date
        answer_by: date
        suitable: bool
        unsuitable: list[OfferUnsuitability]
        type_reason: str | None
        unsuitable_reason: str | None
        proposal_id: UUID | None
        single_room_reason: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["type_reason"] = state.pop("non_screened_reason", None)
            state.update(facility_kind=None, available_on=state["made_on"],
                         answer_by=state["made_on"] + timedelta(days=3), suitable=True,
                         unsuitable=[], unsuitable_reason=None)

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state["single_room_reason"] = None

        def on(self, case: Offers) -> None:
            case.offers[self.offer_id] = Offer(
                self.offer_id, self.kind, self.target_id, self.facility_id,
                self.facility_name, self.place_type, self.made_on, self.facility_kind,
                self.available_on, self.answer_by, self.suitable, tuple(self.unsuitable),
            )
            case.guarantee.offer_made(str(self.offer_id), self.made_on,
                                      suitable=self.suitable)

    class OfferAccepted(Base.Event):
        offer_id: UUID
        answered_on: date

        def on(self, case: Offers) -> None:
            offer = case.offers[self.offer_id]
            offer.status = OfferStatus.ACCEPTED
            offer.answered_on = self.answered_on
            case.guarantee.offer_accepted(str(self.offer_id))

    class OfferDeclined(Base.Event):
        """The person says no. ``guarantee`` records what that did (R18, R20): "fulfilled"
        (the offer met it), "continues" (a new guarantee period starts), "lost" (R20), or
        "none" (an unsuitable offer, or no guarantee running)."""

        offer_id: UUID
        answered_on: date
        reason: str
        guarantee: str

        def on(self, case: Offers) -> None:
            offer = case.offers[self.offer_id]
            offer.status = OfferStatus.DECLINED
            offer.answered_on = self.answered_on
            case.guarantee.offer_declined(str(self.offer_id), self.answered_on,
                                          effect=self.guarantee)

    class OfferWithdrawn(Base.Event):
        """The offer is withdrawn: by the municipality (it then does not meet the guarantee),
        or because the case was rejected or closed (R9). Version 2 added
        ``by_municipality``."""

        class_version = 2

        offer_id: UUID
        reason: str
        by_municipality: bool

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["by_municipality"] = True

        def on(self, case: Offers) -> None:
            offer = case.offers[self.offer_id]
            offer.status = OfferStatus.WITHDRAWN
            offer.answered_on = local_date(self.timestamp)
            case.guarantee.offer_withdrawn(str(self.offer_id))

    class OfferLapsed(Base.Event):
        """R26: the answer deadline passed without an answer; the place is released.
        ``counts_as_declined`` follows the policy; ``guarantee`` as for a decline."""

        offer_id: UUID
        answer_by: date
        lapsed_on: date
        counts_as_declined: bool
        guarantee: str

        def on(self, case: Offers) -> None:
            offer = case.offers[self.offer_id]
            offer.status = OfferStatus.LAPSED
            offer.answered_on = self.lapsed_on
            if self.counts_as_declined:
                case.guarantee.offer_declined(str(self.offer_id), self.lapsed_on,
                                              effect=self.guarantee, how=MetHow.LAPSED)
            else:
                case.guarantee.offer_withdrawn(str(self.offer_id))

    # --- derived ---------------------------------------------------------------------------

    @property
    def outstanding_offer(self) -> Offer | None:
        """The offer awaiting an answer or an admission; the one the person moved in on
        is not outstanding."""
        for offer in self.offers.values():
            if offer.outstanding:
                return offer
        return None

    @property
    def facility_held(self) -> str | None:
        """The facility where the person lives or holds an outstanding offer (R10)."""
        if self.status is CaseStatus.RESIDENT and self.residence is not None:
            return self.residence.facility_id
        offer = self.outstanding_offer
        return offer.facility_id if offer else None

    def lapsed_offers(self, today: date) -> list[Offer]:
        """R26: offers made and not answered by their answer deadline."""
        return [o for o in self.offers.values()
                if o.status is OfferStatus.MADE and o.answer_by is not None
                and today > o.answer_by]

    # --- commands -------------------------------------------------------------------------

    def make_offer(
        self, now: datetime, *, offer_id: UUID, kind: OfferKind, target_id: UUID,
        facility_id: str, facility_name: str, place_type: PlaceType, made_by: str,
        policy: PolicySettings, facility_kind: FacilityKind | None = None,
        available_on: date | None = None, own_stock_lacks_type: bool = False,
        type_reason: str | None = None, unsuitable_reason: str | None = None,
        proposal_id: UUID | None = None, single_room_reason: str | None = None,
        command_id: str | None = None,
    ) -> None:
        """Offer a concrete place. ``available_on``: the first day the place can be moved
        into (today if None). ``own_stock_lacks_type``: the municipality has no own place
        of the decided type (R5: a place may then be bought at any time)."""
        if self.status is CaseStatus.REJECTED:
            raise RuleViolation("R9", "a rejected person is not on the waiting list and gets "
                                "no offer", field="case_id")
        require(self.status, "make_offer")
        if self.outstanding_offer is not None:
            raise InvalidState("the person already has an outstanding offer; a person gets "
                               "at most one place", field="case_id")
        if self.dementia_uninvestigated:
            raise RuleViolation(
                "R8", "dementia is suspected and not investigated: the investigation is done "
                "before a long-term stay is offered (§ 2-2)", field="case_id",
                missing=("dementia_investigation",))
        if place_type is PlaceType.REINFORCED and self.place_type is not PlaceType.REINFORCED:
            raise InvalidState("a reinforced place is for a person whose decision is for a "
                               "reinforced place", field="place_type")
        reason = (type_reason or "").strip() or None
        if self.has_dementia and place_type is not PlaceType.SCREENED and reason is None:
            raise RuleViolation(
                "R7", "the person has a dementia diagnosis: a place that is not screened needs "
                "a recorded reason (for example to live with a spouse in a double room)",
                field="type_reason", missing=("type_reason",))
        today = local_date(now)
        available = available_on or today
        if available < today:
            available = today
        unsuitable = unsuitability(
            decided_type=self.place_type, decided_kind=self.facility_kind,
            has_dementia=self.has_dementia, place_type=place_type, facility_kind=facility_kind,
            made_on=today, available_on=available,
            within_days=policy.offer_available_within_days, type_reason=reason)
        why = (unsuitable_reason or "").strip() or None
        if unsuitable and why is None:
            raise RuleViolation(
                "R18", "the place does not meet the decision ("
                + ", ".join(u.value for u in unsuitable) + "): such an offer does not meet the "
                "guarantee and needs a recorded reason", field="unsuitable_reason",
                missing=("unsuitable_reason",))
        if kind is OfferKind.PURCHASE:
            self._check_purchase(today, policy, own_stock_lacks_type)
        self.trigger_event(
            self.OfferMade, timestamp=now, command_id=command_id, offer_id=offer_id,
            kind=kind, target_id=target_id, facility_id=facility_id,
            facility_name=facility_name, facility_kind=facility_kind, place_type=place_type,
            made_by=made_by, made_on=today, available_on=available,
            answer_by=today + timedelta(days=policy.offer_answer_days),
            suitable=not unsuitable, unsuitable=list(unsuitable), type_reason=reason,
            unsuitable_reason=why if unsuitable else None, proposal_id=proposal_id,
            single_room_reason=(single_room_reason or "").strip() or None,
        )

    def _check_purchase(self, today: date, policy: PolicySettings,
                        own_stock_lacks_type: bool) -> None:
        """R4, R5, R15, R18, R19: when a place may be bought from another provider."""
        deadline = self.guarantee.state(today).running_deadline
        near = deadline is not None and (deadline - today).days <= policy.deadline_horizon_days
        allowed = (
            self.status is CaseStatus.GRANTED  # R4, R15: carried out at once
            or own_stock_lacks_type  # R5: none of the decided type in the own stock
            or self.breach_choice is BreachChoice.PURCHASE  # R19
            or (near and self.breach_choice is not BreachChoice.WAIT)  # R18
        )
        if not allowed:
            raise RuleViolation(
                "R19", "a place is bought from another provider for a grant to be carried out "
                "at once (§ 3-3 first paragraph), when the municipality has no place of the "
                "decided type (§ 2-1), when the deadline is near (§ 3-4), or after a breach "
                "when the person chose a purchase", field="kind")

    def _offer(self, offer_id: UUID, *statuses: OfferStatus) -> Offer:
        offer = self.offers.get(offer_id)
        if offer is None:
            raise InvalidState("no such offer on this case", field="offer_id")
        if offer.admitted_on is not None:
            raise InvalidState("the person moved in on this offer; end the stay to release "
                               "the place", field="offer_id")
        if offer.status not in statuses:
            raise InvalidState(f"the offer is {offer.status.value}", field="offer_id")
        return offer

    def accept_offer(self, now: datetime, *, offer_id: UUID,
                     command_id: str | None = None) -> Offer:
        require(self.status, "answer_offer")
        offer = self._offer(offer_id, OfferStatus.MADE)
        self.trigger_event(self.OfferAccepted, timestamp=now, command_id=command_id,
                           offer_id=offer_id, answered_on=local_date(now))
        return offer

    def decline_effect_of(self, offer: Offer) -> str:
        """R18, R20: what declining ``offer`` now would do to the guarantee: "fulfilled",
        "continues", "lost" or "none" (see :func:`~domain.case.guarantee.decline_effect`).
        The offer letter tells the person this; :meth:`decline_offer` records it."""
        period = self.guarantee.current
        if self.status is not CaseStatus.WAITING or period is None:
            return "none"
        return decline_effect(
            suitable=offer.suitable,
            met_or_breached=period.met_by == str(offer.offer_id)
            or period.breached_on is not None,
            free_choice=self.free_choice,
            first_wish=not self.wishes or offer.facility_id in self.wishes[:1],
            declined_effect=self.declined_offer_effect)

    def decline_offer(self, now: datetime, *, offer_id: UUID, reason: str,
                      command_id: str | None = None) -> Offer:
        """R18/R20: what declining does to the guarantee follows the decision's policy."""
        require(self.status, "answer_offer")
        offer = self._offer(offer_id, OfferStatus.MADE)
        self._record_due_breach(now, command_id)
        self.trigger_event(self.OfferDeclined, timestamp=now, command_id=command_id,
                           offer_id=offer_id, answered_on=local_date(now), reason=reason,
                           guarantee=self.decline_effect_of(offer))
        return offer

    def withdraw_offer(self, now: datetime, *, offer_id: UUID, reason: str,
                       command_id: str | None = None) -> Offer:
        """The municipality withdraws its offer: it no longer meets the guarantee (R18)."""
        require(self.status, "withdraw_offer")
        if not reason or not reason.strip():
            raise InvalidValue("reason", "say why the offer is withdrawn")
        offer = self._offer(offer_id, OfferStatus.MADE, OfferStatus.ACCEPTED)
        self.trigger_event(self.OfferWithdrawn, timestamp=now, command_id=command_id,
                           offer_id=offer_id, reason=reason, by_municipality=True)
        self._record_due_breach(now, command_id)  # the offer no longer met a passed deadline
        return offer

    def lapse_offer(self, now: datetime, *, offer_id: UUID, counts_as_declined: bool,
                    command_id: str | None = None) -> Offer:
        """R26: record that the offer was not answered by its answer deadline."""
        require(self.status, "lapse_offer")
        offer = self._offer(offer_id, OfferStatus.MADE)
        today = local_date(now)
        if offer.answer_by is None or today <= offer.answer_by:
            raise InvalidState("the answer deadline has not passed", field="offer_id")
        self._record_due_breach(now, command_id)
        effect = self.decline_effect_of(offer) if counts_as_declined else "none"
        self.trigger_event(self.OfferLapsed, timestamp=now, command_id=command_id,
                           offer_id=offer_id, answer_by=offer.answer_by, lapsed_on=today,
                           counts_as_declined=counts_as_declined, guarantee=effect)
        self._record_due_breach(now, command_id)  # not counted: as if never made
        return offer

    def _withdraw_outstanding(self, now: datetime, reason: str, command_id: str | None
                              ) -> None:
        """R9: a rejection, a closure or a death withdraws every outstanding offer."""
        for offer in list(self.offers.values()):
            if offer.outstanding:
                self.trigger_event(self.OfferWithdrawn, timestamp=now, command_id=command_id,
                                   offer_id=offer.offer_id, reason=reason,
                                   by_municipality=False)
