"""``python -m simulator run --years 3 --places 120 --seeds 5 --scenario FILE ...``

Runs each scenario (a JSON file: one scenario or a list; several ``--scenario`` allowed;
``--method`` alone gives one scenario of that method, the default profile otherwise) over
the seeds, prints one JSON line: the scenarios' measures with confidence intervals. A bad
setting exits with status 2 and a message naming the field.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from simulator.compare import compare
from simulator.profile import SettingError
from simulator.scenario import METHODS, parse_scenario


def _scenarios(args: argparse.Namespace) -> list[Any]:
    values: list[dict[str, Any]] = []
    for path in args.scenario or []:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        values += data if isinstance(data, list) else [data]
    if not values:
        values = [{"method": m, "name": m} for m in (args.method or ["optimizer"])]
    out = []
    for v in values:
        profile = dict(v.get("profile", {}))
        if args.places is not None:
            profile["places"] = args.places
        out.append(parse_scenario({**v, "profile": profile}))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulator")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run scenarios and print their measures as JSON")
    run.add_argument("--years", type=float, default=3.0)
    run.add_argument("--places", type=int, default=None)
    run.add_argument("--seeds", type=int, default=5)
    run.add_argument("--scenario", action="append", help="a JSON scenario file")
    run.add_argument("--method", action="append", choices=METHODS)
    run.add_argument("--progress", action="store_true", help="progress on stderr")
    args = parser.parse_args(argv)
    try:
        scenarios = _scenarios(args)
    except SettingError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except (OSError, json.JSONDecodeError) as e:
        print(f"error: scenario file: {e}", file=sys.stderr)
        return 2

    def progress(share: float) -> None:
        if args.progress:
            print(f"\r{share:6.1%}", end="", file=sys.stderr, flush=True)

    result = compare(scenarios, years=args.years, seeds=args.seeds, progress=progress)
    if args.progress:
        print(file=sys.stderr)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
