"""Moves of residents (R28) among the random commands of :mod:`.case_life_machine`: a
resident offered a move (every reason, and a bad one), the answer, the move carried out (today
or planned), and a new place-type decision for a resident. The machine's invariants hold
with them: no place above its beds, nobody in two places on any day."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, precondition, rule

from domain.values import FacilityKind, OfferStatus, PlaceType

M = "4601"
TYPES = st.sampled_from(list(PlaceType))


class MovesOfResidents:
    """Mixed into :class:`~tests.integration.case_life_machine.CaseLife` (its helpers)."""

    places = Bundle("places")
    svc: Any
    all_cases: list[UUID]
    case: Any
    place: Any
    attempt: Any
    today: Any
    _residents: Any
    apply_documented_and_decided: Any
    register_place: Any
    register_provider_offer: Any

    def _moves_in(self, status: OfferStatus) -> list[tuple[UUID, UUID]]:
        return [(c.id, o.offer_id) for c in map(self.case, self.all_cases)
                for o in c.offers.values()
                if o.outstanding and o.status is status and o.move_reason is not None]

    @precondition(lambda self: bool(self._residents()))
    @rule(data=st.data(), place_id=places,
          reason=st.sampled_from(["bought_to_own", "free_choice", "change_of_need",
                                  "spouses_together", "nonsense"]))
    def a_resident_is_offered_any_move(self, data: st.DataObject, place_id: UUID,
                                       reason: str) -> None:
        case_id = data.draw(st.sampled_from(self._residents()))
        self.a_resident_is_offered_a_move(case_id, place_id, reason)

    def a_resident_is_offered_a_move(self, case_id: UUID, place_id: UUID, reason: str) -> None:
        if reason == "free_choice":
            facility = self.place(place_id).facility_id
            self.attempt(lambda: self.svc.record_wishes(M, case_id, facility_ids=[facility]))
        self.attempt(lambda: self.svc.offer_move(M, case_id, place_id=place_id, reason=reason,
                                                 made_by="TE", type_reason="Begrunnet"))

    @rule(target=Bundle("cases"), place_type=TYPES, bought=st.booleans(),
          facility=st.sampled_from(["fjellheim", "solbakken"]))
    def someone_lives_in_a_place(self, place_type: PlaceType, bought: bool,
                                 facility: str) -> Any:
        """A person placed in one go (granted, offered, accepted, moved in), in an own place
        or a bought one, so that sequences reach residents who may move."""
        case_id = self.apply_documented_and_decided("grant", place_type, False)
        if bought:
            target = self.register_provider_offer(place_type)
            offer = self.attempt(lambda: self.svc.make_offer(
                M, case_id, made_by="TE", provider_offer_id=target, type_reason="B",
                unsuitable_reason="B"))
        else:
            target = self.register_place(place_type, False, FacilityKind.NURSING_HOME,
                                         facility)
            offer = self.attempt(lambda: self.svc.make_offer(
                M, case_id, made_by="TE", place_id=target, type_reason="B",
                unsuitable_reason="B"))
        if offer is not None:
            self.attempt(lambda: self.svc.accept_offer(M, case_id, offer))
            self.attempt(lambda: self.svc.admit(M, case_id, offer))
        return case_id

    def _vacant(self) -> list[UUID]:
        return [p for p in self.all_places if self.place(p).free_beds > 0]

    @precondition(lambda self: bool(self._residents()) and bool(self._vacant()))
    @rule(data=st.data(), then=st.sampled_from(["wait", "accept", "move", "move_later"]))
    def a_resident_is_offered_a_fitting_move(self, data: st.DataObject, then: str) -> None:
        """The common path: a vacant place, and the resident's own reason (else a wish for
        the place's facility, free choice); then perhaps accepted and carried out at once."""
        case_id = data.draw(st.sampled_from(self._residents()))
        place_id = data.draw(st.sampled_from(self._vacant()))
        reasons = self.case(case_id).move_reasons
        reason = reasons[0].value if reasons else "free_choice"
        self.a_resident_is_offered_a_move(case_id, place_id, reason)
        move = self.case(case_id).outstanding_move
        if move is None or then == "wait":
            return
        self.attempt(lambda: self.svc.accept_move(M, case_id, move.offer_id))
        if then != "accept":
            ahead = 5 if then == "move_later" else 0
            self.attempt(lambda: self.svc.carry_out_move(
                M, case_id, move.offer_id, moved_on=self.today + timedelta(days=ahead)))

    @precondition(lambda self: bool(self._residents()))
    @rule(data=st.data(), place_type=TYPES)
    def a_residents_needs_change(self, data: st.DataObject, place_type: PlaceType) -> None:
        case_id = data.draw(st.sampled_from(self._residents()))
        self.attempt(lambda: self.svc.decide_new_place_type(
            M, case_id, place_type=place_type, grounds="Endret behov", decided_by="TE"))

    @precondition(lambda self: bool(self._moves_in(OfferStatus.MADE)))
    @rule(data=st.data(), answer=st.sampled_from(["accept", "accept", "decline", "withdraw"]))
    def a_move_is_answered(self, data: st.DataObject, answer: str) -> None:
        case_id, offer_id = data.draw(st.sampled_from(self._moves_in(OfferStatus.MADE)))
        if answer == "accept":
            self.attempt(lambda: self.svc.accept_move(M, case_id, offer_id))
        elif answer == "decline":
            self.attempt(lambda: self.svc.decline_move(M, case_id, offer_id, reason="Nei"))
        else:
            self.attempt(lambda: self.svc.withdraw_move(M, case_id, offer_id, reason="Feil"))

    @precondition(lambda self: bool(self._moves_in(OfferStatus.ACCEPTED)))
    @rule(data=st.data(), ahead=st.sampled_from([0, 0, 5]))
    def an_accepted_move_is_carried_out(self, data: st.DataObject, ahead: int) -> None:
        case_id, offer_id = data.draw(st.sampled_from(self._moves_in(OfferStatus.ACCEPTED)))
        self.attempt(lambda: self.svc.carry_out_move(
            M, case_id, offer_id, moved_on=self.today + timedelta(days=ahead)))
