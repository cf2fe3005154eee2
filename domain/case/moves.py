"""Moves (flytting, R28; § 2-3, memo 2.3): a resident offered another place.

A resident (status ``resident``) may be offered a move, for one of four reasons
(:class:`~domain.values.MoveReason`, in the order the allocator plans them): a new decision
gives another place type (*change of need*); to live with the spouse (*spouses together*,
R10); to the facility the person wished for (*free choice*, R20); from a place bought from
another provider to an own place (*bought to own*).

- A move offer reserves the new place in the same transaction, like any offer; it has an
  answer deadline (R26) but no part in the waiting-list guarantee: the person is not on the
  list (R18).
- The person may accept or decline. **Declining costs nothing** (R28): they keep their place,
  and nothing is recorded against them but the answer.
- Carrying out the move is one event, :class:`Moves.Moved`: the move-out of the old place and
  the move-in to the new one on the same day; the application vacates the old place (or ends
  the purchase of a bought one) from that day, in the same save. Dated ahead, it is planned
  (R24): the old place stays occupied until that day.
- A death (or any end of the stay) withdraws an outstanding move offer and releases its place
  (as R9 does for offers).
- R11: an accompanying spouse living in the resident's room moves with them: the new place
  must be a double room with both beds free (:func:`check_move_with_spouse`); the spouse's own
  move offer follows the resident's (:meth:`Moves.follow_resident_move`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from domain.base import Base, local_date
from domain.case.lifecycle import CaseStatus, require
from domain.case.offers import unsuitability
from domain.case.state import CaseState, Offer, Residence
from domain.errors import InvalidState, InvalidValue, RuleViolation
from domain.values import (
    FacilityKind,
    MoveReason,
    OfferKind,
    OfferStatus,
    PlaceType,
    PolicySettings,
)

if TYPE_CHECKING:
    from domain.case.aggregate import Case

_LET_GO = (OfferStatus.DECLINED, OfferStatus.WITHDRAWN, OfferStatus.LAPSED)


class Moves(CaseState):
    """Mixed into :class:`~domain.case.Case`."""

    class MoveOffered(Base.Event):
        """R28: another place offered to a resident (``accompanies``: on an accompanying
        spouse's case, the resident's move offer this one follows, R11)."""

        offer_id: UUID
        reason: MoveReason
        kind: OfferKind
        target_id: UUID
        facility_id: str
        facility_name: str
        facility_kind: FacilityKind | None
        place_type: PlaceType
        made_by: str
        made_on: date
        available_on: date
        answer_by: date | None
        type_reason: str | None
        proposal_id: UUID | None
        accompanies: UUID | None

        def on(self, case: Moves) -> None:
            case.offers[self.offer_id] = Offer(
                self.offer_id, self.kind, self.target_id, self.facility_id,
                self.facility_name, self.place_type, self.made_on, self.facility_kind,
                self.available_on, self.answer_by, True, (), accompanies=self.accompanies,
                move_reason=self.reason)

    class MoveAccepted(Base.Event):
        offer_id: UUID
        answered_on: date

        def on(self, case: Moves) -> None:
            offer = case.offers[self.offer_id]
            offer.status, offer.answered_on = OfferStatus.ACCEPTED, self.answered_on

    class MoveDeclined(Base.Event):
        """The resident says no: they keep their place; nothing else follows (R28)."""

        offer_id: UUID
        answered_on: date
        reason: str

        def on(self, case: Moves) -> None:
            offer = case.offers[self.offer_id]
            offer.status, offer.answered_on = OfferStatus.DECLINED, self.answered_on

    class MoveWithdrawn(Base.Event):
        """The move offer is withdrawn: by the municipality, or because the stay ended (a
        death) or the resident's move it followed was let go (R11)."""

        offer_id: UUID
        reason: str
        by_municipality: bool

        def on(self, case: Moves) -> None:
            offer = case.offers[self.offer_id]
            offer.status = OfferStatus.WITHDRAWN
            offer.answered_on = local_date(self.timestamp)

    class MoveLapsed(Base.Event):
        """R26: the move offer was not answered by its answer deadline; its place is
        released. The resident keeps their place: nothing else follows (R28)."""

        offer_id: UUID
        answer_by: date
        lapsed_on: date

        def on(self, case: Moves) -> None:
            offer = case.offers[self.offer_id]
            offer.status, offer.answered_on = OfferStatus.LAPSED, self.lapsed_on

    class Moved(Base.Event):
        """R28: moved out of the old place and into the new one on ``moved_on`` (planned if
        ahead, R24); one event, so there is no moment with two places or none."""

        offer_id: UUID
        from_target_id: UUID
        from_facility_id: str
        from_purchased: bool
        target_id: UUID
        facility_id: str
        place_type: PlaceType
        purchased: bool
        moved_on: date

        def on(self, case: Moves) -> None:
            offer = case.offers.get(self.offer_id)
            if offer is not None:
                offer.admitted_on = self.moved_on
            case.residence = Residence(self.target_id, self.facility_id, self.moved_on,
                                       self.purchased, self.place_type)

    # --- derived ---------------------------------------------------------------------------

    @property
    def outstanding_move(self) -> Offer | None:
        for offer in self.offers.values():
            if offer.move_reason is not None and offer.outstanding:
                return offer
        return None

    @property
    def move_reasons(self) -> tuple[MoveReason, ...]:
        """R28: why this resident may want a move, from the case alone (spouses together
        needs the spouse's case too: :func:`spouses_apart`). Empty for anyone else."""
        res = self.residence
        if self.status is not CaseStatus.RESIDENT or res is None or \
                self._accompanies_someone():
            return ()
        out = []
        if self.place_type is not None and res.place_type is not None and \
                res.place_type is not self.place_type:
            out.append(MoveReason.CHANGE_OF_NEED)
        if self.free_choice and self.wishes and res.facility_id != self.wishes[0]:
            out.append(MoveReason.FREE_CHOICE)
        if res.purchased:
            out.append(MoveReason.BOUGHT_TO_OWN)
        return tuple(out)

    def _accompanies_someone(self) -> bool:
        return self.accompanying is not None and self.accompanying.concluded is None

    # --- commands -------------------------------------------------------------------------

    def offer_move(
        self, now: datetime, *, offer_id: UUID, reason: MoveReason, target_id: UUID,
        facility_id: str, facility_name: str, facility_kind: FacilityKind | None,
        place_type: PlaceType, made_by: str, policy: PolicySettings,
        available_on: date | None = None, spouse_facility: str | None = None,
        type_reason: str | None = None, proposal_id: UUID | None = None,
        command_id: str | None = None,
    ) -> None:
        """Offer this resident another own place (R28). Refused, naming the field or the
        rule and changing nothing, unless the person lives in a place, holds no other move
        offer, the new place is another one, fits the decision (R7, R18's place type) and
        ``reason`` holds: change of need — the new place is of the newly decided type;
        spouses together — the spouse lives at (or is offered) the new place's facility
        (``spouse_facility``); free choice — the policy has it and the facility is wished
        before the present one; bought to own — the person lives in a bought place."""
        require(self.status, "offer_move")
        res = self.residence
        assert res is not None
        today = local_date(now)
        if res.admitted_on > today:
            raise InvalidState("the person has not moved in yet", field="case_id")
        if self._accompanies_someone():
            raise RuleViolation("R11", "the person lives in an accompanying stay and moves "
                                "with the resident spouse", field="case_id")
        if self.outstanding_move is not None:
            raise InvalidState("the person already has an outstanding move offer",
                               field="case_id")
        if target_id == res.target_id:
            raise InvalidValue("place_id", "the person already lives in this place")
        if not isinstance(reason, MoveReason):
            raise InvalidValue("reason", "a move is for a change of need, to live with the "
                               "spouse, free choice, or from a bought place to an own place")
        self._check_move_reason(reason, facility_id, place_type, spouse_facility,
                                free_choice=self.free_choice or policy.free_choice)
        if place_type is PlaceType.REINFORCED and self.place_type is not PlaceType.REINFORCED:
            raise InvalidState("a reinforced place is for a person whose decision is for a "
                               "reinforced place", field="place_id")
        why = (type_reason or "").strip() or None
        available = max(available_on or today, today)
        unfit = unsuitability(
            decided_type=self.place_type, decided_kind=self.facility_kind,
            has_dementia=self.has_dementia, place_type=place_type, facility_kind=facility_kind,
            made_on=today, available_on=available, within_days=10**6, type_reason=why)
        if unfit:
            raise RuleViolation(
                "R7", "the new place does not fit the decision in force (place type or kind "
                "of facility); a place between ordinary and screened needs a recorded reason",
                field="type_reason", missing=("type_reason",))
        self.trigger_event(
            self.MoveOffered, timestamp=now, command_id=command_id, offer_id=offer_id,
            reason=reason, kind=OfferKind.OWN, target_id=target_id, facility_id=facility_id,
            facility_name=facility_name, facility_kind=facility_kind, place_type=place_type,
            made_by=made_by, made_on=today, available_on=available,
            answer_by=today + timedelta(days=policy.offer_answer_days), type_reason=why,
            proposal_id=proposal_id, accompanies=None)

    def _check_move_reason(self, reason: MoveReason, facility_id: str,
                           place_type: PlaceType, spouse_facility: str | None, *,
                           free_choice: bool) -> None:
        res = self.residence
        assert res is not None
        ok = True
        if reason is MoveReason.CHANGE_OF_NEED:
            ok = self.place_type is not None and res.place_type is not self.place_type \
                and place_type is self.place_type
            why = "a move for a change of need is to a place of the type the new decision " \
                  "gives, and the person lives in a place of another type"
        elif reason is MoveReason.SPOUSES_TOGETHER:
            ok = self.spouse_case_id is not None and spouse_facility == facility_id
            why = "a move to live with the spouse is to the facility where the spouse lives " \
                  "or is offered a place (§ 2-3)"
        elif reason is MoveReason.FREE_CHOICE:
            wishes = self.wishes
            ok = free_choice and facility_id in wishes and (
                res.facility_id not in wishes
                or wishes.index(facility_id) < wishes.index(res.facility_id))
            why = "a free-choice move needs the municipality's free choice and a facility " \
                  "the person wished for before the one they live in"
        else:
            ok = res.purchased
            why = "a move from a bought place is for a person who lives in a bought place"
        if not ok:
            raise RuleViolation("R28", why, field="reason")

    def _move_offer(self, offer_id: UUID, *statuses: OfferStatus) -> Offer:
        offer = self.offers.get(offer_id)
        if offer is None or offer.move_reason is None:
            raise InvalidState("no such move offer on this case", field="offer_id")
        if offer.admitted_on is not None:
            raise InvalidState("the move has been carried out", field="offer_id")
        if offer.status not in statuses:
            raise InvalidState(f"the move offer is {offer.status.value}", field="offer_id")
        return offer

    def accept_move(self, now: datetime, *, offer_id: UUID,
                    command_id: str | None = None) -> Offer:
        require(self.status, "answer_move")
        offer = self._move_offer(offer_id, OfferStatus.MADE)
        self.trigger_event(self.MoveAccepted, timestamp=now, command_id=command_id,
                           offer_id=offer_id, answered_on=local_date(now))
        return offer

    def decline_move(self, now: datetime, *, offer_id: UUID, reason: str,
                     command_id: str | None = None) -> Offer:
        """The resident says no and keeps their place; declining costs nothing (R28)."""
        require(self.status, "answer_move")
        offer = self._move_offer(offer_id, OfferStatus.MADE, OfferStatus.ACCEPTED)
        self.trigger_event(self.MoveDeclined, timestamp=now, command_id=command_id,
                           offer_id=offer_id, answered_on=local_date(now),
                           reason=(reason or "").strip())
        return offer

    def withdraw_move(self, now: datetime, *, offer_id: UUID, reason: str,
                      command_id: str | None = None) -> Offer:
        require(self.status, "withdraw_move")
        if not reason or not reason.strip():
            raise InvalidValue("reason", "say why the move offer is withdrawn")
        offer = self._move_offer(offer_id, OfferStatus.MADE, OfferStatus.ACCEPTED)
        self.trigger_event(self.MoveWithdrawn, timestamp=now, command_id=command_id,
                           offer_id=offer_id, reason=reason.strip(), by_municipality=True)
        return offer

    def lapse_move(self, now: datetime, *, offer_id: UUID,
                   command_id: str | None = None) -> Offer:
        """R26: the move offer was not answered by its answer deadline: it lapses (the
        application releases its place in the same save). Like a decline, it costs the
        resident nothing (R28). Refused once answered, withdrawn or carried out, before the
        deadline, and when the case is no longer a resident's (a death withdrew it)."""
        require(self.status, "lapse_move")
        offer = self._move_offer(offer_id, OfferStatus.MADE)
        today = local_date(now)
        if offer.answer_by is None or today <= offer.answer_by:
            raise InvalidState("the answer deadline has not passed", field="offer_id")
        self.trigger_event(self.MoveLapsed, timestamp=now, command_id=command_id,
                           offer_id=offer_id, answer_by=offer.answer_by, lapsed_on=today)
        return offer

    def carry_out_move(self, now: datetime, *, offer_id: UUID, moved_on: date | None = None,
                       command_id: str | None = None) -> Offer:
        """Move out of the old place and into the new one on the same day (R28; dated
        ahead it is planned, R24). The application vacates the old place in the same save."""
        require(self.status, "move")
        offer = self._move_offer(offer_id, OfferStatus.ACCEPTED)
        res = self.residence
        assert res is not None
        day = moved_on or max(local_date(now), offer.available_on or offer.made_on)
        if day < offer.made_on or day < res.admitted_on:
            raise InvalidValue("moved_on", "a move cannot be dated before the offer or the "
                               "admission to the present place")
        if offer.available_on is not None and day < offer.available_on:
            raise InvalidValue("moved_on", "the place is available from "
                               f"{offer.available_on.isoformat()}")
        self._moved(now, offer, day, command_id)
        return offer

    def _moved(self, now: datetime, offer: Offer, day: date, command_id: str | None) -> None:
        res = self.residence
        assert res is not None
        self.trigger_event(
            self.Moved, timestamp=now, command_id=command_id, offer_id=offer.offer_id,
            from_target_id=res.target_id, from_facility_id=res.facility_id,
            from_purchased=res.purchased, target_id=offer.target_id,
            facility_id=offer.facility_id, place_type=offer.place_type,
            purchased=offer.kind is OfferKind.PURCHASE, moved_on=day)

    def withdraw_moves_at_end(self, now: datetime, reason: str,
                              command_id: str | None) -> None:
        """R9 as for offers: the end of the stay (a death) withdraws an outstanding move."""
        offer = self.outstanding_move
        if offer is not None:
            self.trigger_event(self.MoveWithdrawn, timestamp=now, command_id=command_id,
                               offer_id=offer.offer_id, reason=reason, by_municipality=False)

    # --- R11: the accompanying spouse moves with the resident ----------------------------

    def follow_move_offer(self, now: datetime, *, offer_id: UUID, resident_offer: Offer,
                          made_by: str, command_id: str | None = None) -> None:
        """R11: this accompanying spouse is offered the second bed of the double room the
        resident spouse is offered to move to, in the same save."""
        require(self.status, "follow_resident_move")
        if self.outstanding_move is not None:
            raise InvalidState("the spouse already has an outstanding move offer",
                               field="case_id")
        assert resident_offer.move_reason is not None
        self.trigger_event(
            self.MoveOffered, timestamp=now, command_id=command_id, offer_id=offer_id,
            reason=resident_offer.move_reason, kind=resident_offer.kind,
            target_id=resident_offer.target_id, facility_id=resident_offer.facility_id,
            facility_name=resident_offer.facility_name,
            facility_kind=resident_offer.facility_kind, place_type=resident_offer.place_type,
            made_by=made_by, made_on=resident_offer.made_on,
            available_on=resident_offer.available_on or resident_offer.made_on,
            answer_by=None, type_reason=None, proposal_id=None,
            accompanies=resident_offer.offer_id)

    def follow_resident_move(self, now: datetime, *, mine: Offer, resident_offer: Offer,
                             command_id: str | None = None) -> Offer | None:
        """R11: the resident's move offer was accepted, carried out or let go: this
        spouse's does the same. Returns this case's offer if it changed."""
        require(self.status, "follow_resident_move")
        if resident_offer.status in _LET_GO:
            self.trigger_event(self.MoveWithdrawn, timestamp=now, command_id=command_id,
                               offer_id=mine.offer_id,
                               reason=f"resident_move_{resident_offer.status.value}",
                               by_municipality=False)
            return mine
        changed = None
        if resident_offer.status is OfferStatus.ACCEPTED and mine.status is OfferStatus.MADE:
            self.trigger_event(self.MoveAccepted, timestamp=now, command_id=command_id,
                               offer_id=mine.offer_id,
                               answered_on=resident_offer.answered_on or local_date(now))
            changed = mine
        if resident_offer.admitted_on is not None:
            self._moved(now, mine, resident_offer.admitted_on, command_id)
            changed = mine
        return changed


