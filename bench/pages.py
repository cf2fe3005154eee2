"""The pages at a large municipality's size (issue 17: "pages answer under 1 s with a
municipality of 4,000 places and 1,500 waiting"): starts the real server on a store (the
service benchmark's Oslo-size store by default, ``bench/service_store.py``), signs in as
the allocation unit's officer and as a manager, and reads each page ``--repeat`` times in a
row, nothing else running. Prints each page's median and slowest time and size, with the
target; the last line is one JSON object (``pages``: name → median ms, ``slowest_ms``,
``all_under_1s``).

    .venv/bin/python bench/pages.py --db PATH [--repeat 5] [--server-workers N]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if sys.path[0] != str(ROOT):
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from api.deps import SESSION_COOKIE  # noqa: E402
from bench import service_store as st  # noqa: E402
from bench.service import manager_token  # noqa: E402

OFFICER = "saksbehandler-oslo"
TARGET_MS = 1000.0


def demo_token(server: st.ServiceProcess) -> str:
    r = httpx.post(f"{server.base}/auth/demo-token", json={"username": OFFICER}, timeout=60)
    r.raise_for_status()
    return str(r.json()["access_token"])


def timed(client: httpx.Client, path: str, repeat: int) -> dict[str, Any]:
    times, size = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = client.get(path)
        times.append((time.perf_counter() - t0) * 1000)
        if r.status_code != 200:
            raise RuntimeError(f"{path}: {r.status_code} {r.text[:300]}")
        size = len(r.content)
    return {"median_ms": round(statistics.median(times), 1), "slowest_ms": round(max(times), 1),
            "bytes": size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--server-workers", type=int, default=1)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    extra = ["--workers", str(args.server_workers)] if args.server_workers > 1 else []
    server = st.ServiceProcess(st.sqlite_env(args.db), tmp / "data", args=extra)
    server.start_timed(demo_token)
    try:
        officer = httpx.Client(base_url=server.base, timeout=120,
                               cookies={SESSION_COOKIE: demo_token(server)})
        manager = httpx.Client(base_url=server.base, timeout=120,
                               cookies={SESSION_COOKIE: manager_token(tmp / "data", 0)})
        listing = officer.get("/venteliste").text
        case = re.search(r'href="(/saker/[0-9a-f-]{36})"', listing)
        run = officer.get("/tildeling").text
        proposal = re.search(r'href="(/tildeling/[0-9a-f-]{36})"', run)
        pages = {"venteliste": (officer, "/venteliste"),
                 "venteliste, side 10": (officer, "/venteliste?fra=900&antall=100"),
                 "ledige plasser": (officer, "/ledige-plasser"),
                 "arbeidslister": (officer, "/arbeidslister"),
                 "sak": (officer, case.group(1) if case else "/venteliste"),
                 "tildeling": (officer, "/tildeling"),
                 "frister": (officer, "/frister"),
                 "ledelse: frister": (manager, "/ledelse/frister"),
                 "ledelse: statistikk": (manager, "/ledelse/statistikk"),
                 "ledelse: aktivitet": (manager, "/ledelse/aktivitet"),
                 "ledelse: ledige plasser": (manager, "/ledelse/ledige-plasser")}
        if proposal:
            pages["tildelingsforslag"] = (officer, proposal.group(1))
        out = {name: timed(client, path, args.repeat) for name, (client, path) in pages.items()}
    finally:
        server.stop()
    slowest = max(v["slowest_ms"] for v in out.values())
    for name, v in out.items():
        met = "met" if v["median_ms"] < TARGET_MS else "NOT met"
        print(f"  {name:<26} {v['median_ms']:>8} ms (slowest {v['slowest_ms']} ms, "
              f"{v['bytes']:,} bytes)   target < 1 s  {met}")
    print(json.dumps({"pages": {k: v["median_ms"] for k, v in out.items()},
                      "slowest_ms": slowest,
                      "all_under_1s": all(v["median_ms"] < TARGET_MS for v in out.values())}))


if __name__ == "__main__":
    main()
