"""Allocation runs (tildelingsrunder, R17) as the runs list reads them: one small row per run
— when, as of which day, by whom, the problem's hash, how many persons, vacancies and other
providers' places it considered, how many offers it proposed and how many the officers have
approved, changed or rejected so far. The run's problem and plan stay in its events (the
run's own page loads the run); the list never decodes them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.allocation import AllocationRun
from projections.store import Doc, Store

RUN = "lto_rm_run"


def apply_run(store: Store, e: Any) -> None:
    """Fold one event of an allocation run into its row."""
    key = str(e.originator_id)
    if isinstance(e, AllocationRun.Proposed):
        doc: Doc = {
            "run_id": key, "municipality": e.municipality, "at": e.timestamp.isoformat(),
            "as_of": e.as_of.isoformat(), "started_by": e.started_by,
            "problem_hash": e.problem_hash, **e.summary,
            "approved": 0, "changed": 0, "rejected": 0,
        }
    else:
        found = store.get(RUN, key)
        if found is None:
            return
        doc = found
        if isinstance(e, AllocationRun.ItemApproved):
            doc["changed" if e.changed else "approved"] += 1
        elif isinstance(e, AllocationRun.ItemRejected):
            doc["rejected"] += 1
        else:
            return
    store.put(RUN, key, doc["municipality"], doc)


def allocation_runs(store: Store, municipality: str, until: datetime | None = None
                    ) -> list[Doc]:
    """The municipality's runs, oldest first (recorded at or before ``until``, if given)."""
    rows = sorted(store.all(RUN, municipality), key=lambda d: (d["at"], d["run_id"]))
    if until is not None:
        rows = [d for d in rows if datetime.fromisoformat(d["at"]) <= until]
    return rows
