"""The problem and plan types of moves (flytting, R28): a resident who may be moved.

Imported by :mod:`optimizer.model` (at its end, so the types it uses are defined), and used
by :mod:`optimizer.moves`.  Like the rest of the model: frozen dataclasses, plain JSON.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum

from .model import FacilityKind, PlaceType, _coerce


class MoveReason(enum.StrEnum):
    """Why a resident may be moved, in the order movers are planned (after the whole waiting
    list): a new decision on the place type, spouses together (§ 2-3), free choice of facility
    (notat 2.3), from a bought place to an own place."""

    CHANGE_OF_NEED = "change_of_need"
    SPOUSES_TOGETHER = "spouses_together"
    FREE_CHOICE = "free_choice"
    BOUGHT_TO_OWN = "bought_to_own"


#: The order of the reasons (lower first).
REASON_TIER = {MoveReason.CHANGE_OF_NEED: 0, MoveReason.SPOUSES_TOGETHER: 1,
               MoveReason.FREE_CHOICE: 2, MoveReason.BOUGHT_TO_OWN: 3}


@dataclasses.dataclass(frozen=True, slots=True)
class Mover:
    """A resident (beboer) who may be offered a move to one of the problem's vacancies.

    ``reason``: the one the application chose (the first of the resident's reasons in the
    order above).  ``current_place_id``: the own place or the bought place they live in (never
    offered to them).  ``wishes``: for free choice, the facilities wished for before the
    present one, best first.  ``spouse_facility_id``: R10, the facility where the spouse lives
    or is offered a place (None when none, or both consented to live apart): a move is only
    there.  ``accompanying_spouse``: R11, the spouse lives with them and moves too (a whole
    double room).  ``need_score`` and ``resident_since`` order movers of one reason."""

    case_id: str
    reason: MoveReason
    current_place_id: str
    current_facility_id: str
    current_purchased: bool
    decided_place_type: PlaceType
    needs_screened: bool
    reinforced_assessed: bool
    resident_since: dt.date
    need_score: int | None = None
    wishes: tuple[str, ...] = ()
    spouse_facility_id: str | None = None
    accompanying_spouse: bool = False
    decided_facility_kind: FacilityKind | None = None

    def __post_init__(self) -> None:
        _coerce(self, reason=MoveReason, decided_place_type=PlaceType)
        if self.decided_facility_kind is not None:
            _coerce(self, decided_facility_kind=FacilityKind)
        if not isinstance(self.wishes, tuple):
            object.__setattr__(self, "wishes", tuple(self.wishes))


def mover_key(m: Mover) -> tuple[object, ...]:
    """The movers' own order: the reason, then the greater need (not assessed last), then the
    earlier admission, then the case id."""
    return (REASON_TIER[m.reason], m.need_score is None, -(m.need_score or 0),
            m.resident_since, m.case_id)


__all__ = ["REASON_TIER", "MoveReason", "Mover", "mover_key"]
