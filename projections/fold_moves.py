"""The fold of moves (flytting, R28): how a move offer, its answer and the move itself change
the case row, beside :mod:`projections.fold` (which looks these up in its table).

A move offer is kept among the case's ``offers`` with its ``move_reason`` (no wait ended, no
guarantee: the person is not on the list). The move itself ends the current entry of
``stays`` on the move day and begins a new one there (``moved``: True, so the statistics do
not count it as a new admission); the places' rows follow their own events.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from domain.base import local_date
from domain.case import Case
from projections.store import Doc


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _move_offered(doc: Doc, e: Case.MoveOffered) -> None:
    offer_id = str(e.offer_id)
    doc["offers"][offer_id] = {
        "offer_id": offer_id, "kind": e.kind.value, "target_id": str(e.target_id),
        "facility_id": e.facility_id, "facility_name": e.facility_name,
        "place_type": e.place_type.value, "made_on": _iso(e.made_on), "status": "made",
        "available_on": _iso(e.available_on), "answer_by": _iso(e.answer_by),
        "suitable": True, "unsuitable": [], "answered_on": None, "reason": None,
        "guarantee": None, "waiting_since": None, "list_place_type": None, "deadline": None,
        "first": False, "move_reason": e.reason.value,
        "accompanies": str(e.accompanies) if e.accompanies else None,
    }


def _answered(doc: Doc, e: Any, status: str, day: date, **extra: Any) -> None:
    offer = doc["offers"].get(str(e.offer_id))
    if offer is not None:
        offer.update(status=status, answered_on=_iso(day), reason=getattr(e, "reason", None),
                     **extra)


def _move_accepted(doc: Doc, e: Case.MoveAccepted) -> None:
    _answered(doc, e, "accepted", e.answered_on)


def _move_declined(doc: Doc, e: Case.MoveDeclined) -> None:
    _answered(doc, e, "declined", e.answered_on)


def _move_withdrawn(doc: Doc, e: Case.MoveWithdrawn) -> None:
    _answered(doc, e, "withdrawn", local_date(e.timestamp), by_municipality=e.by_municipality)


def _move_lapsed(doc: Doc, e: Case.MoveLapsed) -> None:
    """R26: not answered in time; no guarantee is touched (the resident is not on the list)."""
    _answered(doc, e, "lapsed", e.lapsed_on)


def _moved(doc: Doc, e: Case.Moved) -> None:
    day = _iso(e.moved_on)
    offer = doc["offers"].get(str(e.offer_id))
    if offer is not None:
        offer["moved_on"] = day
    stays = doc["stays"]
    if stays and stays[-1]["ended_on"] is None:
        stays[-1].update(ended_on=day, end_reason="moved_within")
    stays.append({
        "offer_id": str(e.offer_id), "target_id": str(e.target_id),
        "facility_id": e.facility_id, "place_type": e.place_type.value,
        "purchased": e.purchased, "admitted_on": day, "ended_on": None, "end_reason": None,
        "moved": True,
    })


def _place_type_decided(doc: Doc, e: Case.ResidentPlaceTypeDecided) -> None:
    """R28: a new decision on the place type for a resident (a mover for a change of need)."""
    day = _iso(e.decided_on)
    facility_kind = e.facility_kind.value if e.facility_kind else None
    doc["decision"] = {
        "decision_id": str(e.decision_id), "kind": "place_type_change",
        "place_type": e.place_type.value, "facility_kind": facility_kind, "decided_on": day,
        "decided_by": e.decided_by, "deadline": None, "policy_version": e.policy_version,
        "urgent": False,
    }
    doc["decisions"].append({"decided_on": day, "kind": "place_type_change",
                             "place_type": e.place_type.value, "deadline": None})


#: The move events' changes to the case row (merged into the fold's table).
MOVE_CHANGES: dict[type, Callable[[Doc, Any], bool | None]] = {
    Case.MoveOffered: _move_offered,
    Case.MoveAccepted: _move_accepted,
    Case.MoveDeclined: _move_declined,
    Case.MoveWithdrawn: _move_withdrawn,
    Case.MoveLapsed: _move_lapsed,
    Case.Moved: _moved,
    Case.ResidentPlaceTypeDecided: _place_type_decided,
}

#: The words of the case's history for the move events.
MOVE_WORDS: dict[type, Callable[[Any], str]] = {
    Case.MoveOffered: lambda e: (
        f"Offered a move ({e.reason.value}) to {e.facility_name} ({e.place_type.value})"),
    Case.MoveAccepted: lambda e: "The move offer was accepted",
    Case.MoveDeclined: lambda e: f"The move offer was declined ({e.reason}); the place is kept",
    Case.MoveWithdrawn: lambda e: f"The move offer was withdrawn ({e.reason})",
    Case.MoveLapsed: lambda e: (
        f"The move offer lapsed: not answered by {e.answer_by} (R26); the place is kept"),
    Case.Moved: lambda e: f"Moved on {e.moved_on} to {e.facility_id} ({e.place_type.value})",
    Case.ResidentPlaceTypeDecided: lambda e: (
        f"New decision for the resident: a {e.place_type.value} place"),
}

__all__ = ["MOVE_CHANGES", "MOVE_WORDS"]
