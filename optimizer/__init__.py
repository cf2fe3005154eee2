"""Allocation optimizer: a pure function from an allocation problem to an allocation plan.

No I/O, no clock, no imports of ``domain`` or ``application``.  See ``optimizer/README.md``.
"""

from .model import (
    AllocationPlan,
    AllocationProblem,
    Assignment,
    AssignmentKind,
    Explanation,
    FacilityKind,
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
from .solver import (
    SolverError,
    allocation_key,
    greedy_baseline,
    person_class,
    solve,
    waiting_list_key,
)

__all__ = [
    "AllocationPlan",
    "AllocationProblem",
    "Assignment",
    "AssignmentKind",
    "Explanation",
    "FacilityKind",
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
    "greedy_baseline",
    "person_class",
    "solve",
    "waiting_list_key",
]
