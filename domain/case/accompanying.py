"""The accompanying stay (medfølgende ektefelle/samboer, § 2-3 second paragraph, R11).

If both wish it, a spouse or cohabitant who does not meet the criteria should be offered to
live with the person in long-term stay. Here that is a decision (vedtak) of its own kind,
``accompanying_stay``, on the **spouse's own case**, naming the resident spouse's case (the
link of R10 must exist both ways). From then on:

- the spouse is not on the waiting list and has no guarantee (§ 3-4 is the resident's);
- an offer of a double room to the resident is also an offer to the spouse of the room's
  second bed (:meth:`Accompanying.make_accompanying_offer`): both beds are reserved in the
  same transaction, and the spouse's offer *follows* the resident's — accepted, withdrawn
  (declined, lapsed, withdrawn) and admitted with it (:meth:`Accompanying.follow_resident_offer`);
  the spouse then is a resident in accompanying stay;
- when the resident dies or moves, the accompanying stay **continues** (the second bed stays
  occupied) until a new decision on it (:meth:`Accompanying.conclude_accompanying_stay`):
  it continues as an ordinary long-term stay, or it ends on a date (planned if ahead, R24).

*Our choice on documentation.* The criteria of § 2-1 do not apply to the accompanying spouse,
so the § 2-2 checklist that shows they are met (R8: own account, relatives, IPLOS, medical
information, LEON, the dementia investigation) is **not** required before this decision, and
the spouse's offer is not refused for a suspected, uninvestigated dementia (R8 (5) guards the
criteria's assessment). The spouse's own needs are assessed in the ordinary way: everything of
§ 2-2 can still be recorded on the case, and services are decided apart. What the decision
does require: the link of R10, a resident spouse in long-term stay (granted, on the list or
living in a place), a statement that **both** wish it (``wish``), grounds (R14), the decision
maker, and a decision date (R24). A later ordinary decision (grant, waiting list, rejection)
on the spouse's case replaces it before admission.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from domain.base import Base, local_date
from domain.case.lifecycle import CaseStatus, require
from domain.case.state import AccompanyingStay, CaseState, Decision, Offer
from domain.errors import InvalidState, InvalidValue, RuleViolation
from domain.values import OfferKind, OfferStatus, PlaceType, StayEndReason

if TYPE_CHECKING:
    from domain.case.aggregate import Case

#: The decision kinds of this module, and their legal basis (R14).
ACCOMPANYING_STAY = "accompanying_stay"
ORDINARY_STAY = "ordinary_stay"  # the accompanying stay continues as an ordinary one
ACCOMPANYING_STAY_ENDED = "accompanying_stay_ended"
CONCLUSIONS = {"ordinary_stay": ORDINARY_STAY, "ended": ACCOMPANYING_STAY_ENDED}
ACCOMPANYING_LEGAL_BASIS = {
    ACCOMPANYING_STAY: "helse- og omsorgstjenesteloven § 3-2 a og kommunal forskrift § 2-3 "
                       "annet ledd",
    ORDINARY_STAY: "helse- og omsorgstjenesteloven § 3-2 a og kommunal forskrift § 2-1 og "
                   "§ 2-3 annet ledd",
    ACCOMPANYING_STAY_ENDED: "helse- og omsorgstjenesteloven § 3-2 a og kommunal forskrift "
                             "§ 2-3 annet ledd",
}
_LET_GO = (OfferStatus.DECLINED, OfferStatus.WITHDRAWN, OfferStatus.LAPSED)


def _complaint_fields() -> dict[str, object]:
    """R14: the right to complain and where, as on every decision. No deadline date: it
    runs four weeks from the person's receipt (:mod:`domain.case.delivery`), recorded on
    the decision like any other's."""
    from domain.case.decisions import COMPLAINT_RIGHT, COMPLAINT_TO

    return dict(complaint_right=COMPLAINT_RIGHT, complaint_to=COMPLAINT_TO)


