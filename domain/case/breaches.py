"""The guarantee's deadline (§ 3-4, R18, R19): the deadline check that records a breach
(fristbrudd) once per guarantee period, and the person's choice after it. What the guarantee
*is* on a given day is :class:`~domain.case.guarantee.Guarantee`'s to say."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.base import Base, local_date
from domain.case.guarantee import GuaranteeStatus
from domain.case.lifecycle import ALLOWED, require
from domain.case.state import CaseState
from domain.errors import InvalidState, RuleViolation
from domain.values import BreachChoice


class Breaches(CaseState):
    """Mixed into :class:`~domain.case.Case`."""

    class DeadlineBreached(Base.Event):
        """R18: no suitable offer within the guarantee period (fristbrudd). Version 2 added
        ``period``: the guarantee period breached (a later period can breach again)."""

        class_version = 2

        deadline: date
        breached_on: date
        period: int

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["period"] = 1

        def on(self, case: Breaches) -> None:
            case.guarantee.breached(self.period, self.breached_on)
            case.breach_choice = None

    class BreachChoiceRecorded(Base.Event):
        """R19: purchase from another provider, or wait on for a municipal place."""

        choice: BreachChoice
        recorded_on: date
        recorded_by: str

        def on(self, case: Breaches) -> None:
            case.breach_choice = self.choice

    # --- derived ---------------------------------------------------------------------------

    @property
    def breached_on(self) -> date | None:
        """The latest recorded breach (a breach stays recorded whatever follows)."""
        breaches = self.guarantee.breaches
        return breaches[-1].breached_on if breaches else None

    def breach_due(self, today: date) -> bool:
        """R18: on the waiting list, past the deadline of the current guarantee period, no
        suitable offer met it, not lost, not yet recorded."""
        return self.status in ALLOWED["check_deadline"] and \
            self.guarantee.state(today).breach_due

    # --- commands -------------------------------------------------------------------------

    def _record_due_breach(self, now: datetime, command_id: str | None) -> bool:
        today = local_date(now)
        if not self.breach_due(today):
            return False
        period = self.guarantee.current
        assert period is not None
        self.trigger_event(self.DeadlineBreached, timestamp=now, command_id=command_id,
                           deadline=period.deadline, breached_on=today, period=period.number)
        return True

    def check_deadline(self, now: datetime, *, command_id: str | None = None) -> bool:
        """Record the breach once per guarantee period (a second run records nothing)."""
        return self._record_due_breach(now, command_id)

    def choose_after_breach(self, now: datetime, *, choice: BreachChoice, recorded_by: str,
                            command_id: str | None = None) -> None:
        """R19: the choice is recorded; the breach stays visible either way."""
        require(self.status, "choose_after_breach")
        state = self.guarantee.state(local_date(now))
        if state.status is not GuaranteeStatus.BREACHED:
            if self.breached_on is None:
                raise RuleViolation("R19", "the choice between a purchased place and waiting "
                                    "on follows a deadline breach; this case has none",
                                    field="choice")
            raise InvalidState("the breach belongs to an earlier guarantee period",
                               field="choice")
        self.trigger_event(self.BreachChoiceRecorded, timestamp=now, command_id=command_id,
                           choice=choice, recorded_on=local_date(now), recorded_by=recorded_by)
