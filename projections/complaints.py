"""Complaints (klage, R21) as the screens read them: one row per complaint, with its status,
subject, dates, the late flag, the unit's reconsideration, the forwarding to
Statsforvalteren, the outcome, and its own history in plain words.

Why the history lives in the complaint's row and not in the case history: the case history
is numbered by the case's own event versions (one row per case version), and a complaint is
another stream with versions of its own. A screen that shows the case's whole story merges
the two by time (``complaints(store, m, case_id)`` gives every complaint of a case).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.base import Base
from domain.complaint import Complaint, ComplaintOutcome
from projections.store import Doc, Store

COMPLAINT = "lto_rm_complaint"
_CASE = "lto_rm_case"  # projections.fold.CASE (imported there, so not imported here)

_SUBJECT_WORDS = {"decision": "the decision (vedtak)", "offer": "the offer (tilbud)",
                  "breach": "the breach of the guarantee (fristbrudd)",
                  "priority": "the priority given"}
_BASIS_WORDS = {"received": "receipt", "sent": "sending plus the usual delivery time"}
_OUTCOME_WORDS = {
    "confirmed": "confirmed (stadfestet)",
    "changed": "changed (omgjort)",
    "quashed": "quashed and sent back (opphevet)",
}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def describe(e: Any) -> tuple[str, str | None]:
    """A complaint event in plain words, and who acted."""
    if isinstance(e, Complaint.Registered):
        text = (f"Complaint (klage) against {_SUBJECT_WORDS[e.against.value]} of "
                f"{e.subject_date} received on {e.received_on}; ")
        if e.complaint_deadline is None:
            text += "complaint deadline unknown (the decision's receipt is not recorded)"
        else:
            text += (f"complaint deadline {e.complaint_deadline} (from the "
                     f"{_BASIS_WORDS[e.deadline_basis]})")
        if e.late:
            text += " — received late"
        if e.complainant_role is not None:
            text += f"; complainant: {e.complainant_role.value}"
        return text, e.registered_by
    if isinstance(e, Complaint.Reconsidered):
        text = "The allocation unit did not uphold the complaint"
        if e.upheld:
            text = ("The allocation unit upheld the complaint in full: decision "
                    f"{_OUTCOME_WORDS[(e.outcome or ComplaintOutcome.CHANGED).value]}")
            if e.new_decision_id is not None:
                text += ", new decision made"
        if e.late_reason:
            text += f"; taken up although late (fvl. § 31): {e.late_reason}"
        return f"{text}: {e.reasoning}", e.decided_by
    if isinstance(e, Complaint.Forwarded):
        return f"Complaint forwarded to {e.to} on {e.forwarded_on}", e.forwarded_by
    if isinstance(e, Complaint.OutcomeRecorded):
        return (f"Statsforvalteren: decision {_OUTCOME_WORDS[e.outcome.value]} on "
                f"{e.decided_on}: {e.summary}", "Statsforvalteren")
    if isinstance(e, Complaint.NewDecisionLinked):
        return f"New decision after the quashed one, made on {e.decided_on}", None
    return type(e).__name__, None


def _result(doc: Doc, outcome: str, by: str, decision_id: Any) -> None:
    """R21: the outcome's kind (confirmed, changed, quashed), who gave it, and the new
    decision it made on the case (if any)."""
    doc["result"], doc["result_by"] = outcome, by
    doc["new_decision_id"] = str(decision_id) if decision_id is not None else None


def apply_complaint(store: Store, e: Base.Event) -> None:
    """Fold one complaint event into its row."""
    key = str(e.originator_id)
    if isinstance(e, Complaint.Registered):
        doc: Doc = {
            "complaint_id": key, "municipality": e.municipality, "case_id": str(e.case_id),
            "against": e.against.value,
            "subject_id": str(e.subject_id) if e.subject_id is not None else None,
            "complainant_role": e.complainant_role.value if e.complainant_role else None,
            "complainant_name": e.complainant_name, "result": None, "result_by": None,
            "new_decision_id": None,
            "subject_date": _iso(e.subject_date),
            "complaint_deadline": _iso(e.complaint_deadline),
            "deadline_basis": e.deadline_basis,
            "received_on": _iso(e.received_on), "late": e.late, "grounds": e.grounds,
            "registered_by": e.registered_by, "status": "received",
            "reconsideration": None, "forwarding": None, "outcome": None, "history": [],
        }
    else:
        found = store.get(COMPLAINT, key)
        if found is None:  # an event of a complaint whose registration is not in this log
            return
        doc = found
        for kept in ("result", "result_by", "new_decision_id", "complainant_role",
                     "complainant_name"):
            doc.setdefault(kept, None)  # rows of an earlier release
        if isinstance(e, Complaint.Reconsidered):
            doc["reconsideration"] = {"upheld": e.upheld, "reasoning": e.reasoning,
                                      "decided_by": e.decided_by,
                                      "decided_on": _iso(e.decided_on),
                                      "late_reason": e.late_reason}
            doc["status"] = "upheld" if e.upheld else "awaiting_forwarding"
            if e.upheld:
                _result(doc, (e.outcome or ComplaintOutcome.CHANGED).value, "unit",
                         e.new_decision_id)
        elif isinstance(e, Complaint.Forwarded):
            doc["forwarding"] = {"forwarded_on": _iso(e.forwarded_on),
                                 "forwarded_by": e.forwarded_by, "to": e.to}
            doc["status"] = "forwarded"
        elif isinstance(e, Complaint.OutcomeRecorded):
            doc["outcome"] = {"outcome": e.outcome.value, "decided_on": _iso(e.decided_on),
                              "summary": e.summary}
            doc["status"] = "decided"
            _result(doc, e.outcome.value, "state_administrator", e.new_decision_id)
        elif isinstance(e, Complaint.NewDecisionLinked):
            doc["new_decision_id"] = str(e.decision_id)
    text, who = describe(e)
    doc["history"].append({"version": e.originator_version, "at": e.timestamp.isoformat(),
                           "event": type(e).__name__, "text": text, "who": who})
    store.put(COMPLAINT, key, doc["municipality"], doc)


# --- queries ------------------------------------------------------------------------------


def _order(doc: Doc) -> tuple[str, str, str]:
    return (doc["received_on"], doc["history"][0]["at"], doc["complaint_id"])


def complaints(store: Store, municipality: str, case_id: str | None = None) -> list[Doc]:
    """The municipality's complaints (of one case, if given), oldest received first."""
    rows = [d for d in store.all(COMPLAINT, municipality)
            if case_id is None or d["case_id"] == case_id]
    return sorted(rows, key=_order)


def complaint(store: Store, municipality: str, complaint_id: str) -> Doc | None:
    """One complaint; ``None`` if there is none with that id in the municipality."""
    doc = store.get(COMPLAINT, complaint_id)
    if doc is None or doc["municipality"] != municipality:
        return None
    return doc


def case_history_with_complaints(store: Store, municipality: str, case_id: str
                                 ) -> list[Doc]:
    """R21: the case's history with its complaints' events merged in, in time order. Each
    entry is the case history's (version, at, event, text, who) plus ``source`` ("case"
    or "complaint") and, for a complaint's event, ``complaint_id``. Empty for a case of
    another municipality."""
    case = store.get(_CASE, case_id)
    if case is None or case["municipality"] != municipality:
        return []
    entries = [{**h, "source": "case", "complaint_id": None} for h in store.history(case_id)]
    for c in complaints(store, municipality, case_id):
        entries += [{**h, "source": "complaint", "complaint_id": c["complaint_id"]}
                    for h in c["history"]]
    entries.sort(key=lambda h: datetime.fromisoformat(h["at"]))  # stable: case order kept
    return entries
