"""Allocation optimizer: a pure function from an allocation problem to an allocation plan.

No I/O, no clock, no imports of ``application``, ``api`` or ``projections``; of ``domain`` only
the one order (``domain/order.py``).  See ``optimizer/README.md``.
"""

from typing import Any

from .model import (
    AllocationPlan,
    AllocationProblem,
    Assignment,
    AssignmentKind,
    Explanation,
    FacilityKind,
    Fact,
    FactKind,
    PlaceType,
    PlanStatus,
    PolicySettings,
    PurchasableOffer,
    ReasonCode,
    Room,
    SolverInfo,
    Vacancy,
    WaitingPerson,
)
from .move_model import Mover, MoveReason

#: What the solver module gives (imported on first use: it loads OR-Tools, which a process
#: that only reads, such as a projection rebuild worker, has no need of).
_SOLVER_NAMES = frozenset({"SolverError", "allocation_key", "greedy_baseline",
                           "person_class", "solve", "waiting_list_key"})
_CHECK_NAMES = frozenset({"check_explanations"})


def __getattr__(name: str) -> Any:
    if name in _SOLVER_NAMES:
        from . import solver
        return getattr(solver, name)
    if name in _CHECK_NAMES:
        from . import check
        return getattr(check, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AllocationPlan",
    "AllocationProblem",
    "Assignment",
    "AssignmentKind",
    "Explanation",
    "FacilityKind",
    "Fact",
    "FactKind",
    "MoveReason",
    "Mover",
    "PlaceType",
    "PlanStatus",
    "PolicySettings",
    "PurchasableOffer",
    "ReasonCode",
    "Room",
    "SolverError",
    "SolverInfo",
    "Vacancy",
    "WaitingPerson",
    "allocation_key",
    "check_explanations",
    "greedy_baseline",
    "person_class",
    "solve",
    "waiting_list_key",
]
