"""Priority (§ 3-3, R16, R17) and the person's wishes (R16, R20).

The priority is a professional judgement: the assessor records the factors' severities and
a need score; the policy in force on the assessment's date suggests a score, and a score
that departs from the suggestion by more than the policy's tolerance needs its reason. The
rank on the waiting list comes from :mod:`domain.order`, nowhere else.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.base import Base, add_months, local_date
from domain.case.lifecycle import CaseStatus, require
from domain.case.state import CaseState, PriorityAssessment
from domain.errors import InvalidValue, RuleViolation
from domain.order import OrderKey, waiting_order_key
from domain.values import FACTOR_MAX, PolicySettings, PriorityFactor


class Priority(CaseState):
    """Mixed into :class:`~domain.case.Case`."""

    class PriorityAssessed(Base.Event):
        """R16, R17: the professional assessment of need, with its factors and assessor.
        Version 2 added ``policy_version``: the policy in force on ``assessed_on`` that
        suggested the score."""

        class_version = 2

        factors: dict[str, int]
        need_score: int
        suggested_score: int
        assessor: str
        departure_reason: str | None
        assessed_on: date
        policy_version: int | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["policy_version"] = None

        def on(self, case: Priority) -> None:
            case.priority = PriorityAssessment(
                self.need_score, self.suggested_score, dict(self.factors), self.assessor,
                self.assessed_on, self.departure_reason, self.policy_version,
            )

    class WishesRecorded(Base.Event):
        """R16 (great weight to the person's wishes) and R20 (free choice, ranked)."""

        facility_ids: list[str]

        def on(self, case: Priority) -> None:
            case.wishes = list(self.facility_ids)

    # --- derived ---------------------------------------------------------------------------

    @property
    def need_score(self) -> int | None:
        """R16: the need score of the current assessment; None: not assessed."""
        return self.priority.need_score if self.priority is not None else None

    @property
    def waiting_since(self) -> date | None:
        """R23: the waiting-list date (ventelistedato) of the current waiting period: the
        first grant or waiting-list decision of it."""
        return self.guarantee.waiting_since

    def order_key(self) -> OrderKey:
        """R12: this person's place in the one order of the waiting list."""
        return waiting_order_key(urgent=self.status is CaseStatus.GRANTED,
                                 need_score=self.need_score,
                                 waiting_since=self.waiting_since or self.received_on,
                                 case_id=str(self.id))

    def last_reviewed_on(self) -> date | None:
        """R27: the last review — a priority assessment, an IPLOS registration or the
        decision that put the person on the list, whichever is latest."""
        days = [d for d in (
            self.priority.assessed_on if self.priority else None,
            self.docs.iplos_assessed_on,
            self.current_decision.decided_on if self.current_decision else None,
        ) if d is not None]
        return max(days) if days else None

    def review_due_on(self) -> date | None:
        """R27: the day the next review is due, for a person on the waiting list."""
        if self.status is not CaseStatus.WAITING:
            return None
        last = self.last_reviewed_on()
        return add_months(last, self.review_every_months) if last else None

    # --- commands -------------------------------------------------------------------------

    def assess_priority(
        self, now: datetime, *, factors: dict[str, int], need_score: int, assessor: str,
        policy: PolicySettings, policy_version: int | None = None,
        departure_reason: str | None = None, assessed_on: date | None = None,
        command_id: str | None = None,
    ) -> None:
        """``policy`` is the version in force on ``assessed_on`` (the application looks it
        up); the suggestion and the version are recorded with the assessment."""
        require(self.status, "assess_priority")
        known = {f.value for f in PriorityFactor}
        unknown = sorted(set(factors) - known)
        if unknown:
            raise InvalidValue("factors", f"unknown priority factors: {', '.join(unknown)}")
        bad = sorted(k for k, v in factors.items()
                     if not isinstance(v, int) or not 0 <= v <= FACTOR_MAX)
        if bad:
            raise InvalidValue("factors", f"each factor is scored 0–{FACTOR_MAX}: {bad}")
        if not isinstance(need_score, int) or not 0 <= need_score <= 100:
            raise InvalidValue("need_score", "the need score is 0–100")
        if not assessor or not assessor.strip():
            raise RuleViolation("R17", "the priority is a professional judgement: name the "
                                "assessor", field="assessor", missing=("assessor",))
        day = assessed_on or local_date(now)
        if day > local_date(now):
            raise InvalidValue("assessed_on", "an assessment cannot be dated in the future")
        suggested = policy.suggested_need_score(factors)
        reason = (departure_reason or "").strip() or None
        if abs(need_score - suggested) > policy.score_tolerance and reason is None:
            raise RuleViolation(
                "R17", f"the need score {need_score} departs from the policy's suggestion "
                f"{suggested} by more than {policy.score_tolerance}: give the reason",
                field="departure_reason", missing=("departure_reason",))
        self.trigger_event(self.PriorityAssessed, timestamp=now, command_id=command_id,
                           factors=dict(factors), need_score=need_score,
                           suggested_score=suggested, assessor=assessor,
                           departure_reason=reason, assessed_on=day,
                           policy_version=policy_version)

    def record_wishes(self, now: datetime, *, facility_ids: list[str],
                      command_id: str | None = None) -> None:
        require(self.status, "record_wishes")
        if len(set(facility_ids)) != len(facility_ids):
            raise InvalidValue("facility_ids", "each facility is ranked once")
        if any(not f or not f.strip() for f in facility_ids):
            raise InvalidValue("facility_ids", "a wished facility is named")
        self.trigger_event(self.WishesRecorded, timestamp=now, command_id=command_id,
                           facility_ids=list(facility_ids))