class Accompanying(CaseState):
    """Mixed into :class:`~domain.case.Case`."""

    class AccompanyingStayDecided(Base.Event):
        """Vedtak om medfølgende opphold (R11) on the spouse's own case."""

        decision_id: UUID
        resident_case_id: UUID
        wish: str
        legal_basis: str
        grounds: str
        decided_by: str
        decided_on: date
        complaint_right: str
        complaint_to: str
        policy_version: int

        def on(self, case: Accompanying) -> None:
            case.decisions.append(Decision(self.decision_id, ACCOMPANYING_STAY, None,
                                           self.decided_on, self.decided_by,
                                           self.policy_version, None))
            case.status = CaseStatus.ACCOMPANYING
            case.place_type = None
            case.facility_kind = None
            case.urgency_reason = None
            case.priority = None  # off the list (R16)
            case.breach_choice = None
            case.interim_services = []
            case.accompanying = AccompanyingStay(self.decision_id, self.resident_case_id,
                                                 self.decided_on)
            case.guarantee.left_list(self.decided_on)

    class AccompanyingOfferMade(Base.Event):
        """R11: the second bed of the double room offered to the resident spouse
        (``resident_offer_id``), offered to the accompanying spouse in the same save."""

        offer_id: UUID
        resident_case_id: UUID
        resident_offer_id: UUID
        kind: OfferKind
        target_id: UUID
        facility_id: str
        facility_name: str
        place_type: PlaceType
        made_by: str
        made_on: date
        available_on: date

        def on(self, case: Accompanying) -> None:
            case.offers[self.offer_id] = Offer(
                self.offer_id, self.kind, self.target_id, self.facility_id,
                self.facility_name, self.place_type, self.made_on,
                None, self.available_on, None, True, (), accompanies=self.resident_offer_id)

    class AccompanyingStayConcluded(Base.Event):
        """The new decision on an accompanying stay (R11): ``outcome`` "ordinary_stay" (it
        continues as an ordinary long-term stay) or "ended" (on ``ended_on``)."""

        decision_id: UUID
        outcome: str
        ended_on: date | None
        legal_basis: str
        grounds: str
        decided_by: str
        decided_on: date
        complaint_right: str
        complaint_to: str
        policy_version: int

        def on(self, case: Accompanying) -> None:
            place_type = case.residence.place_type if case.residence is not None else None
            kind = CONCLUSIONS[self.outcome]
            case.decisions.append(Decision(self.decision_id, kind,
                                           place_type if kind == ORDINARY_STAY else None,
                                           self.decided_on, self.decided_by,
                                           self.policy_version, None))
            if kind == ORDINARY_STAY:
                case.place_type = place_type
            if case.accompanying is not None:
                case.accompanying.concluded = self.outcome

    # --- derived ---------------------------------------------------------------------------

    @property
    def in_accompanying_stay(self) -> bool:
        """R11: an accompanying stay is decided and in force (awaiting the place, or lived)."""
        return self.accompanying is not None and self.accompanying.concluded is None and \
            self.status in (CaseStatus.ACCOMPANYING, CaseStatus.RESIDENT)

    def awaits_accompanying_offer(self, resident_case_id: UUID) -> bool:
        """R11: decided to accompany ``resident_case_id`` and not yet offered a bed."""
        return self.status is CaseStatus.ACCOMPANYING and self.accompanying is not None \
            and self.accompanying.resident_case_id == resident_case_id \
            and not any(o.outstanding for o in self.offers.values())

    def accompanying_offer_for(self, resident_offer_id: UUID) -> Offer | None:
        """The outstanding offer on this case that follows ``resident_offer_id``."""
        for offer in self.offers.values():
            if offer.accompanies == resident_offer_id and offer.outstanding:
                return offer
        return None

    # --- commands -------------------------------------------------------------------------

    def decide_accompanying_stay(
        self, now: datetime, *, resident: Case, wish: str, grounds: str, decided_by: str,
        policy_version: int, decided_on: date | None = None,
        decision_id: UUID | None = None, command_id: str | None = None,
    ) -> UUID:
        """Vedtak om medfølgende opphold (R11) on this, the spouse's, case, naming the
        ``resident`` spouse's case. Refused, naming the field or the rule, unless the two
        cases are linked (R10), the resident spouse is in long-term stay (granted, waiting
        or resident) and not accompanying someone, both wish it (``wish``), and the
        decision states its grounds (R14) and a valid date (R24). An outstanding offer of
        the spouse's own is withdrawn (the accompanying stay takes its place)."""
        require(self.status, "decide_accompanying_stay")
        if resident.id == self.id:
            raise InvalidValue("resident_case_id", "a person does not accompany themselves")
        if self.spouse_case_id != resident.id or resident.spouse_case_id != self.id:
            raise RuleViolation(
                "R11", "an accompanying stay is for the resident's spouse or cohabitant: link "
                "the two cases as spouses first (R10)", field="resident_case_id",
                missing=("spouse_link",))
        if not resident.in_long_term_stay:
            raise RuleViolation(
                "R11", "the spouse to live with has no long-term stay: a grant, a "
                "waiting-list decision or a place", field="resident_case_id")
        if resident.in_accompanying_stay:
            raise RuleViolation("R11", "the spouse to live with is in an accompanying stay "
                                "themselves", field="resident_case_id")
        if not wish or not wish.strip():
            raise RuleViolation("R11", "an accompanying stay is offered if both wish it: "
                                "record that both do", field="wish", missing=("wish",))
        if not grounds or not grounds.strip():
            raise RuleViolation("R14", "a decision states its grounds: the facts and the main "
                                "considerations", field="grounds", missing=("grounds",))
        if not decided_by or not decided_by.strip():
            raise InvalidValue("decided_by", "name the decision maker")
        day = self._decision_date(now, decided_on)
        self._withdraw_outstanding(now, f"decision:{ACCOMPANYING_STAY}", command_id)
        decision_id = decision_id or uuid4()
        self.trigger_event(
            self.AccompanyingStayDecided, timestamp=now, command_id=command_id,
            decision_id=decision_id, resident_case_id=resident.id, wish=wish.strip(),
            legal_basis=ACCOMPANYING_LEGAL_BASIS[ACCOMPANYING_STAY], grounds=grounds.strip(),
            decided_by=decided_by.strip(), decided_on=day, policy_version=policy_version,
            **_complaint_fields())
        return decision_id

    def make_accompanying_offer(self, now: datetime, *, offer_id: UUID, resident_case_id: UUID,
                                resident_offer: Offer, made_by: str,
                                command_id: str | None = None) -> None:
        """R11: the second bed of the double room offered to the resident spouse, offered
        to this accompanying spouse in the same save. It has no answer deadline of its own:
        it follows the resident's offer (:meth:`follow_resident_offer`)."""
        require(self.status, "follow_resident_offer")
        if not self.awaits_accompanying_offer(resident_case_id):
            raise InvalidState("the person holds an offer already, or accompanies another "
                               "resident", field="case_id")
        self.trigger_event(
            self.AccompanyingOfferMade, timestamp=now, command_id=command_id,
            offer_id=offer_id, resident_case_id=resident_case_id,
            resident_offer_id=resident_offer.offer_id, kind=resident_offer.kind,
            target_id=resident_offer.target_id, facility_id=resident_offer.facility_id,
            facility_name=resident_offer.facility_name, place_type=resident_offer.place_type,
            made_by=made_by, made_on=resident_offer.made_on,
            available_on=resident_offer.available_on or resident_offer.made_on)

    def follow_resident_offer(self, now: datetime, *, resident_offer: Offer,
                              command_id: str | None = None) -> Offer | None:
        """R11: the resident spouse's offer was accepted, admitted on, or let go (declined,
        withdrawn, lapsed): this case's offer of the second bed does the same — accepted,
        admitted on the same day (the person is then a resident in accompanying stay), or
        withdrawn. Returns this case's offer if it changed."""
        mine = self.accompanying_offer_for(resident_offer.offer_id)
        if mine is None:
            return None
        if mine.move_reason is not None:  # R28: the spouse moves with the resident
            return self.follow_resident_move(  # type: ignore[attr-defined, no-any-return]
                now, mine=mine, resident_offer=resident_offer, command_id=command_id)
        require(self.status, "follow_resident_offer")
        if resident_offer.status in _LET_GO:
            self.trigger_event(self.OfferWithdrawn, timestamp=now, command_id=command_id,
                               offer_id=mine.offer_id,
                               reason=f"resident_offer_{resident_offer.status.value}",
                               by_municipality=False)
            return mine
        changed = None
        if resident_offer.status is OfferStatus.ACCEPTED and mine.status is OfferStatus.MADE:
            self.trigger_event(self.OfferAccepted, timestamp=now, command_id=command_id,
                               offer_id=mine.offer_id,
                               answered_on=resident_offer.answered_on or local_date(now))
            changed = mine
        if resident_offer.admitted_on is not None:
            self.trigger_event(self.Admitted, timestamp=now, command_id=command_id,
                               offer_id=mine.offer_id, target_id=mine.target_id,
                               facility_id=mine.facility_id, place_type=mine.place_type,
                               purchased=mine.kind is OfferKind.PURCHASE,
                               admitted_on=resident_offer.admitted_on)
            changed = mine
        return changed

    def conclude_accompanying_stay(
        self, now: datetime, *, outcome: str, grounds: str, decided_by: str,
        policy_version: int, ended_on: date | None = None, decided_on: date | None = None,
        decision_id: UUID | None = None, command_id: str | None = None,
    ) -> UUID:
        """The new decision on an accompanying stay (R11; the memo leaves it to the
        municipality): ``outcome`` "ordinary_stay" — it continues as an ordinary long-term
        stay in the same place — or "ended" — the stay ends on ``ended_on`` (planned if
        ahead, R24; the application vacates the bed). Made when the resident spouse has
        died or moved, or at any other time the municipality decides on it; until then the
        accompanying stay simply continues."""
        require(self.status, "conclude_accompanying_stay")
        if not self.in_accompanying_stay:
            raise InvalidState("the person is not in an accompanying stay", field="case_id")
        if outcome not in CONCLUSIONS:
            raise InvalidValue("outcome", "the new decision is 'ordinary_stay' (continue as "
                               "an ordinary long-term stay) or 'ended' (the stay ends)")
        if not grounds or not grounds.strip():
            raise RuleViolation("R14", "a decision states its grounds: the facts and the main "
                                "considerations", field="grounds", missing=("grounds",))
        if not decided_by or not decided_by.strip():
            raise InvalidValue("decided_by", "name the decision maker")
        day = self._decision_date(now, decided_on)
        assert self.residence is not None
        if outcome == "ended":
            if ended_on is None:
                raise InvalidValue("ended_on", "say when the accompanying stay ends")
            if ended_on < min(self.residence.admitted_on, local_date(now)):
                raise InvalidValue("ended_on", "cannot be before the admission")
        elif ended_on is not None:
            raise InvalidValue("ended_on", "a stay that continues has no end date")
        decision_id = decision_id or uuid4()
        kind = CONCLUSIONS[outcome]
        self.trigger_event(
            self.AccompanyingStayConcluded, timestamp=now, command_id=command_id,
            decision_id=decision_id, outcome=outcome, ended_on=ended_on,
            legal_basis=ACCOMPANYING_LEGAL_BASIS[kind], grounds=grounds.strip(),
            decided_by=decided_by.strip(), decided_on=day, policy_version=policy_version,
            **_complaint_fields())
        if ended_on is not None:
            self.end_stay(now, reason=StayEndReason.MOVED, ended_on=ended_on,
                          command_id=command_id)
        return decision_id


