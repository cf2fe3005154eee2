"""Moves (flytting, R28): a resident offered another place, the answer, and the move itself.

Every command loads the case and the places it touches and saves them in one transaction
(:meth:`~application.cases.CaseCommands._finish`), like the offers of
:mod:`application.offers`:

- a move offer reserves the new place in the same save (an accompanying spouse living in the
  room, R11, is offered the second bed of the new double room in the same save);
- a decline or a withdrawal releases it in the same save; the resident keeps their place;
- the move is carried out in one save: the case's move, the old place vacated from the move
  day (or, for a bought place, the purchase ended from that day: the money saved from then on
  is its price per day), and the new place occupied from the same day.
"""

from __future__ import annotations

import logging
from datetime import date
from uuid import UUID, uuid5

from application.base import derived_id
from application.offers import OfferCommands
from domain.base import Base, local_date
from domain.case import Case
from domain.case.lifecycle import require
from domain.case.moves import check_move_co_location, check_move_with_spouse, spouse_facility_to_be
from domain.errors import InvalidValue
from domain.place import Place
from domain.values import FacilityKind, MoveReason, PlaceType, VacancyReason

log = logging.getLogger(__name__)


def following_move_id(resident_offer_id: UUID) -> UUID:
    """R11: the id of the accompanying spouse's move offer, derived from the resident's."""
    return uuid5(resident_offer_id, "accompanying-move")


def parse_move_reason(value: str | MoveReason) -> MoveReason:
    """A move reason from its value; a clear error naming the field otherwise."""
    if isinstance(value, MoveReason):
        return value
    try:
        return MoveReason(value)
    except ValueError:
        raise InvalidValue("reason", "a move is for 'change_of_need', 'spouses_together', "
                           "'free_choice' or 'bought_to_own'") from None


