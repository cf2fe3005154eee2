"""The movers of an allocation run (R28): residents who may be moved, as the run reads them
(from the aggregates or from their read-model rows, the same facts either way), and the
optimizer's :class:`~optimizer.Mover` built from them.

A resident is a mover when a reason holds (the first in the movers' order is the one used):
a decision gives another place type than the place's (change of need); the spouse lives in a
long-term place at another facility and the two have not consented to live apart (spouses
together, R10); the municipality has free choice and the person wished for another facility
before the present one (R20); the person lives in a bought place (bought to own). A resident
with an outstanding move offer, a planned admission, or in an accompanying stay (they move
with the resident spouse, R11) is not a mover.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import optimizer as opt
from domain.case import Case, CaseStatus
from domain.case.moves import lives_with
from domain.values import DementiaFinding, FacilityKind, MoveReason, PlaceType

Row = dict[str, Any]
_RESIDENT = CaseStatus.RESIDENT.value
_OUTSTANDING = frozenset({"made", "accepted"})


@dataclass(frozen=True)
class MoverFacts:
    """One resident as a run sees them for a move."""

    case_id: UUID
    reasons: tuple[MoveReason, ...]
    current_place_id: str
    current_facility_id: str
    current_purchased: bool
    place_type: PlaceType
    facility_kind: FacilityKind | None
    has_dementia: bool
    need_score: int | None
    resident_since: date
    wishes: tuple[str, ...]
    spouse_facility_id: str | None
    accompanying_spouse: bool

    def mover(self) -> opt.Mover:
        res = self.wishes.index(self.current_facility_id) if \
            self.current_facility_id in self.wishes else len(self.wishes)
        return opt.Mover(
            case_id=str(self.case_id), reason=opt.MoveReason(self.reasons[0].value),
            current_place_id=self.current_place_id,
            current_facility_id=self.current_facility_id,
            current_purchased=self.current_purchased,
            decided_place_type=opt.PlaceType(self.place_type.value),
            needs_screened=self.has_dementia or self.place_type is PlaceType.SCREENED,
            reinforced_assessed=self.place_type is PlaceType.REINFORCED,
            resident_since=self.resident_since, need_score=self.need_score,
            wishes=self.wishes[:res], spouse_facility_id=self.spouse_facility_id,
            accompanying_spouse=self.accompanying_spouse,
            decided_facility_kind=(opt.FacilityKind(self.facility_kind.value)
                                   if self.facility_kind else None))


def _order(reasons: set[MoveReason]) -> tuple[MoveReason, ...]:
    return tuple(r for r in MoveReason if r in reasons)


def mover_of_case(case: Case, spouse: Case | None, *, free_choice: bool, today: date
                  ) -> MoverFacts | None:
    """The case as a mover, or None (from the aggregates)."""
    res = case.residence
    if case.status is not CaseStatus.RESIDENT or res is None or case.place_type is None or \
            res.admitted_on > today or case.outstanding_move is not None or \
            (case.accompanying is not None and case.accompanying.concluded is None):
        return None
    reasons = set(case.move_reasons) - {MoveReason.FREE_CHOICE}
    if free_choice and case.wishes and res.facility_id != case.wishes[0]:
        reasons.add(MoveReason.FREE_CHOICE)
    apart = case.living_apart_consent and spouse is not None and spouse.living_apart_consent
    spouse_at = None
    if spouse is not None and spouse.in_long_term_stay and not apart \
            and not lives_with(case, spouse):
        spouse_at = spouse.facility_held
        if spouse_at is not None and spouse_at != res.facility_id:
            reasons.add(MoveReason.SPOUSES_TOGETHER)
    if not reasons:
        return None
    return MoverFacts(case.id, _order(reasons), str(res.target_id), res.facility_id,
                      res.purchased, case.place_type, case.facility_kind, case.has_dementia,
                      case.need_score, res.admitted_on, tuple(case.wishes), spouse_at,
                      lives_with(case, spouse))


def mover_of_row(row: Row, spouse: Row | None, *, free_choice: bool, today: date
                 ) -> MoverFacts | None:
    """The case's read-model row as a mover, or None (the same facts as
    :func:`mover_of_case`). ``row`` and ``spouse``: a case document, or a resident's row
    of ``lto_rm_resident`` (:func:`projections.derived.resident_facts`: the fields read
    here, under the document's keys)."""
    stays = row.get("stays") or []
    decision = row.get("decision") or {}
    accompanying = row.get("accompanying")
    if row["status"] != _RESIDENT or not stays or not decision.get("place_type") or \
            (accompanying and accompanying["concluded"] is None):
        return None
    stay = stays[-1]
    if date.fromisoformat(stay["admitted_on"]) > today:
        return None
    if any(o.get("move_reason") and o["status"] in _OUTSTANDING and not o.get("moved_on")
           for o in row["offers"].values()):
        return None
    place_type = PlaceType(decision["place_type"])
    reasons: set[MoveReason] = set()
    if stay["place_type"] != place_type.value:
        reasons.add(MoveReason.CHANGE_OF_NEED)
    wishes = tuple(row["wishes"])
    if free_choice and wishes and stay["facility_id"] != wishes[0]:
        reasons.add(MoveReason.FREE_CHOICE)
    if stay["purchased"]:
        reasons.add(MoveReason.BOUGHT_TO_OWN)
    spouse_at = None
    with_me = False
    if spouse is not None:
        sacc = spouse.get("accompanying")
        with_me = spouse["status"] == _RESIDENT and bool(sacc) and sacc["concluded"] is None \
            and sacc["resident_case_id"] == row["case_id"]
        apart = bool(row["living_apart_consent"]) and bool(spouse["living_apart_consent"])
        if not with_me and not apart:
            spouse_at = _facility_held(spouse)
            if spouse_at is not None and spouse_at != stay["facility_id"]:
                reasons.add(MoveReason.SPOUSES_TOGETHER)
    if not reasons:
        return None
    return MoverFacts(
        UUID(row["case_id"]), _order(reasons), stay["target_id"], stay["facility_id"],
        bool(stay["purchased"]), place_type,
        FacilityKind(decision["facility_kind"]) if decision.get("facility_kind") else None,
        bool(row["dementia_diagnosis"])
        or row["dementia_finding"] == DementiaFinding.CONFIRMED.value,
        row["need_score"], date.fromisoformat(stay["admitted_on"]), wishes, spouse_at,
        with_me)


def _facility_held(row: Row) -> str | None:
    """R10: where the spouse lives, or holds an offer (as the case's ``facility_held``)."""
    if row["status"] == _RESIDENT and row.get("stays"):
        return str(row["stays"][-1]["facility_id"])
    if row["status"] not in ("granted", "waiting"):
        return None
    admitted = {s["offer_id"] for s in row.get("stays") or []}
    for o in row["offers"].values():
        if o["status"] in _OUTSTANDING and o["offer_id"] not in admitted \
                and not o.get("move_reason"):
            return str(o["facility_id"])
    return None


__all__ = ["MoverFacts", "mover_of_case", "mover_of_row"]
