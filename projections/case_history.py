"""Case history (R21): every event of a case, in order, in plain words, with who and when.

A complaint handler (klagebehandler, and above the municipality Statsforvalteren) reads it
to replay the case. "When" is the event's business time; "who" is the person the event
names (the decision maker, the assessor, the officer), or None where the event is the
person's own act (accepting an offer) or the system's (a deadline check).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.case import Case
from projections.store import Store

_WHO = ("decided_by", "recorded_by", "assessor", "assessed_by", "made_by")


def _who(e: Any) -> str | None:
    for attr in _WHO:
        value = getattr(e, attr, None)
        if value:
            return str(value)
    return None


def _offer_words(e: Any) -> str:
    kind = "a place bought from another provider" if e.kind.value == "purchase" else "a place"
    return f"{kind} at {e.facility_name} ({e.place_type.value})"


def describe(e: Any) -> tuple[str, str | None]:
    """The event in plain words, and who acted."""
    text: str
    if isinstance(e, Case.ApplicationReceived):
        text = f"Application received ({e.channel.value}) on {e.received_on}"
    elif isinstance(e, Case.SpouseLinked):
        text = "Linked to the spouse's or cohabitant's case"
    elif isinstance(e, Case.OwnAccountRecorded):
        text = "The person's own account recorded (what matters to them)"
    elif isinstance(e, Case.RelativesInformationRecorded):
        text = f"Information from {e.relation} recorded"
    elif isinstance(e, Case.IplosRegistered):
        text = f"IPLOS registration of {e.assessed_on}"
    elif isinstance(e, Case.MedicalInformationRecorded):
        text = f"Medical information from {e.source.value}: {e.summary}"
    elif isinstance(e, Case.LeonMeasuresRecorded):
        text = "Lower-level measures recorded: " + ", ".join(
            f"{x.measure.value} ({x.status.value})" for x in e.entries)
    elif isinstance(e, Case.DementiaInvestigationRecorded):
        text = f"Dementia investigation: {e.finding.value}"
    elif isinstance(e, Case.DecisionMade):
        words = {"grant": "Long-term stay granted", "waiting_list": "Waiting-list decision",
                 "rejection": "Application rejected"}[e.kind]
        text = words
        if e.place_type is not None:
            text += f" ({e.place_type.value} place)"
        if e.deadline is not None:
            text += f"; offer due by {e.deadline}"
        text += f"; complaint deadline {e.complaint_deadline}"
    elif isinstance(e, Case.InterimServicesRecorded):
        text = "Services while waiting: " + ", ".join(
            f"{s.service} ({s.extent})" for s in e.services)
    elif isinstance(e, Case.PriorityAssessed):
        text = f"Need assessed: score {e.need_score} (policy suggested {e.suggested_score})"
        if e.departure_reason:
            text += f"; reason for the difference: {e.departure_reason}"
    elif isinstance(e, Case.UrgencyMarked):
        text = f"Marked urgent: can no longer be cared for safely at home ({e.reason})"
    elif isinstance(e, Case.UrgencyCleared):
        text = f"Urgency cleared ({e.reason})"
    elif isinstance(e, Case.WishesRecorded):
        text = "Wishes recorded: " + (", ".join(e.facility_ids) or "none")
    elif isinstance(e, Case.LivingApartConsented):
        text = "Consent to live apart from the spouse recorded"
    elif isinstance(e, Case.OfferMade):
        text = f"Offered {_offer_words(e)}"
    elif isinstance(e, Case.OfferAccepted):
        text = "The offer was accepted"
    elif isinstance(e, Case.OfferDeclined):
        text = f"The offer was declined ({e.reason}); guarantee: {e.guarantee}"
    elif isinstance(e, Case.OfferWithdrawn):
        text = f"The offer was withdrawn ({e.reason})"
    elif isinstance(e, Case.DeadlineBreached):
        text = f"Deadline {e.deadline} passed without an offer (breach)"
    elif isinstance(e, Case.BreachChoiceRecorded):
        text = ("After the breach the person chose a purchased place"
                if e.choice.value == "purchase" else
                "After the breach the person chose to wait for a municipal place")
    elif isinstance(e, Case.Admitted):
        text = f"Admitted on {e.admitted_on} at {e.facility_id} ({e.place_type.value})"
    elif isinstance(e, Case.Closed):
        text = f"Case closed ({e.reason.value})"
    elif isinstance(e, Case.StayEnded):
        text = f"Stay ended on {e.ended_on} ({e.reason.value})"
    else:
        text = type(e).__name__
    return text, _who(e)


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
