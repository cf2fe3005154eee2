"""Policy-lab benchmark: simulated years per wall minute, and the Erlang C check.

    .venv/bin/python bench/simulator.py [--places 120] [--years 3] [--theory-seeds 3]

- **speed**: one run of the default profile (optimizer, daily allocation runs, every
  invariant each day, the read-model replay check every 30th day) at ``--places`` for
  ``--years``;
- **theory**: first come, first served on one place type with exponential stays and
  allocation at once, at loads 0.6, 0.75 and 0.85 (M/M/5, stays of 10 days): the largest
  relative error of the seeds' mean wait against Erlang C.

The last line is one JSON object with stable keys: ``sim_years_per_minute``,
``wall_seconds``, ``places``, ``years``, ``events``, ``invariant_checks``,
``invariant_violations``, ``erlang_c_relative_error``, ``erlang_c`` (per load).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator.scenario import parse_scenario
from simulator.stage import InvariantViolation
from simulator.theory import mm_c_mean_wait
from simulator.world import simulate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--places", type=int, default=120)
    parser.add_argument("--years", type=float, default=3.0)
    parser.add_argument("--theory-seeds", type=int, default=3)
    args = parser.parse_args()
    violations = 0
    t0 = time.perf_counter()
    try:
        run = simulate(parse_scenario({"profile": {"places": args.places}}), 1, args.years)
    except InvariantViolation as e:
        print(f"invariant violated: {e}", file=sys.stderr)
        violations, run = 1, {}
    wall = time.perf_counter() - t0
    print(f"speed: {args.years} years at {args.places} places in {wall:.1f} s",
          file=sys.stderr)
    theory = {}
    for load in (0.6, 0.75, 0.85):
        scenario = parse_scenario({"method": "fcfs", "run_every_days": 0, "profile": {
            "places": 5, "plain_queue": True, "exponential_stay_days": 10.0,
            "demand_factor": load, "documentation_days": 0, "initial_occupancy": load,
            "warmup_days": 60}})
        waits = [simulate(scenario, seed, 2.0, replay_every_days=0)["wait_exact_mean"]
                 for seed in range(1, args.theory_seeds + 1)]
        simulated = sum(waits) / len(waits)
        predicted = mm_c_mean_wait(load * 5 / 10.0, 10.0, 5)
        theory[str(load)] = {"simulated_days": round(simulated, 3),
                             "erlang_c_days": round(predicted, 3),
                             "relative_error": round(abs(simulated - predicted) / predicted, 3)}
        print(f"theory: load {load}: {theory[str(load)]}", file=sys.stderr)
    print(json.dumps({
        "sim_years_per_minute": round(args.years / wall * 60, 2), "wall_seconds": round(wall, 1),
        "places": args.places, "years": args.years, "events": run.get("events"),
        "invariant_checks": run.get("invariant_checks"), "invariant_violations": violations,
        "erlang_c_relative_error": max(t["relative_error"] for t in theory.values()),
        "erlang_c": theory}))


if __name__ == "__main__":
    main()
