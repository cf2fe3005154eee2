"""What a complaint's outcome does to its case (R21, R23): one function, so the unit's
reconsideration and Statsforvalteren's outcome act alike.

=================  ============================  =========================================
complaint about    outcome                       on the case
=================  ============================  =========================================
a decision         confirmed (stadfestet)        nothing
a decision         changed (endret, omgjort)     a new decision, stated with the outcome and
                                                 made in the same transaction: every rule of
                                                 an ordinary decision holds, and it keeps
                                                 the waiting-list date where the waiting
                                                 period continues
a decision         quashed (opphevet)            the case goes back to assessment; the unit's
                                                 new decision is later linked to the
                                                 complaint and continues the period
an offer, the      any                           nothing here: the unit follows up with the
breach, the                                      ordinary commands (a new offer, the person's
priority                                         choice after a breach, a new assessment)
=================  ============================  =========================================

A change or a quash acts only on the decision in force: if a later decision has replaced
the one complained of, or the case has been closed or the person placed since, the outcome
is refused with the reason, and nothing is written.
"""

from __future__ import annotations

from enum import Enum

from domain.case import Case
from domain.complaint import Complaint, ComplaintOutcome, ComplaintSubject
from domain.errors import InvalidState, InvalidValue, RuleViolation


class Effect(Enum):
    NONE = "none"
    DECIDE = "decide"  # a new decision on the case, linked to the complaint
    QUASH = "quash"  # the decision in force quashed: back to assessment


def outcome_effect(complaint: Complaint, outcome: ComplaintOutcome | None, case: Case, *,
                   new_decision: bool) -> Effect:
    """R21: what ``outcome`` of ``complaint`` does to ``case``; ``new_decision``: whether the
    caller stated a new decision. Refused, naming the field, where they do not fit."""
    if outcome in (None, ComplaintOutcome.CONFIRMED) or \
            complaint.against is not ComplaintSubject.DECISION:
        if new_decision:
            raise InvalidValue(
                "new_decision", "only an outcome that changes a decision makes a new "
                "decision here; an offer, a breach or a priority is followed up with the "
                "ordinary commands")
        return Effect.NONE
    current = case.current_decision
    if current is None or current.decision_id != complaint.subject_id:
        raise InvalidState(
            "R21: the decision complained of is no longer the decision in force (a later "
            "decision has replaced it); a change or a quash would act on that later decision",
            rule="R21", field="outcome")
    if outcome is ComplaintOutcome.CHANGED:
        if not new_decision:
            raise RuleViolation("R21", "an outcome that changes the decision states the new "
                                "decision", field="new_decision", missing=("new_decision",))
        return Effect.DECIDE
    if new_decision:
        raise InvalidValue(
            "new_decision", "a quashed decision is decided anew by the allocation unit after "
            "a new assessment: make the new decision on the case, naming the complaint")
    return Effect.QUASH


__all__ = ["Effect", "outcome_effect"]
