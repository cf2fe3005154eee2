"""An allocation run (tildelingsrunde): the optimizer's proposal and the officer's answer
to each proposed offer.

The software proposes; a person in the allocation unit approves, changes or rejects every
offer (R17, § 3-3 third paragraph). The run keeps the problem exactly as it was given to
the optimizer, its hash, the solver's version and settings, the plan and its explanation,
so a complaint handler can re-run it years later and see the identical plan (R21).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.base import Base
from domain.errors import InvalidState, InvalidValue, RuleViolation

PROPOSED = "proposed"
APPROVED = "approved"
CHANGED = "changed"  # approved with another place than the one proposed
REJECTED = "rejected"


class AllocationRun(Base):
    class Proposed(Base.Created):
        as_of: date
        problem: dict[str, Any]
        problem_hash: str
        solver: dict[str, Any]
        plan: dict[str, Any]
        started_by: str

    class ItemApproved(Base.Event):
        case_id: str
        offer_id: UUID
        target_id: str
        approved_by: str
        changed: bool
        reason: str | None

        def on(self, run: AllocationRun) -> None:
            run.item_status[self.case_id] = CHANGED if self.changed else APPROVED
            run.offer_ids[self.case_id] = self.offer_id

    class ItemRejected(Base.Event):
        case_id: str
        rejected_by: str
        reason: str

        def on(self, run: AllocationRun) -> None:
            run.item_status[self.case_id] = REJECTED

    def __init__(
        self,
        municipality: str,
        command_id: str | None,
        as_of: date,
        problem: dict[str, Any],
        problem_hash: str,
        solver: dict[str, Any],
        plan: dict[str, Any],
        started_by: str,
    ) -> None:
        super().__init__(municipality, command_id)
        self.as_of = as_of
        self.problem = problem
        self.problem_hash = problem_hash
        self.solver = solver
        self.plan = plan
        self.started_by = started_by
        self.proposed: dict[str, dict[str, Any]] = {
            a["case_id"]: a for a in plan.get("assignments", [])
        }
        self.item_status: dict[str, str] = dict.fromkeys(self.proposed, PROPOSED)
        self.offer_ids: dict[str, UUID] = {}

    @classmethod
    def propose(
        cls, now: datetime, *, run_id: UUID, municipality: str, as_of: date,
        problem: dict[str, Any], problem_hash: str, solver: dict[str, Any],
        plan: dict[str, Any], started_by: str, command_id: str | None = None,
    ) -> AllocationRun:
        if not started_by.strip():
            raise InvalidValue("started_by", "name who started the run")
        return cls._create(
            cls.Proposed, id=run_id, timestamp=now, municipality=municipality,
            command_id=command_id, as_of=as_of, problem=problem, problem_hash=problem_hash,
            solver=solver, plan=plan, started_by=started_by,
        )

    def _open_item(self, case_id: str) -> dict[str, Any]:
        if case_id not in self.proposed:
            raise InvalidState("the run proposed no offer for this case", field="case_id")
        if self.item_status[case_id] != PROPOSED:
            raise InvalidState(f"the proposal is already {self.item_status[case_id]}",
                               field="case_id")
        return self.proposed[case_id]

    def approve(self, now: datetime, *, case_id: str, offer_id: UUID, target_id: str,
                approved_by: str, reason: str | None = None,
                command_id: str | None = None) -> None:
        """R17: an officer approves the proposed offer, or changes it with a reason."""
        item = self._open_item(case_id)
        if not approved_by.strip():
            raise RuleViolation("R17", "a person in the allocation unit approves every offer: "
                                "name the officer", field="approved_by")
        changed = item["place_id"] != target_id
        if changed and not (reason and reason.strip()):
            raise RuleViolation("R17", "an offer other than the proposed one needs the "
                                "officer's reason", field="reason", missing=("reason",))
        self.trigger_event(self.ItemApproved, timestamp=now, command_id=command_id,
                           case_id=case_id, offer_id=offer_id, target_id=target_id,
                           approved_by=approved_by, changed=changed, reason=reason)

    def reject(self, now: datetime, *, case_id: str, rejected_by: str, reason: str,
               command_id: str | None = None) -> None:
        self._open_item(case_id)
        if not reason.strip():
            raise InvalidValue("reason", "say why the proposed offer is rejected")
        self.trigger_event(self.ItemRejected, timestamp=now, command_id=command_id,
                           case_id=case_id, rejected_by=rejected_by, reason=reason)
