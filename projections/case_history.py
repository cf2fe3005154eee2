"""Case history (R21): every event of a case, in order, in plain words, with who and when.

A complaint handler (klagebehandler, and above the municipality Statsforvalteren) reads it
to replay the case. "When" is the event's business time; "who" is the person the event
names (the decision maker, the assessor, the officer), or None where the event is the
person's own act (accepting an offer) or the system's (a deadline check).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.case import Case
from projections.fold_moves import MOVE_WORDS
from projections.store import Store

_WHO = ("decided_by", "recorded_by", "assessor", "assessed_by", "made_by", "raised_by",
        "quashed_by")


#: Which of ``_WHO`` each event type has (found on its first event: a rebuild asks for
#: every event of the log).
_WHO_OF: dict[type, tuple[str, ...]] = {}


def _who(e: Any) -> str | None:
    attrs = _WHO_OF.get(type(e))
    if attrs is None:
        attrs = _WHO_OF[type(e)] = tuple(a for a in _WHO if hasattr(e, a))
    for attr in attrs:
        value = getattr(e, attr, None)
        if value:
            return str(value)
    return None


def _offer_words(e: Any) -> str:
    kind = "a place bought from another provider" if e.kind.value == "purchase" else "a place"
    return f"{kind} at {e.facility_name} ({e.place_type.value})"


def _decision_words(e: Any) -> str:
    text = {"grant": "Long-term stay granted", "waiting_list": "Waiting-list decision",
            "rejection": "Application rejected"}[e.kind]
    if e.place_type is not None:
        text += f" ({e.place_type.value} place)"
    if e.deadline is not None:
        text += f"; offer due by {e.deadline}"
    return text


def _offer_made_words(e: Any) -> str:
    text = f"Offered {_offer_words(e)}"
    if e.available_on != e.made_on:
        text += f", available from {e.available_on}"
    text += f"; answer by {e.answer_by}"
    if getattr(e, "single_room_reason", None):
        text += f"; a single room, the spouse not accompanying: {e.single_room_reason}"
    if not e.suitable:
        text += ("; not a suitable offer, does not meet the guarantee ("
                 + ", ".join(u.value for u in e.unsuitable) + f"): {e.unsuitable_reason}")
    return text


def _decision_text(e: Any) -> str:
    if e.urgent:
        return ("Long-term stay granted at once: can no longer be cared for safely at home "
                f"({e.grounds})")
    if e.complaint_id is not None:
        return _decision_words(e) + " (after a complaint)"
    return _decision_words(e)


def _priority_words(e: Any) -> str:
    text = f"Need assessed: score {e.need_score} (policy suggested {e.suggested_score})"
    if e.departure_reason:
        text += f"; reason for the difference: {e.departure_reason}"
    return text


#: The words for each kind of case event (a table, not a chain of tests: a rebuild
#: describes every event of the log).
_WORDS: dict[type, Callable[[Any], str]] = {
    Case.ApplicationReceived:
        lambda e: f"Application received ({e.channel.value}) on {e.received_on}",
    Case.CaseNumberAssigned: lambda e: f"Case number {e.case_number} assigned",
    Case.SpouseLinked: lambda e: "Linked to the spouse's or cohabitant's case",
    Case.OwnAccountRecorded:
        lambda e: "The person's own account recorded (what matters to them)",
    Case.RelativesInformationRecorded: lambda e: f"Information from {e.relation} recorded",
    Case.IplosRegistered: lambda e: f"IPLOS registration of {e.assessed_on}",
    Case.MedicalInformationRecorded:
        lambda e: f"Medical information from {e.source.value}: {e.summary}",
    Case.LeonMeasuresRecorded: lambda e: "Lower-level measures recorded: " + ", ".join(
        f"{x.measure.value} ({x.status.value})" for x in e.entries),
    Case.DementiaInvestigationRecorded:
        lambda e: f"Dementia investigation: {e.finding.value}",
    Case.NoRelativesStated: lambda e: f"No relatives or guardian to ask: {e.statement}",
    Case.DementiaSuspected: lambda e: f"Dementia suspected: {e.reason}",
    Case.OtherServicesChanged: lambda e: (
        "The person now receives other services" if e.receives_other_services
        else "The person no longer receives other services"),
    Case.DecisionMade: _decision_text,
    Case.AccompanyingStayDecided: lambda e: (
        "Accompanying stay decided: to live with the spouse in long-term stay"),
    Case.AccompanyingOfferMade: lambda e: (
        f"Offered the second bed of the spouse's double room at {e.facility_name} "
        f"({e.place_type.value}), with the spouse's offer"),
    Case.AccompanyingStayConcluded: lambda e: (
        "The accompanying stay continues as an ordinary long-term stay"
        if e.outcome == "ordinary_stay" else
        f"The accompanying stay ends on {e.ended_on}"),
    Case.DecisionSent: lambda e: (
        f"Decision sent on {e.sent_on} ({e.channel.value})"
        + (f", received on {e.received_on}" if e.received_on else "")),
    Case.DecisionReceived: lambda e: f"Decision received on {e.received_on}",
    Case.InterimServicesRecorded: lambda e: "Services while waiting: " + ", ".join(
        f"{s.service} ({s.extent})" for s in e.services),
    Case.PriorityAssessed: _priority_words,
    Case.UrgencyMarked:
        lambda e: f"Marked urgent: can no longer be cared for safely at home ({e.reason})",
    Case.UrgencyCleared: lambda e: f"Urgency cleared ({e.reason})",
    Case.WishesRecorded:
        lambda e: "Wishes recorded: " + (", ".join(e.facility_ids) or "none"),
    Case.LivingApartConsented: lambda e: "Consent to live apart from the spouse recorded",
    Case.OfferMade: _offer_made_words,
    Case.OfferAccepted: lambda e: "The offer was accepted",
    Case.OfferDeclined:
        lambda e: f"The offer was declined ({e.reason}); guarantee: {e.guarantee}",
    Case.OfferWithdrawn: lambda e: f"The offer was withdrawn ({e.reason})",
    Case.OfferLapsed: lambda e: (
        f"The offer was not answered by {e.answer_by} and lapsed"
        + ("; counted as declined" if e.counts_as_declined else "")),
    Case.DeadlineBreached: lambda e: f"Deadline {e.deadline} passed without an offer (breach)",
    Case.BreachChoiceRecorded: lambda e: (
        "After the breach the person chose a purchased place"
        if e.choice.value == "purchase" else
        "After the breach the person chose to wait for a municipal place"),
    Case.Admitted:
        lambda e: f"Admitted on {e.admitted_on} at {e.facility_id} ({e.place_type.value})",
    Case.Closed: lambda e: f"Case closed ({e.reason.value})",
    Case.StayEnded: lambda e: f"Stay ended on {e.ended_on} ({e.reason.value})",
    Case.BridgingStayRecorded: lambda e: (
        f"Short-term stay bridging the wait at {e.facility_name}, {e.unit}, from {e.from_on}"
        + (f" to {e.to_on}" if e.to_on else "")),
    Case.BridgingStayEnded: lambda e: f"Bridging short-term stay ended on {e.to_on}",
    Case.DecisionQuashed: lambda e: (
        f"The decision was quashed after a complaint on {e.quashed_on}; the case is back "
        "under assessment"),
    **MOVE_WORDS,  # R28 (projections.fold_moves)
}


def describe(e: Any) -> tuple[str, str | None]:
    """The event in plain words, and who acted."""
    words = _WORDS.get(type(e))
    return (words(e) if words is not None else type(e).__name__), _who(e)


@dataclass(frozen=True)
class HistoryEntry:
    version: int
    at: datetime
    event: str
    text: str
    who: str | None


def case_history(store: Store, case_id: str) -> list[HistoryEntry]:
    return [
        HistoryEntry(d["version"], datetime.fromisoformat(d["at"]), d["event"], d["text"],
                     d["who"])
        for d in store.history(case_id)
    ]
