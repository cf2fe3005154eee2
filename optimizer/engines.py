"""The OR-Tools engines the optimizer uses, with fixed settings, and the checks around them.

Everything that talks to a solver goes through here, so the settings that make a plan
reproducible (one CP-SAT worker, a fixed seed, a deterministic time limit; exact integer flows)
are in one place and are recorded with every plan (``SolverInfo``).

CP-SAT is imported on first use (:func:`cp_model`): most runs never need the exact check,
and its Python module loads pandas — about 0.9 s and 60 MB in every process that imports
it, which a server worker would otherwise pay on its first allocation run.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING

from ortools.graph.python import min_cost_flow

if TYPE_CHECKING:
    from ortools.sat.python.cp_model import CpSolver

CP_SAT_PARAMETERS: dict[str, object] = {
    "num_workers": 1,
    "random_seed": 0,
    "max_deterministic_time": 600.0,
}
INT64_MAX = (1 << 63) - 1


class SolverError(RuntimeError):
    """The solver could not prove an optimum (it never returns an unproven plan)."""


def flow_cost_fits(max_abs_cost: int, n_nodes: int) -> bool:
    """Whether OR-Tools' cost-scaling min-cost flow can work exactly with these costs.

    It multiplies every cost by ``n_nodes + 1`` and lets node potentials fall to about
    ``4 * n_nodes`` times the largest scaled cost; both must stay inside int64 (else it reports
    BAD_COST_RANGE).  A factor 2 on top is a safety margin.
    """
    scaled = max_abs_cost * (n_nodes + 1)
    return scaled * 2 * (4 * n_nodes + 8) < INT64_MAX


def solve_min_cost_flow(tails: Sequence[int], heads: Sequence[int], caps: Sequence[int],
                        costs: Sequence[int], source: int, sink: int, supply: int, stage: str
                        ) -> min_cost_flow.SimpleMinCostFlow:
    """A min-cost flow of ``supply`` units from source to sink; OPTIMAL or a SolverError."""
    mcf = min_cost_flow.SimpleMinCostFlow()
    mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    mcf.set_node_supply(source, supply)
    mcf.set_node_supply(sink, -supply)
    status = mcf.solve()
    if status != mcf.OPTIMAL:
        raise SolverError(f"min-cost flow ({stage}) status {status}")
    return mcf


def cp_model() -> ModuleType:
    """OR-Tools' CP-SAT module, imported on first use (see the module docstring)."""
    from ortools.sat.python import cp_model as module

    return module


def cp_solver() -> CpSolver:
    solver = cp_model().CpSolver()
    solver.parameters.num_workers = int(CP_SAT_PARAMETERS["num_workers"])  # type: ignore[arg-type]
    solver.parameters.random_seed = int(CP_SAT_PARAMETERS["random_seed"])  # type: ignore[arg-type]
    solver.parameters.max_deterministic_time = float(
        CP_SAT_PARAMETERS["max_deterministic_time"]  # type: ignore[arg-type]
    )
    return solver


def cp_settings() -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(CP_SAT_PARAMETERS.items()))
