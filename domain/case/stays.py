"""Stays: admission (innflytting) on an accepted offer, the end of a long-term stay, the
closing of a case before placement, and the short-term stay that bridges the wait (R2, R9,
R15, R24).

An admission or an end of stay dated in the future is *planned* (R24): the place is held
from now and occupied until that date. A closure (withdrawn, died, moved away) withdraws
every outstanding offer in the same transaction (R9).
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from domain.base import Base, local_date
from domain.case.lifecycle import CaseStatus, require
from domain.case.state import BridgingStay, CaseState, Offer, Residence
from domain.errors import InvalidState, InvalidValue
from domain.values import ClosureReason, OfferStatus, PlaceType, StayEndReason


class Stays(CaseState):
    """Mixed into :class:`~domain.case.Case`."""

    class Admitted(Base.Event):
        offer_id: UUID
        target_id: UUID
        facility_id: str
        place_type: PlaceType
        purchased: bool
        admitted_on: date

        def on(self, case: Stays) -> None:
            offer = case.offers.get(self.offer_id)
            if offer is not None:
                offer.admitted_on = self.admitted_on
            case.status = CaseStatus.RESIDENT
            case.residence = Residence(self.target_id, self.facility_id, self.admitted_on,
                                       self.purchased, self.place_type)
            case.urgency_reason = None
            case.guarantee.left_list(self.admitted_on)
            for stay in case.bridging:
                if stay.to_on is None or stay.to_on > self.admitted_on:
                    stay.to_on = self.admitted_on

    class Closed(Base.Event):
        reason: ClosureReason
        closed_on: date

        def on(self, case: Stays) -> None:
            case.closure = self.reason
            if self.reason is not ClosureReason.PLACED:  # "placed": an earlier release's
                case.status = CaseStatus.CLOSED
                case.guarantee.left_list(self.closed_on)
                for stay in case.bridging:
                    if stay.to_on is None:
                        stay.to_on = self.closed_on

    class StayEnded(Base.Event):
        reason: StayEndReason
        ended_on: date

        def on(self, case: Stays) -> None:
            case.status = CaseStatus.CLOSED
            case.stay_ended = (self.reason, self.ended_on)

    class BridgingStayRecorded(Base.Event):
        """R2, R15 (notat 2.4): a short-term stay bridges the wait for a long-term place."""

        facility_name: str
        unit: str
        from_on: date
        to_on: date | None
        recorded_by: str

        def on(self, case: Stays) -> None:
            case.bridging.append(BridgingStay(self.facility_name, self.unit, self.from_on,
                                              self.to_on))

    class BridgingStayEnded(Base.Event):
        to_on: date
        recorded_by: str

        def on(self, case: Stays) -> None:
            if case.bridging:
                case.bridging[-1].to_on = self.to_on

    # --- derived ---------------------------------------------------------------------------

    def bridging_stay_on(self, day: date) -> BridgingStay | None:
        """The bridging short-term stay the person is in on ``day``, if any."""
        for stay in reversed(self.bridging):
            if stay.from_on <= day and (stay.to_on is None or day < stay.to_on):
                return stay
        return None

    def admission_planned(self, today: date) -> bool:
        """R24: admitted with a date still ahead."""
        return self.residence is not None and self.status is CaseStatus.RESIDENT and \
            self.residence.admitted_on > today

    # --- commands -------------------------------------------------------------------------

    def admit(self, now: datetime, *, offer_id: UUID, admitted_on: date | None = None,
              command_id: str | None = None) -> Offer:
        """Admission on an accepted offer; dated in the future it is planned (R24)."""
        require(self.status, "admit")
        offer = self._offer(offer_id, OfferStatus.ACCEPTED)
        day = admitted_on or max(local_date(now), offer.available_on or offer.made_on)
        if day < offer.made_on:
            raise InvalidValue("admitted_on", "admission cannot precede the offer")
        if offer.available_on is not None and day < offer.available_on:
            raise InvalidValue("admitted_on", "the place is available from "
                               f"{offer.available_on.isoformat()}")
        self.trigger_event(self.Admitted, timestamp=now, command_id=command_id,
                           offer_id=offer_id, target_id=offer.target_id,
                           facility_id=offer.facility_id, place_type=offer.place_type,
                           purchased=offer.kind.value == "purchase", admitted_on=day)
        return offer

    def end_stay(self, now: datetime, *, reason: StayEndReason, ended_on: date,
                 command_id: str | None = None) -> None:
        """The stay ends (death, a move); dated in the future it is planned (R24). A planned
        admission that never happens ends on or after today, before its date."""
        require(self.status, "end_stay")
        assert self.residence is not None
        today = local_date(now)
        earliest = min(self.residence.admitted_on, today)
        if ended_on < earliest:
            raise InvalidValue("ended_on", "cannot be before the admission")
        # R28 with R9: an outstanding move offer is withdrawn and its place released
        self.withdraw_moves_at_end(  # type: ignore[attr-defined]
            now, f"stay_ended:{reason.value}", command_id)
        self.trigger_event(self.StayEnded, timestamp=now, command_id=command_id,
                           reason=reason, ended_on=ended_on)

    def close(self, now: datetime, *, reason: ClosureReason,
              command_id: str | None = None) -> None:
        """Withdrawn, died or moved away before placement. Every outstanding offer is
        withdrawn first (R9); the application releases their places in the same save."""
        if self.status is CaseStatus.RESIDENT:
            raise InvalidState("the person lives in a place: end the stay instead")
        require(self.status, "close")
        if reason is ClosureReason.PLACED:
            raise InvalidValue("reason", "a case is closed as placed by the admission")
        self._withdraw_outstanding(now, reason.value, command_id)
        self.trigger_event(self.Closed, timestamp=now, command_id=command_id,
                           reason=reason, closed_on=local_date(now))

    def record_bridging_stay(self, now: datetime, *, facility_name: str, unit: str,
                             from_on: date, to_on: date | None, recorded_by: str,
                             command_id: str | None = None) -> None:
        require(self.status, "record_bridging_stay")
        if not facility_name.strip():
            raise InvalidValue("facility_name", "name the facility of the short-term stay")
        if to_on is not None and to_on < from_on:
            raise InvalidValue("to_on", "the stay cannot end before it starts")
        current = self.bridging_stay_on(from_on)
        if current is not None and current.to_on is None:
            raise InvalidState("the person is already in a bridging short-term stay; end it "
                               "first", field="from_on")
        self.trigger_event(self.BridgingStayRecorded, timestamp=now, command_id=command_id,
                           facility_name=facility_name.strip(), unit=unit.strip(),
                           from_on=from_on, to_on=to_on, recorded_by=recorded_by)

    def end_bridging_stay(self, now: datetime, *, to_on: date, recorded_by: str,
                          command_id: str | None = None) -> None:
        require(self.status, "record_bridging_stay")
        if not self.bridging or self.bridging[-1].to_on is not None:
            raise InvalidState("no open bridging short-term stay", field="to_on")
        if to_on < self.bridging[-1].from_on:
            raise InvalidValue("to_on", "the stay cannot end before it starts")
        self.trigger_event(self.BridgingStayEnded, timestamp=now, command_id=command_id,
                           to_on=to_on, recorded_by=recorded_by)
