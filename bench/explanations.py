"""Explanations against the independent checker on many random problems (not a test).

    .venv/bin/python bench/explanations.py [--n 100000] [--seed 0]

Solves ``--n`` small random problems (the test suite's generators: couples, double rooms,
accompanying spouses, resident spouses, urgent persons, persons not assessed, purchases, kinds of
facility, own stock lacking a type) and checks every fact of every explanation with
``optimizer.check.check_explanations``.  Prints progress to stderr and ends with one JSON line:
``{"problems": N, "false_claims": 0, "seconds": ...}`` (plus the first false claims, if any).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimizer import check_explanations, solve
from tests.optimizer.test_explanations import small_random_problem


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000, help="number of random problems")
    ap.add_argument("--seed", type=int, default=0, help="first seed")
    args = ap.parse_args()
    t0 = time.perf_counter()
    false_claims = 0
    examples: list[str] = []
    facts = 0
    step = max(1, args.n // 20)
    for i in range(args.n):
        seed = args.seed + i
        prob = small_random_problem(seed)
        plan = solve(prob)
        facts += sum(len(e.facts) for e in plan.explanations)
        found = check_explanations(prob, plan)
        false_claims += len(found)
        examples += [f"seed {seed}: {m}" for m in found[: max(0, 10 - len(examples))]]
        if (i + 1) % step == 0:
            print(f"{i + 1:>8d} problems, {facts} facts, {false_claims} false claims, "
                  f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)
    out: dict[str, object] = {"problems": args.n, "false_claims": false_claims,
                              "seconds": round(time.perf_counter() - t0, 1), "facts": facts}
    if examples:
        out["examples"] = examples
    print(json.dumps(out))


if __name__ == "__main__":
    main()