class MoveCommands(OfferCommands):
    """R28: moves of residents, on the offer commands."""

    def offer_move(
        self, municipality: str, case_id: UUID, *, place_id: UUID,
        reason: str | MoveReason, made_by: str, type_reason: str | None = None,
        proposal_id: UUID | None = None, command_id: str | None = None,
    ) -> UUID:
        """Offer a resident another own place (R28): the place is reserved in the same save.
        Refused, naming the field or the rule, when the move does not fit (see
        :meth:`domain.case.Case.offer_move`), when it would part spouses (R10), or when an
        accompanying spouse lives in the room and the new place is not a whole free double
        room (R11)."""
        why = parse_move_reason(reason)
        work = self._begin(municipality, case_id, command_id)
        offer_id = derived_id("move", case_id, command_id)
        if work.handled:
            return offer_id
        touched = self._move_to(municipality, work.case, offer_id, place_id=place_id,
                                reason=why, made_by=made_by, type_reason=type_reason,
                                proposal_id=proposal_id, command_id=command_id)
        self._finish(work, *touched, command_id=command_id)
        log.info("move offered case=%s offer=%s", case_id, offer_id)
        return offer_id

    def _move_to(self, municipality: str, case: Case, offer_id: UUID, *, place_id: UUID,
                 reason: MoveReason, made_by: str, type_reason: str | None,
                 proposal_id: UUID | None, command_id: str | None) -> list[Base]:
        """Check and record a move offer on the case and the new place, unsaved."""
        now = self._now()
        today = local_date(now)
        _, _, settings = self.policy_on(municipality, today)
        place = self.get_place(municipality, place_id)
        available = place.free_from(today) or today
        spouse = self._spouse(case)
        check_move_co_location(case, spouse, place.facility_id)  # R10
        together = check_move_with_spouse(case, spouse, capacity=place.capacity,
                                          free_beds=place.free_beds_on(available))  # R11
        case.offer_move(
            now, offer_id=offer_id, reason=reason, target_id=place.id,
            facility_id=place.facility_id, facility_name=place.facility_name,
            facility_kind=place.facility_kind, place_type=place.place_type,
            made_by=made_by, policy=settings, available_on=available,
            spouse_facility=spouse_facility_to_be(spouse), type_reason=type_reason,
            proposal_id=proposal_id, command_id=command_id)
        place.reserve(now, offer_id=offer_id, case_id=case.id, from_day=available,
                      command_id=command_id)
        if not together:
            return [place]
        assert spouse is not None
        second = following_move_id(offer_id)
        spouse.follow_move_offer(now, offer_id=second, resident_offer=case.offers[offer_id],
                                 made_by=made_by, command_id=command_id)
        place.reserve(now, offer_id=second, case_id=spouse.id, from_day=available,
                      command_id=command_id)
        return [place, spouse]

    def decide_new_place_type(
        self, municipality: str, case_id: UUID, *, place_type: PlaceType, grounds: str,
        decided_by: str, facility_kind: FacilityKind | None = None,
        decided_on: date | None = None, command_id: str | None = None,
    ) -> UUID:
        """A new decision on the place type for a resident (R28): they keep their place and
        are a mover to a place of the new type; a move offer that no longer fits is
        withdrawn and its place released in the same save."""
        work = self._begin(municipality, case_id, command_id)
        decision_id = derived_id("decision", case_id, command_id)
        if work.handled:
            return decision_id
        now = self._now()
        policy, version, settings = self.policy_on(municipality, decided_on or local_date(now))
        work.case.decide_new_place_type(
            now, place_type=place_type, grounds=grounds, decided_by=decided_by,
            policy_version=version, policy=settings, facility_kind=facility_kind,
            decided_on=decided_on, decision_id=decision_id, command_id=command_id)
        self._finish(work, policy, command_id=command_id)
        return decision_id

    def accept_move(self, municipality: str, case_id: UUID, offer_id: UUID, *,
                    command_id: str | None = None) -> None:
        self._on_case(municipality, case_id, command_id, "accept_move", offer_id=offer_id)

    def decline_move(self, municipality: str, case_id: UUID, offer_id: UUID, *,
                     reason: str = "", command_id: str | None = None) -> None:
        """The resident says no and keeps their place (R28): the new place is released in
        the same save; nothing else changes."""
        self._on_case(municipality, case_id, command_id, "decline_move", offer_id=offer_id,
                      reason=reason)

    def withdraw_move(self, municipality: str, case_id: UUID, offer_id: UUID, *,
                      reason: str, command_id: str | None = None) -> None:
        self._on_case(municipality, case_id, command_id, "withdraw_move", offer_id=offer_id,
                      reason=reason)

    def lapse_move(self, municipality: str, case_id: UUID, offer_id: UUID, *,
                   command_id: str | None = None) -> None:
        """R26: the move offer was not answered by its answer deadline: the new place is
        released in the same save; the resident keeps their place (R28). The scheduled
        check (:meth:`lapse_offers`) calls it with ``lapse/{offer_id}``: recorded once."""
        self._on_case(municipality, case_id, command_id, "lapse_move", offer_id=offer_id)

    def carry_out_move(self, municipality: str, case_id: UUID, offer_id: UUID, *,
                       moved_on: date | None = None, command_id: str | None = None) -> None:
        """The move (R28): out of the old place and into the new one on the same day, in one
        save. The old own place is vacant from that day; a bought place's purchase ends
        that day. An accompanying spouse in the room moves too (R11)."""
        work = self._begin(municipality, case_id, command_id)
        if work.handled:
            return
        now = self._now()
        case = work.case
        require(case.status, "move")  # a refusal, not a missing residence, for a non-resident
        old = case.residence
        assert old is not None
        offer = case.carry_out_move(now, offer_id=offer_id, moved_on=moved_on,
                                    command_id=command_id)
        day = case.offers[offer.offer_id].admitted_on
        assert day is not None
        new = self.get_place(municipality, offer.target_id)
        new.occupy(now, case_id=case_id, offer_id=offer_id, admitted_on=day,
                   command_id=command_id)
        touched: list[Base] = [new]
        if old.purchased:
            bought = self.get_provider_offer(municipality, old.target_id)
            bought.end_purchase(now, case_id=case_id, ended_on=day, reason="moved_to_own",
                                command_id=command_id)
            touched.append(bought)
        else:
            place = self.get_place(municipality, old.target_id)
            place.vacate(now, case_id=case_id, reason=VacancyReason.TRANSFER, vacated_on=day,
                         command_id=command_id)
            touched.append(place)
            self._vacate_for_spouse(case, place, day, command_id)
        self._finish(work, *touched, command_id=command_id)
        log.info("move carried out case=%s offer=%s on=%s", case_id, offer_id, day)

    def _vacate_for_spouse(self, case: Case, place: Place, day: date,
                           command_id: str | None) -> None:
        """R11: the accompanying spouse leaves the old room with the resident (the spouse's
        move into the new room is followed in :meth:`_finish`)."""
        spouse = self._spouse(case)
        if spouse is None or spouse.id not in place.occupants:
            return
        if spouse.accompanying is None or spouse.accompanying.resident_case_id != case.id:
            return
        follows = any(o.accompanies in case.offers and o.outstanding and o.move_reason
                      for o in spouse.offers.values())
        if follows:
            place.vacate(self._now(), case_id=spouse.id, reason=VacancyReason.TRANSFER,
                         vacated_on=day, command_id=command_id)


__all__ = ["MoveCommands", "following_move_id", "parse_move_reason"]
