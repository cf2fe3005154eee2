"""The stateful property test of a case's whole life, run long: random sequences of every
case and place command, bad orders included, against the application and its read models,
with every invariant checked after every step (see ``tests/integration/case_life_machine.py``).

    .venv/bin/python bench/case_life.py            # 2,000 sequences, as the suite runs
    .venv/bin/python bench/case_life.py --long     # 50,000 sequences
    .venv/bin/python bench/case_life.py --sequences N [--steps 25] [--seed S]

Prints progress, what the sequences did (events by kind, refused commands), and ends with one
JSON object: ``sequences``, ``steps``, ``refused``, ``events``, ``seconds``, ``failures``.
A failure prints the shrunk sequence that broke an invariant and exits 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, Verbosity, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.integration.case_life_machine import CaseLife


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--long", action="store_true", help="50,000 sequences")
    parser.add_argument("--sequences", type=int, default=2000)
    parser.add_argument("--steps", type=int, default=25, help="at most this many per sequence")
    parser.add_argument("--seed", type=int, default=None, help="a fixed seed (default: random)")
    args = parser.parse_args()
    sequences = 50_000 if args.long else args.sequences

    kinds: Counter[str] = Counter()
    totals = {"sequences": 0, "steps": 0, "refused": 0}
    started = time.perf_counter()
    original = CaseLife.teardown

    def teardown(self: CaseLife) -> None:
        for n in self.svc.recorder.select_notifications(start=1, limit=1_000_000):
            kinds[n.topic.split(":")[-1]] += 1
        totals["sequences"] += 1
        totals["steps"] += self.steps
        totals["refused"] += self.refused
        if totals["sequences"] % 500 == 0:
            rate = totals["sequences"] / (time.perf_counter() - started)
            print(f"  {totals['sequences']:>6} sequences, {totals['steps']} steps "
                  f"({totals['refused']} refused), {rate:.1f} sequences/s", flush=True)
        original(self)

    CaseLife.teardown = teardown  # type: ignore[method-assign]
    if args.seed is not None:
        import random
        random.seed(args.seed)
    failures = 0
    try:
        run_state_machine_as_test(CaseLife, settings=settings(
            max_examples=sequences, stateful_step_count=args.steps, deadline=None,
            database=None, verbosity=Verbosity.normal,
            suppress_health_check=list(HealthCheck)))
    except Exception as exc:  # the shrunk counterexample was printed by hypothesis
        failures = 1
        print(f"FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
    seconds = time.perf_counter() - started
    print("events by kind:")
    for kind, n in kinds.most_common():
        print(f"  {n:>8}  {kind}")
    print(json.dumps({"sequences": totals["sequences"], "steps": totals["steps"],
                      "refused": totals["refused"], "events": sum(kinds.values()),
                      "seconds": round(seconds, 1), "failures": failures}))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
