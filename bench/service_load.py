"""The load of the service benchmark (``bench/service.py``): an asyncio client
(``httpx.AsyncClient``) against the real service, closed loop (each user sends its next
request when the last one is answered; no think time).

**Users.** Officers of the allocation unit (``saksbehandler-oslo``, a demo token each) and
managers (one in ten users, at least one; a manager of 0301 has no demo user, so their
tokens are signed with the server's local issuer key, as the issuer signs any). Each user
has its own ``AsyncClient``, as a browser session has its own connection and cookies: a
write answers with its read position (``lto_position`` cookie), and that user's later
reads wait until the read models hold it (read-your-writes, as the pages do).

**An officer's mix** (weights per step): a case page (``GET /cases/{id}``: state,
documentation, decisions, offers) 34, its history 13, a page of the waiting list 16 (the
first page more often than the others), the vacancy board 10, the allocation runs 3, a
case's access log ("who saw my case") 4; and writes, about 10 % of the requests: the
relatives' information 2, the person's own account 1.5, interim services (R14) 1.5, a
priority assessment (R16/R17) 1.5, wishes 1, and an offer of a vacant own place that is
then withdrawn 1 (two writes). Reads name any case on the waiting list; writes only the
user's own share of them (and offers its own share of the vacant places), so no two users
write the same case or place: any answer that is not 2xx is an error. Every write carries
an ``Idempotency-Key``.

**A manager's mix**: statistics for 24 months (R13) 45, the deadline monitor 45, the
activity report (R22) 10.

**Beside the users**: ``GET /health`` once every 0.1 s (the floor: what any answer costs
under this load) and, a third into the load, one allocation run (``POST /allocation-runs``
as an officer, timed end to end).

The figures measured alone, before the load, are ``bench/service.py``'s (``alone``).
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

CASEWORK, MANAGEMENT, HEALTH, ALLOCATION, ALONE = (
    "casework", "management", "health", "allocation", "alone")
TIMEOUT = httpx.Timeout(120.0)
HEALTH_EVERY_S = 0.1


# --- recording ----------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    name: str
    ms: float
    status: int  # 0: no answer (the connection failed or timed out)
    end: float  # time.perf_counter() when answered


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def add(self, kind: str, name: str, ms: float, status: int, detail: str = "") -> None:
        self.samples.append(Sample(kind, name, ms, status, time.perf_counter()))
        if not 200 <= status < 300:
            self.errors[f"{status} {name}"] += 1
            if len(self.examples) < 20:
                self.examples.append(f"{kind} {name}: {status} {detail[:400]}")

    def of(self, *kinds: str) -> list[Sample]:
        return [s for s in self.samples if s.kind in kinds]


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least ``p`` % of the values at or below."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


async def call(client: httpx.AsyncClient, rec: Recorder, kind: str, name: str, method: str,
               url: str, **kwargs: Any) -> httpx.Response | None:
    """One request, timed and recorded; None when it got no answer."""
    t0 = time.perf_counter()
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        rec.add(kind, name, (time.perf_counter() - t0) * 1000, 0, repr(exc))
        return None
    ms = (time.perf_counter() - t0) * 1000
    ok = 200 <= response.status_code < 300
    rec.add(kind, name, ms, response.status_code,
            "" if ok else f"{method} {url}: {response.text}")
    return response


def write_headers() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


# --- what the users work on ------------------------------------------------------------------


@dataclass
class World:
    """What the users work on, read through the API before the load."""

    cases: list[dict[str, Any]]  # the waiting list's entries
    places: list[dict[str, Any]]  # the vacancy board's own places
    facilities: list[str]
    waiting: int
    first_month: str  # the statistics' 24 months (up to the history's last event)
    last_month: str
    year: int  # the activity report's

    @property
    def pages(self) -> int:
        return max(1, -(-self.waiting // 100))


async def fetch_world(client: httpx.AsyncClient, first_month: str, last_month: str,
                      year: int) -> World:
    """The whole waiting list and vacancy board, 1,000 rows a page (as the officer)."""
    cases: list[dict[str, Any]] = []
    while True:
        r = await client.get("/waiting-list", params={"offset": len(cases), "limit": 1000})
        r.raise_for_status()
        data = r.json()
        cases += data["entries"]
        if not data["entries"] or len(cases) >= data["total"]:
            break
    places: list[dict[str, Any]] = []
    while True:
        r = await client.get("/vacancy-board", params={"offset": len(places), "limit": 1000})
        r.raise_for_status()
        data = r.json()
        places += data["places"]
        if not data["places"] or len(places) >= data["total"]:
            break
    facilities = sorted({p["facility_id"] for p in places}) or ["f00"]
    return World(cases, places, facilities, len(cases), first_month, last_month, year)


def offerable(case: dict[str, Any]) -> bool:
    """A case an offer may be made to and withdrawn again without touching anyone else's
    (no spouse: R10 would ask where the spouse lives; no offer outstanding)."""
    return (case.get("spouse_case_id") is None and case.get("outstanding_offer") is None
            and case.get("place_type") is not None and case.get("decision_kind") ==
            "waiting_list" and case.get("breach_choice") is None)


def fits(place: dict[str, Any], case: dict[str, Any]) -> bool:
    """A reinforced place only for a reinforced decision; any other with the reasons."""
    return place["place_type"] != "reinforced" or case["place_type"] == "reinforced"


# --- the users ------------------------------------------------------------------------------

Action = Callable[[], Awaitable[None]]


class User:
    kind = CASEWORK

    def __init__(self, client: httpx.AsyncClient, rec: Recorder, world: World,
                 rng: random.Random) -> None:
        self.client, self.rec, self.world, self.rng = client, rec, world, rng
        self.mix: list[tuple[Action, float]] = []

    async def get(self, name: str, url: str, **params: Any) -> httpx.Response | None:
        return await call(self.client, self.rec, self.kind, name, "GET", url, params=params)

    async def write(self, name: str, method: str, url: str, body: dict[str, Any]
                    ) -> httpx.Response | None:
        return await call(self.client, self.rec, self.kind, name, method, url, json=body,
                          headers=write_headers())

    async def step(self) -> None:
        actions, weights = zip(*self.mix, strict=True)
        await self.rng.choices(actions, weights)[0]()


class Officer(User):
    kind = CASEWORK

    def __init__(self, client: httpx.AsyncClient, rec: Recorder, world: World,
                 rng: random.Random, own_cases: list[dict[str, Any]],
                 own_places: list[dict[str, Any]]) -> None:
        super().__init__(client, rec, world, rng)
        self.own = own_cases or world.cases[:1]
        self.offerable = [c for c in own_cases if offerable(c)]
        self.places = [p for p in own_places
                       if p["status"] == "vacant" and p["free_beds"] > 0]
        self.mix = [(self.case_page, 34), (self.history, 13), (self.waiting_list, 16),
                    (self.vacancy_board, 10), (self.runs, 3), (self.access_log, 4),
                    (self.relatives, 2), (self.own_account, 1.5), (self.interim, 1.5),
                    (self.priority, 1.5), (self.wishes, 1), (self.offer, 1)]

    def any_case(self) -> str:
        return str(self.rng.choice(self.world.cases)["case_id"])

    def own_case(self) -> str:
        return str(self.rng.choice(self.own)["case_id"])

    async def case_page(self) -> None:
        await self.get("case", f"/cases/{self.any_case()}")

    async def history(self) -> None:
        await self.get("case_history", f"/cases/{self.any_case()}/history")

    async def access_log(self) -> None:
        await self.get("case_access_log", f"/cases/{self.any_case()}/access-log")

    async def waiting_list(self) -> None:
        page = 0 if self.rng.random() < 0.6 else self.rng.randrange(self.world.pages)
        await self.get("waiting_list", "/waiting-list", offset=page * 100, limit=100)

    async def vacancy_board(self) -> None:
        await self.get("vacancy_board", "/vacancy-board", limit=100)

    async def runs(self) -> None:
        await self.get("runs_list", "/allocation-runs")

    async def relatives(self) -> None:
        await self.write("relatives", "POST", f"/cases/{self.own_case()}/documentation/"
                         "relatives", {"name": "Kari", "relation": "datter",
                                       "information": "Ringte: bekymret for natten"})

    async def own_account(self) -> None:
        await self.write("own_account", "POST", f"/cases/{self.own_case()}/documentation/"
                         "own-account", {"what_matters": "Å bo nær familien",
                                         "account": "Klarer seg dårligere om natten nå"})

    async def interim(self) -> None:
        await self.write("interim_services", "POST", f"/cases/{self.own_case()}/"
                         "interim-services", {"services": [
                             {"service": "hjemmesykepleie", "extent": "tre besøk daglig"},
                             {"service": "trygghetsalarm", "extent": "døgnet rundt"}]})

    async def priority(self) -> None:
        factors = {"function": self.rng.randint(0, 4),
                   "cognitive_failure": self.rng.randint(0, 4)}
        await self.write("priority", "POST", f"/cases/{self.own_case()}/priority", {
            "factors": factors, "need_score": self.rng.randint(10, 95),
            "departure_reason": "Faglig skjønn etter hjemmebesøk"})

    async def wishes(self) -> None:
        chosen = self.rng.sample(self.world.facilities, min(3, len(self.world.facilities)))
        await self.write("wishes", "PUT", f"/cases/{self.own_case()}/wishes",
                         {"facility_ids": chosen})

    async def offer(self) -> None:
        """An own place offered, then withdrawn (the place is free again)."""
        if not self.offerable or not self.places:
            await self.relatives()
            return
        case = self.rng.choice(self.offerable)
        fitting = [p for p in self.places if fits(p, case)]
        if not fitting:
            await self.relatives()
            return
        place = self.rng.choice(fitting)
        url = f"/cases/{case['case_id']}/offers"
        r = await self.write("offer", "POST", url, {
            "place_id": place["place_id"], "type_reason": "Nærmest familien",
            "unsuitable_reason": "Eneste ledige plass nå; personen ønsker den"})
        if r is None or r.status_code != 201:
            return
        offer_id = r.json()["offer_id"]
        await self.write("offer_withdraw", "POST", f"{url}/{offer_id}/withdraw",
                         {"reason": "Plassen trengs til en hastesak"})


class Manager(User):
    kind = MANAGEMENT

    def __init__(self, client: httpx.AsyncClient, rec: Recorder, world: World,
                 rng: random.Random) -> None:
        super().__init__(client, rec, world, rng)
        self.mix = [(self.statistics, 45), (self.deadline_monitor, 45), (self.activity, 10)]

    async def statistics(self) -> None:
        await self.get("statistics_24_months", "/statistics",
                       first_month=self.world.first_month, last_month=self.world.last_month)

    async def deadline_monitor(self) -> None:
        await self.get("deadline_monitor", "/deadline-monitor", limit=100)

    async def activity(self) -> None:
        await self.get("activity_report", "/activity-report", year=self.world.year)


# --- the run ----------------------------------------------------------------------------------


def client(base: str, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"},
                             timeout=TIMEOUT)


async def allocation_run(c: httpx.AsyncClient, rec: Recorder, kind: str) -> float | None:
    """One allocation run (``confirm_unassessed``: persons without an assessment do not
    stop it, R16), end to end: seconds, or None when it failed."""
    t0 = time.perf_counter()
    r = await call(c, rec, kind, "allocation_run", "POST", "/allocation-runs",
                   json={"confirm_unassessed": True}, headers=write_headers())
    seconds = time.perf_counter() - t0
    return seconds if r is not None and r.status_code == 201 else None


async def load(base: str, officer_tokens: list[str], manager_tokens: list[str],
               world: World, rec: Recorder, seconds: float, seed: int,
               sample_rss: Callable[[], float], server_cpu: Callable[[], float],
               machine_busy: Callable[[], float]) -> dict[str, Any]:
    """``len(officer_tokens) + len(manager_tokens)`` users for ``seconds``, the health
    probe, one allocation run a third in, and the server's memory sampled every second.
    The CPU seconds the server, this client and the whole machine used meanwhile tell
    whether the machine's two cores were the limit, and whose work filled them (others':
    another program on a shared machine disturbs the figures)."""
    rng = random.Random(seed)
    officers = len(officer_tokens)
    shares: list[list[dict[str, Any]]] = [[] for _ in range(officers)]
    for i, case in enumerate(world.cases):
        shares[i % officers].append(case)
    vacant = [p for p in world.places if p["status"] == "vacant" and p["free_beds"] > 0]
    place_shares: list[list[dict[str, Any]]] = [[] for _ in range(officers)]
    for i, place in enumerate(vacant):
        place_shares[i % officers].append(place)

    clients = [client(base, t) for t in (*officer_tokens, *manager_tokens)]
    users: list[User] = [
        Officer(clients[i], rec, world, random.Random(rng.random()), shares[i],
                place_shares[i]) for i in range(officers)]
    users += [Manager(c, rec, world, random.Random(rng.random()))
              for c in clients[officers:]]
    t0 = time.perf_counter()
    end = t0 + seconds
    stop = asyncio.Event()
    run: dict[str, Any] = {}
    peak = [0.0]

    async def work(user: User) -> None:
        while time.perf_counter() < end:
            await user.step()

    async def health(c: httpx.AsyncClient) -> None:
        while not stop.is_set():
            await call(c, rec, HEALTH, "health", "GET", "/health")
            await asyncio.sleep(HEALTH_EVERY_S)

    async def run_once(c: httpx.AsyncClient) -> None:
        await asyncio.sleep(seconds / 3)
        run["allocation_run_under_load_s"] = await allocation_run(c, rec, ALLOCATION)

    async def memory() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], await asyncio.to_thread(sample_rss))
            await asyncio.sleep(1.0)

    async with client(base, officer_tokens[0]) as side, client(base, officer_tokens[0]) as hc:
        probes = [asyncio.create_task(health(hc)), asyncio.create_task(memory())]
        running = asyncio.create_task(run_once(side))
        cpu0, client0, busy0 = server_cpu(), time.process_time(), machine_busy()
        await asyncio.gather(*(work(u) for u in users))
        elapsed = time.perf_counter() - t0
        cpu, client_cpu = server_cpu() - cpu0, time.process_time() - client0
        busy = machine_busy() - busy0
        await running
        stop.set()
        await asyncio.gather(*probes)
    for c in clients:
        await c.aclose()

    casework = [s.ms for s in rec.of(CASEWORK)]
    mix = [s.ms for s in rec.of(CASEWORK, MANAGEMENT)]
    writes = [s for s in rec.of(CASEWORK) if s.name in WRITES]
    under = run.get("allocation_run_under_load_s")
    return {
        "load_seconds": round(elapsed, 1),
        "casework_requests": len(casework),
        "casework_p50_ms": round(percentile(casework, 50), 1),
        "casework_p95_ms": round(percentile(casework, 95), 1),
        "casework_rps": round(len(casework) / elapsed, 1),
        "writes": len(writes),
        "writes_share": round(len(writes) / max(1, len(casework)), 3),
        "management_requests": len(rec.of(MANAGEMENT)),
        "management_p95_ms": round(percentile([s.ms for s in rec.of(MANAGEMENT)], 95), 1),
        "fullmix_requests": len(mix),
        "fullmix_p50_ms": round(percentile(mix, 50), 1),
        "fullmix_p95_ms": round(percentile(mix, 95), 1),
        "fullmix_rps": round(len(mix) / elapsed, 1),
        "health_p50_ms": round(percentile([s.ms for s in rec.of(HEALTH)], 50), 1),
        "health_p95_ms": round(percentile([s.ms for s in rec.of(HEALTH)], 95), 1),
        "allocation_run_under_load_s": None if under is None else round(under, 3),
        "memory_peak_sampled_mb": round(peak[0], 1),
        "server_cpu_cores": round(cpu / elapsed, 2),  # CPU seconds per second of load
        "client_cpu_cores": round(client_cpu / elapsed, 2),
        "others_cpu_cores": round(max(0.0, busy - cpu - client_cpu) / elapsed, 2),
    }


WRITES = frozenset({"relatives", "own_account", "interim_services", "priority", "wishes",
                    "offer", "offer_withdraw"})


def by_name(rec: Recorder, *kinds: str) -> dict[str, dict[str, float]]:
    """Per request name: count, p50 and p95 (ms)."""
    names: dict[str, list[float]] = {}
    for s in rec.of(*kinds):
        names.setdefault(s.name, []).append(s.ms)
    return {n: {"n": len(v), "p50_ms": round(percentile(v, 50), 1),
                "p95_ms": round(percentile(v, 95), 1)} for n, v in sorted(names.items())}