def check_couple_room(resident: Case, spouse: Case | None, *, capacity: int, free_beds: int,
                      single_room_reason: str | None) -> bool:
    """R11: an offer to ``resident`` whose ``spouse`` awaits a bed in accompanying stay.

    Returns True when the offer is for the couple (a whole double room: both beds are to be
    reserved). A room of one bed is refused unless the couple chose to live apart — both
    consented (R10) — or a reason is recorded (``single_room_reason``); a double room with
    one free bed is refused (the couple needs both beds).
    """
    if spouse is None or not spouse.awaits_accompanying_offer(resident.id):
        return False
    if resident.living_apart_consent and spouse.living_apart_consent:
        return False
    if capacity < 2:
        if single_room_reason and single_room_reason.strip():
            return False
        raise RuleViolation(
            "R11", "the spouse has a decision on an accompanying stay: the couple is offered a "
            "whole double room; a single room needs a recorded reason (or both spouses' "
            "consent to live apart)", field="single_room_reason",
            missing=("single_room_reason",))
    if free_beds < 2:
        raise RuleViolation(
            "R11", "the spouse has a decision on an accompanying stay: the couple needs both "
            "beds of the double room, and one is taken", field="place_id")
    return True


__all__ = ["ACCOMPANYING_LEGAL_BASIS", "ACCOMPANYING_STAY", "ACCOMPANYING_STAY_ENDED",
           "CONCLUSIONS", "ORDINARY_STAY", "Accompanying", "check_couple_room"]
