"""Scenarios side by side: each over several seeds (the same seeds for every scenario; the
applicants part ways once the scenarios do), each measure's mean with its 95 % confidence
interval."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from simulator.scenario import Scenario
from simulator.stats import mean_ci
from simulator.world import simulate

#: the measures summarised over seeds (a CSV each; the page shows them by
#: :data:`simulator.words.GROUPS`)
MEASURES = ("wait_to_offer_median", "wait_to_offer_p90", "wait_to_admission_median",
            "wait_to_admission_p90", "breaches_per_100_decisions", "died_waiting",
            "purchases", "purchase_cost_nok", "spouses_apart", "spouse_days_apart",
            "type_mismatches", "waiting_mean", "admissions", "decisions",
            "need_changes", "moves", "moves_declined",
            "complaints", "complaints_upheld_by_unit", "complaints_changed_by_state_administrator",
            "complaints_confirmed_by_state_administrator", "complaints_open",
            "priority_complaints", "priority_complaints_upheld")


def summarise(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The scenario's measures over its seeds; occupancy per type and the waiting list
    over time as means."""
    out: dict[str, Any] = {m: mean_ci([r.get(m) for r in runs]) for m in MEASURES}
    types = sorted({t for r in runs for t in r["occupancy"]})
    out["occupancy"] = {t: mean_ci([r["occupancy"].get(t) for r in runs]) for t in types}
    weeks = min(len(r["waiting_by_week"]) for r in runs) if runs else 0
    out["waiting_by_week"] = [sum(r["waiting_by_week"][w] for r in runs) / len(runs)
                              for w in range(weeks)]
    out["invariant_violations"] = sum(r["invariant_violations"] for r in runs)
    out["wall_seconds"] = round(sum(r["wall_seconds"] for r in runs), 2)
    return out


def compare(scenarios: Sequence[Scenario], *, years: float, seeds: int,
            progress: Callable[[float], None] | None = None,
            first_seed: int = 1) -> dict[str, Any]:
    """Every scenario over ``seeds`` seeds; ``progress`` gets the share done (0–1)."""
    total = len(scenarios) * seeds
    results = []
    for i, scenario in enumerate(scenarios):
        runs = []
        for k in range(seeds):
            done = i * seeds + k

            def step(share: float, done: int = done) -> None:
                if progress is not None:
                    progress((done + share) / total)

            runs.append(simulate(scenario, first_seed + k, years, progress=step))
        results.append({"scenario": scenario.to_dict(), "measures": summarise(runs)})
    return {"years": years, "seeds": seeds, "scenarios": results}