def lives_with(resident: Case, spouse: Case | None) -> bool:
    """R11: ``spouse`` lives in the resident's room in an accompanying stay."""
    return spouse is not None and spouse.status is CaseStatus.RESIDENT and \
        spouse.accompanying is not None and spouse.accompanying.concluded is None and \
        spouse.accompanying.resident_case_id == resident.id


def check_move_with_spouse(resident: Case, spouse: Case | None, *, capacity: int,
                           free_beds: int) -> bool:
    """R11 and R28: a resident whose spouse lives with them in an accompanying stay moves
    with the spouse, to a whole double room. Returns True when the spouse moves too; refuses
    a room of one bed, or a double room with a bed taken."""
    if not lives_with(resident, spouse):
        return False
    if capacity < 2 or free_beds < 2:
        raise RuleViolation(
            "R11", "the spouse lives with the resident in an accompanying stay: a move is to "
            "a whole double room with both beds free (or a new decision on the accompanying "
            "stay first)", field="place_id")
    return True


def spouse_facility_to_be(spouse: Case | None) -> str | None:
    """R10: where the spouse lives, is offered a place, or is offered a move to."""
    if spouse is None or not spouse.in_long_term_stay:
        return None
    move = spouse.outstanding_move
    if move is not None:
        return move.facility_id
    return spouse.facility_held


