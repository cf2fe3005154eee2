"""Simulations run in the background for the page: one worker thread per process (a run is
CPU-bound; a second at once would only share the cores), the jobs kept in memory with
their progress and result. A job belongs to a municipality; another cannot see it."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from simulator.compare import compare
from simulator.scenario import Scenario

#: jobs kept per process (the oldest finished are forgotten first)
KEEP = 20


@dataclass
class Job:
    id: str
    municipality: str
    scenarios: Sequence[Scenario]
    years: float
    seeds: int
    #: what the scenarios start from, in the manager's words (the published figures, or
    #: the municipality's own: :mod:`simulator.baseline`)
    baseline: str = ""
    started: float = field(default_factory=time.time)
    progress: float = 0.0
    result: dict[str, Any] | None = None
    error: str | None = None

    @property
    def done(self) -> bool:
        return self.result is not None or self.error is not None


class Jobs:
    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="simulator")

    def start(self, municipality: str, scenarios: Sequence[Scenario], *, years: float,
              seeds: int, baseline: str = "") -> Job:
        job = Job(uuid.uuid4().hex, municipality, list(scenarios), years, seeds, baseline)
        with self._lock:
            self._jobs[job.id] = job
            finished = [j for j in self._jobs.values() if j.done]
            for old in sorted(finished, key=lambda j: j.started)[:max(0, len(self._jobs)
                                                                       - KEEP)]:
                del self._jobs[old.id]
        self._pool.submit(self._run, job)
        return job

    def _run(self, job: Job) -> None:
        def progress(share: float) -> None:
            job.progress = share

        try:
            job.result = compare(job.scenarios, years=job.years, seeds=job.seeds,
                                 progress=progress)
        except Exception as e:  # shown on the page: the run stopped (an invariant, a refusal)
            job.error = str(e)
        job.progress = 1.0

    def get(self, municipality: str, job_id: str) -> Job | None:
        job = self._jobs.get(job_id)
        return job if job is not None and job.municipality == municipality else None

    def of(self, municipality: str) -> list[Job]:
        return sorted((j for j in self._jobs.values() if j.municipality == municipality),
                      key=lambda j: -j.started)


JOBS = Jobs()
