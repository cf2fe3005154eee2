"""A new decision on the place type for a resident (R28; § 2-1, § 2-2): the resident's needs
grow, and a new decision (vedtak) gives another place type, e.g. screened or reinforced. The
person keeps their place and is from then on a *mover* for a change of need: the allocator
plans a move to a place of the new type (after everyone on the waiting list, R15/R16), and a
move offer for that reason is to a place of that type (:mod:`domain.case.moves`).

The decision is checked like any grant (R8: the § 2-2 items for that type, e.g. medical
information from both the GP and the specialist health service for a reinforced place; R14:
its grounds; R24: its date) and carries the complaint right (R14, R21). An outstanding move
offer to a place that no longer fits the new decision is withdrawn and its place released.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

from domain.base import Base
from domain.case.decisions import COMPLAINT_RIGHT, COMPLAINT_TO, fitting_place_types
from domain.case.lifecycle import require
from domain.case.state import CaseState, Decision
from domain.errors import InvalidState, InvalidValue, MissingDocumentation, RuleViolation
from domain.values import FacilityKind, PlaceType, PolicySettings

#: The decision's kind, and its legal basis (R14).
PLACE_TYPE_CHANGE = "place_type_change"
PLACE_TYPE_CHANGE_LEGAL_BASIS = (
    "helse- og omsorgstjenesteloven § 3-2 a, pasient- og brukerrettighetsloven § 2-1 e og "
    "kommunal forskrift § 2-1 og § 2-3")


class NeedChange(CaseState):
    """Mixed into :class:`~domain.case.Case`."""

    class ResidentPlaceTypeDecided(Base.Event):
        """Vedtak om ny plasstype for en beboer (R28): the resident is a mover to a place of
        ``place_type``."""

        decision_id: UUID
        place_type: PlaceType
        facility_kind: FacilityKind | None
        legal_basis: str
        grounds: str
        decided_by: str
        decided_on: date
        complaint_right: str
        complaint_to: str
        policy_version: int

        def on(self, case: NeedChange) -> None:
            case.decisions.append(Decision(self.decision_id, PLACE_TYPE_CHANGE, self.place_type,
                                           self.decided_on, self.decided_by,
                                           self.policy_version, None, self.facility_kind))
            case.place_type = self.place_type
            case.facility_kind = self.facility_kind

    def decide_new_place_type(
        self, now: datetime, *, place_type: PlaceType, grounds: str, decided_by: str,
        policy_version: int, policy: PolicySettings, facility_kind: FacilityKind | None = None,
        decided_on: date | None = None, decision_id: UUID | None = None,
        command_id: str | None = None,
    ) -> UUID:
        """A new decision on the place type for this resident (R28). Refused, naming the
        field or the rule and changing nothing, for anyone but a resident, for a person in an
        accompanying stay (a new decision on that stay comes first, R11), for the type in
        force already, without grounds (R14) or without the § 2-2 items for the type (R8)."""
        require(self.status, "decide_new_place_type")
        if self.accompanying is not None and self.accompanying.concluded is None:
            raise RuleViolation("R11", "the person lives in an accompanying stay: decide on "
                                "that stay first", field="case_id")
        if not isinstance(place_type, PlaceType):
            raise InvalidValue("place_type", "ordinary, screened or reinforced")
        if place_type is self.place_type and facility_kind == self.facility_kind:
            raise InvalidState("the decision in force already gives this place type",
                               field="place_type")
        if not grounds or not grounds.strip():
            raise RuleViolation("R14", "a decision states its grounds: the facts and the main "
                                "considerations", field="grounds", missing=("grounds",))
        if not decided_by or not decided_by.strip():
            raise InvalidValue("decided_by", "name the decision maker")
        day = self._decision_date(now, decided_on)  # type: ignore[attr-defined]
        missing = self.missing_documentation(  # type: ignore[attr-defined]
            place_type, day, policy.iplos_max_age_months)
        if missing:
            raise MissingDocumentation(missing)  # R8
        move = self.outstanding_move  # type: ignore[attr-defined]
        if move is not None and move.place_type not in fitting_place_types(
                place_type, self.has_dementia):  # type: ignore[attr-defined]
            self.trigger_event(self.MoveWithdrawn,  # type: ignore[attr-defined]
                               timestamp=now, command_id=command_id, offer_id=move.offer_id,
                               reason=f"decision:{PLACE_TYPE_CHANGE}", by_municipality=True)
        decision_id = decision_id or uuid4()
        self.trigger_event(
            self.ResidentPlaceTypeDecided, timestamp=now, command_id=command_id,
            decision_id=decision_id, place_type=place_type, facility_kind=facility_kind,
            legal_basis=PLACE_TYPE_CHANGE_LEGAL_BASIS, grounds=grounds.strip(),
            decided_by=decided_by.strip(), decided_on=day, complaint_right=COMPLAINT_RIGHT,
            complaint_to=COMPLAINT_TO, policy_version=policy_version)
        return decision_id


__all__ = ["PLACE_TYPE_CHANGE", "PLACE_TYPE_CHANGE_LEGAL_BASIS", "NeedChange"]