def check_move_co_location(case: Case, spouse: Case | None, facility_id: str) -> None:
    """R10: a move does not part spouses in long-term stay, unless both consented."""
    held = spouse_facility_to_be(spouse)
    if held is None or held == facility_id or lives_with(case, spouse):
        return
    if case.living_apart_consent and spouse is not None and spouse.living_apart_consent:
        return
    raise RuleViolation(
        "R10", "the spouse lives at or is offered another facility; spouses in long-term "
        "stay live at the same facility unless both have consented to live apart",
        field="place_id", missing=("living_apart_consent",))


def spouses_apart(case: Case, spouse: Case | None) -> bool:
    """R10 (memo 2.3): both spouses live in long-term places, at different facilities or in
    two rooms, and have not consented to live apart: a move can bring them together."""
    if spouse is None or case.status is not CaseStatus.RESIDENT or \
            spouse.status is not CaseStatus.RESIDENT or lives_with(case, spouse) or \
            lives_with(spouse, case):
        return False
    if case.living_apart_consent and spouse.living_apart_consent:
        return False
    a, b = case.residence, spouse.residence
    return a is not None and b is not None and a.target_id != b.target_id


__all__ = ["Moves", "check_move_co_location", "check_move_with_spouse", "lives_with",
           "spouse_facility_to_be", "spouses_apart"]
