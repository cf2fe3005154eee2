"""Fault injection (issue 15, "How we will know"): the service as a real process
(``python -m api``), killed with SIGKILL at random moments while a client writes, restarted;
the client retries every request it has no answer for, with the same ``Idempotency-Key``
and body. Then the store itself is examined. Shared by ``tests/faults/test_kill9.py`` (a
small run in the suite) and ``bench/faults.py`` (1,000 writes, 10 kills, both stores).

**The client** (:class:`Workload`): a few threads, each playing case stories one request
at a time — a place, an application, the § 2-2 documentation, a waiting-list decision, a
priority, sometimes wishes, an offer, sometimes a decline and a second offer, the answer,
mostly an admission — each write with a fresh key. A request that gets no answer (the
connection refused, reset or cut short) or a 503 is sent again, unchanged, until it is
answered. Any other answer is final; a story whose step is not acknowledged (not 2xx)
stops there (and the answer is reported as unexpected). Every tenth write is sent once more
after its answer, as if that answer had been lost on its way: whether a kill lands after a
commit and before the answer is chance, this retry of a committed write is not; it must
write nothing and answer as the first time.

**The kills** (:func:`run_faults`): ``kills`` moments are drawn among the writes. At each,
the client is held before the drawn write (the requests already sent stay in flight), the
server is killed after a random 0–30 ms — mid-request, mid-commit, mid-catch-up, wherever
it is — the client is let go (its next requests meet a dead server and are retried), and the
server is started again on the same store and port.

**The examination** (:func:`examine`), on the store itself, opened with the application:

- ``acknowledged_lost``: writes the client got a 2xx for that are not in the log (no event
  carries the request's command id ``{municipality}:{operation}:{key}``; for an application
  or an offer: not the case or offer the answer named);
- ``duplicates``: requests that wrote more than once (their events in more than one save),
  and persons with more than one case (each application names a new person);
- ``writes_without_log_entry``: saves of a case (a person's data) not carrying their
  access-log entry: the save must end with an ``AccessLogEntry.Recorded`` (allowed, "saved
  with the write", naming every case the save wrote), nothing of another save between
  (:func:`saves`);
- ``read_model_diffs``: rows (table by table, every version) in which the read models the
  server left, brought up to the log's end as a restart would, differ from a rebuild of the
  whole log.

A save is told from the log alone: a save's rows are written in one transaction, and while
it holds the store's write lock no other save's rows come between them (SQLite: one writer;
PostgreSQL: eventsourcing locks the events table). So the events of one request form one
run in notification order, interrupted only by events without a command id that the same
save carries (a person's register created with the case, the municipality's policy created
by its first decision); the access-log entry saved with the write closes the run.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Generator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

import httpx

from application.idempotency import IdempotencyKey
from application.service import AllocationService
from domain.access import AccessLogEntry
from domain.case import Case
from domain.values import IPLOS_VARIABLES
from projections.read_side import ReadSide
from projections.store import ALL_TABLES
from tests.builders import person_number

ROOT = Path(__file__).resolve().parents[2]
MUNICIPALITY = "4601"
#: The local issuer's demo user for the allocation unit of 4601.
OFFICER = "saksbehandler"
#: Variables of the test's own environment that must not reach the server.
_OWN_SETTINGS = ("LTO_", "PERSISTENCE_", "SQLITE_", "POSTGRES_", "CIPHER_")
#: How long a request is retried without any answer before the run gives up (the server
#: did not come back: a failure of the run, not a timing assertion).
GIVE_UP_S = 120.0

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the server -----------------------------------------------------------------------


class Server:
    """``python -m api --no-seed`` as a child process on one free port, on the store of
    ``store_env`` (eventsourcing's variables), its data folder (the local issuer's key)
    in ``data_dir`` and its output appended to ``data_dir/server.log``; ``args`` are more
    of ``python -m api``'s arguments (``["--workers", "2"]``)."""

    def __init__(self, store_env: dict[str, str], data_dir: Path,
                 args: Sequence[str] = ()) -> None:
        self.args = list(args)
        data_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / "server.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith(_OWN_SETTINGS)}
        path = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
        env.update(store_env)
        env.update({"LTO_DEMO": "false", "LTO_DATA_DIR": str(data_dir),
                    "LTO_HOST": "127.0.0.1", "LTO_PORT": str(self.port),
                    "LTO_DEADLINE_CHECK_INTERVAL_S": "0", "LTO_LOG_LEVEL": "warning",
                    "PYTHONPATH": path})
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, timeout: float = 60.0) -> None:
        """Start the server and wait until ``/health`` answers."""
        with self.log_path.open("ab") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "api", "--no-seed",
                                             *self.args],
                                            cwd=ROOT, env=self.env, stdout=out,
                                            stderr=subprocess.STDOUT)
        self.starts += 1
        deadline = time.monotonic() + timeout
        while True:
            code = self.process.poll()
            if code is not None:
                raise RuntimeError(f"the server exited with {code}:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base}/health", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer within {timeout} s:\n"
                                   f"{self.log_tail()}")
            time.sleep(0.05)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, no cleanup."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        """A clean stop (SIGTERM), or SIGKILL if it does not stop."""
        if not self.alive():
            return
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


# --- the client -----------------------------------------------------------------------

Step = tuple[str, str, str, dict[str, Any]]
_rooms = count(1)
_FACILITIES = ("fjellheim", "solbakken", "havblikk")
_NAMES = ("Astrid Lie", "Bjørn Dahl", "Kari Nordmann", "Nils Haugen", "Marit Vik",
          "Ola Berg", "Ingrid Moe", "Per Lund")


def case_story(rng: random.Random) -> Generator[Step, Any, None]:
    """One person's way from application to admission, one write at a time: each ``yield``
    is (kind, method, path, body), and is sent the answer's JSON."""
    facility = rng.choice(_FACILITIES)
    place = yield ("place", "POST", "/places", {
        "facility_id": facility, "facility_name": facility.title(),
        "facility_kind": "nursing_home", "unit": "A", "room": str(next(_rooms)),
        "place_type": "ordinary", "room_kind": "single"})
    application = yield ("application", "POST", "/cases", {
        "identity_number": person_number(), "name": rng.choice(_NAMES)})
    case = f"/cases/{application['case_id']}"
    docs = f"{case}/documentation"
    yield ("documentation", "POST", f"{docs}/own-account", {
        "what_matters": "Å bo nær datteren", "account": "Faller om natten"})
    if rng.random() < 0.2:
        yield ("documentation", "POST", f"{docs}/no-relatives", {
            "statement": "Ingen pårørende eller verge å spørre"})
    else:
        yield ("documentation", "POST", f"{docs}/relatives", {
            "name": "Kari", "relation": "datter", "information": "Bekymret for natten"})
    yield ("documentation", "POST", f"{docs}/iplos", {
        "scores": dict.fromkeys(IPLOS_VARIABLES, rng.randint(3, 5)),
        "assessed_by": "sykepleier"})
    yield ("documentation", "POST", f"{docs}/medical", {
        "source": "gp", "summary": rng.choice(("Hjertesvikt", "KOLS", "Hoftebrudd"))})
    yield ("documentation", "POST", f"{docs}/leon", {"entries": [
        {"measure": "extended_home_services", "status": "tried", "outcome": "ikke nok"}]})
    yield ("decision", "POST", f"{case}/decisions", {
        "kind": "waiting_list", "grounds": "Varig behov for heldøgns omsorg",
        "place_type": "ordinary", "can_be_cared_for_safely_at_home": True,
        "interim_services": [{"service": "hjemmesykepleie", "extent": "tre besøk daglig"}]})
    yield ("priority", "POST", f"{case}/priority", {
        "factors": {"function": 3}, "need_score": rng.randint(10, 90),
        "departure_reason": "Faglig skjønn etter hjemmebesøk"})
    if rng.random() < 0.5:
        yield ("wishes", "PUT", f"{case}/wishes", {"facility_ids": [facility]})
    offer = yield ("offer", "POST", f"{case}/offers", {"place_id": place["place_id"]})
    if rng.random() < 0.3:
        yield ("answer", "POST", f"{case}/offers/{offer['offer_id']}/answer", {
            "answer": "decline", "reason": "Vil vente på et annet sted"})
        offer = yield ("offer", "POST", f"{case}/offers", {"place_id": place["place_id"]})
    yield ("answer", "POST", f"{case}/offers/{offer['offer_id']}/answer", {"answer": "accept"})
    if rng.random() < 0.8:
        yield ("admission", "POST", f"{case}/offers/{offer['offer_id']}/admission", {})


@dataclass
class Sent:
    """One write: what was sent (the same on every attempt) and its final answer."""

    kind: str
    method: str
    path: str
    body: dict[str, Any]
    key: str
    status: int | None = None
    answer: Any = None
    attempts: int = 0
    #: attempts cut short by a kill after the request was sent (not a refused connection)
    interrupted: int = 0
    #: when the first such attempt was seen cut short (just after the kill)
    cut_at: datetime | None = None
    #: sent once more after its answer (the answer "lost"); and that answer if it differed
    resent: bool = False
    resent_answer: str | None = None

    @property
    def acknowledged(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class Slots:
    """The writes the client may still send, and a gate the kills hold it at."""

    def __init__(self, total: int, workers: int) -> None:
        self.total = total
        self.claimed = 0
        self.answered = 0
        self.live = workers
        self.gate: int | None = None
        self.stopped = False
        self.cond = threading.Condition()

    def claim(self) -> bool:
        """Take the next write (waiting while the gate is closed); False when none is left."""
        with self.cond:
            while self.gate is not None and self.claimed >= self.gate:
                self.cond.wait()
            if self.claimed >= self.total or self.stopped:
                return False
            self.claimed += 1
            self.cond.notify_all()
            return True

    def done(self) -> None:
        with self.cond:
            self.answered += 1

    def exited(self) -> None:
        with self.cond:
            self.live -= 1
            self.cond.notify_all()

    def hold_at(self, gate: int) -> None:
        """Let writes up to ``gate`` be sent, and hold the next one."""
        with self.cond:
            self.gate = gate
            self.cond.notify_all()

    def reached(self) -> bool:
        """Wait until every write before the gate has been sent (False: no client left)."""
        with self.cond:
            self.cond.wait_for(lambda: self.gate is None or self.claimed >= self.gate
                               or self.live == 0)
            return self.live > 0

    def release(self) -> None:
        with self.cond:
            self.gate = None
            self.cond.notify_all()

    def stop(self) -> None:
        with self.cond:
            self.stopped = True
            self.gate = None
            self.cond.notify_all()

    def in_flight(self) -> int:
        with self.cond:
            return self.claimed - self.answered


class Workload:
    """``workers`` client threads sending ``writes`` writes in case stories, each retried
    with its key and body until answered."""

    def __init__(self, base: str, token: str, *, writes: int, workers: int, seed: int,
                 resend_every: int = 10) -> None:
        self.base = base
        self.headers = {"Authorization": f"Bearer {token}"}
        self.slots = Slots(writes, workers)
        self.workers = workers
        self.seed = seed
        self.resend_every = resend_every
        self._count = count(1)
        self.stopped = threading.Event()
        self.sent: list[Sent] = []
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for index in range(self.workers):
            thread = threading.Thread(target=self._work, args=(index,), name=f"client-{index}",
                                      daemon=True)
            thread.start()
            self._threads.append(thread)

    def join(self) -> None:
        for thread in self._threads:
            thread.join()
        if self.errors:
            raise self.errors[0]

    def _work(self, index: int) -> None:
        rng = random.Random(f"{self.seed}/{index}")
        try:
            with httpx.Client(base_url=self.base, headers=self.headers,
                              timeout=httpx.Timeout(60.0, connect=2.0)) as http:
                while self._story(http, rng):
                    pass
        except BaseException as exc:  # surfaced by join
            self.errors.append(exc)
        finally:
            self.slots.exited()

    def _story(self, http: httpx.Client, rng: random.Random) -> bool:
        """Play one story as far as it goes; False when no write is left."""
        story = case_story(rng)
        step = next(story)
        while True:
            if not self.slots.claim():
                return False
            kind, method, path, body = step
            sent = Sent(kind, method, path, body, str(uuid.UUID(int=rng.getrandbits(128),
                                                                version=4)))
            with self._lock:
                self.sent.append(sent)
            self.send(http, sent)
            if sent.acknowledged and next(self._count) % self.resend_every == 0:
                self._resend(http, sent)
            self.slots.done()
            if not sent.acknowledged:
                return True  # the story cannot go on without the answer
            try:
                step = story.send(sent.answer)
            except StopIteration:
                return True

    def _resend(self, http: httpx.Client, sent: Sent) -> None:
        """The answer to ``sent`` lost on its way (as if the connection broke after the
        server committed): the same request again, which must write nothing and answer
        as the first time."""
        again = Sent(sent.kind, sent.method, sent.path, sent.body, sent.key)
        self.send(http, again)
        sent.resent = True
        if (again.status, again.answer) != (sent.status, sent.answer):
            sent.resent_answer = f"{again.status} {again.answer}"

    def abort(self) -> None:
        """Stop the client threads at their next request (the run failed)."""
        self.stopped.set()
        self.slots.stop()

    def send(self, http: httpx.Client, sent: Sent) -> None:
        """Send until answered: a refused or broken connection, or a 503, is tried again
        with the same key and body."""
        since = time.monotonic()
        while True:
            if self.stopped.is_set():
                raise RuntimeError("the run was aborted")
            if time.monotonic() - since > GIVE_UP_S:
                raise RuntimeError(f"no answer to {sent.method} {sent.path} for "
                                   f"{GIVE_UP_S} s")
            sent.attempts += 1
            try:
                response = http.request(sent.method, sent.path, json=sent.body,
                                        headers={"Idempotency-Key": sent.key})
            except httpx.TransportError as exc:
                if not isinstance(exc, httpx.ConnectError):
                    sent.interrupted += 1
                    sent.cut_at = sent.cut_at or datetime.now(UTC)
                time.sleep(0.02)
                continue
            if response.status_code == 503:
                time.sleep(0.1)
                continue
            sent.status = response.status_code
            try:
                sent.answer = response.json()
            except ValueError:
                sent.answer = response.text
            return


# --- one run ----------------------------------------------------------------------------


@dataclass
class Figures:
    """What one run did and found. The four counts are expected 0."""

    store: str
    #: the run's seed (the kills' moments, the stories); ``LTO_FAULTS_SEED`` in the test
    seed: int = 0
    acknowledged_lost: int = 0
    duplicates: int = 0
    writes_without_log_entry: int = 0
    read_model_diffs: int = 0
    writes: int = 0
    acknowledged: int = 0
    kills: int = 0
    #: requests sent more than once (the connection refused or cut short, or a 503)
    retried: int = 0
    #: attempts cut short by a kill after they were sent
    interrupted: int = 0
    #: writes sent but not answered when the kills came (summed over the kills)
    in_flight_at_kills: int = 0
    #: of the requests a kill cut short, those it cut after their write was committed
    #: (the answer lost: the retry must find the write and answer as the first time) and
    #: those it cut after the key was reserved but before the write (the retry must write)
    committed_unanswered: int = 0
    reserved_unwritten: int = 0
    #: writes sent once more after their answer, as if it had been lost on its way (every
    #: tenth), and those whose second answer differed from the first
    resent: int = 0
    resent_other_answer: list[str] = field(default_factory=list)
    #: final answers that were not 2xx (each a story that could not go on), "status kind"
    unexpected_answers: list[str] = field(default_factory=list)
    #: a weaker count than ``writes_without_log_entry``, for telling why: writes of a
    #: case whose entry is nowhere in the log (not merely in another transaction)
    writes_without_any_entry: int = 0
    #: requests answered with a refusal whose command is in the log all the same
    refused_but_written: int = 0
    events: int = 0
    #: notifications the read models had not applied when the server stopped
    read_model_lag: int = 0
    seconds: float = 0.0
    #: what each count is made of, for the report (event and table names, keys)
    details: dict[str, list[str]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {"acknowledged_lost": self.acknowledged_lost, "duplicates": self.duplicates,
                "writes_without_log_entry": self.writes_without_log_entry,
                "read_model_diffs": self.read_model_diffs}

    def summary(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("details")
        out["seconds"] = round(self.seconds, 1)
        return out

    def report(self) -> str:
        return json.dumps({**self.summary(), "details": self.details}, ensure_ascii=False,
                          indent=1)


def run_faults(store: str, store_env: dict[str, str], data_dir: Path, *, writes: int,
               kills: int, workers: int = 4, seed: int | None = None,
               progress: Progress = _quiet) -> Figures:
    """Start the service on the store, send ``writes`` writes with ``kills`` SIGKILLs at
    random moments among them (each followed by a restart), stop it, and examine the
    store (:func:`examine`)."""
    if not 0 <= kills <= writes // 2:
        raise ValueError("at most one kill per two writes")
    seed = random.randrange(2**32) if seed is None else seed
    rng = random.Random(seed)
    started = time.perf_counter()
    # kills among the writes, not in the first or last few
    first, last = max(1, writes // 20), max(2, writes - writes // 10)
    gates = sorted(rng.sample(range(first, max(last, first + kills)), kills))
    server = Server(store_env, data_dir)
    progress(f"{store}: seed {seed}; {writes} writes, kills before writes {gates}")
    server.start()
    figures = Figures(store, seed)
    workload: Workload | None = None
    try:
        token = httpx.post(f"{server.base}/auth/demo-token", json={"username": OFFICER},
                           timeout=10).json()["access_token"]
        workload = Workload(server.base, token, writes=writes, workers=workers, seed=seed)
        workload.start()
        for number, gate in enumerate(gates, 1):
            workload.slots.hold_at(gate)
            if not workload.slots.reached():
                break  # every client thread has stopped: join() says why
            time.sleep(rng.uniform(0.0, 0.03))
            figures.in_flight_at_kills += workload.slots.in_flight()
            server.kill()
            figures.kills += 1
            workload.slots.release()  # its next requests meet a dead server
            progress(f"{store}: kill {number}/{len(gates)} at write {gate}")
            server.start()
        workload.slots.release()
        workload.join()
        # a read after the writes: reads bring the read models up to the log's end first
        final = httpx.get(f"{server.base}/waiting-list", headers=workload.headers, timeout=60)
        if final.status_code != 200:
            raise RuntimeError(f"the waiting list answered {final.status_code}: {final.text}")
        server.stop()
    except BaseException:
        if workload is not None:
            workload.abort()
        raise
    finally:
        if server.alive():
            server.kill()
    sent = workload.sent
    figures.writes = len(sent)
    figures.acknowledged = sum(s.acknowledged for s in sent)
    figures.retried = sum(s.attempts > 1 for s in sent)
    figures.interrupted = sum(s.interrupted for s in sent)
    figures.resent = sum(s.resent for s in sent)
    figures.resent_other_answer = [f"{s.kind} {s.method} {s.path}: {s.status} {s.answer} "
                                   f"then {s.resent_answer}" for s in sent if s.resent_answer]
    figures.unexpected_answers = [f"{s.status} {s.kind} {s.method} {s.path}: {s.answer}"
                                  for s in sent if not s.acknowledged]
    progress(f"{store}: {figures.writes} writes sent, {figures.acknowledged} acknowledged, "
             f"{figures.retried} sent again; examining the store")
    examine(store_env, sent, figures)
    figures.seconds = time.perf_counter() - started
    progress(f"{store}: {json.dumps(figures.counts())} in {figures.seconds:.0f} s")
    return figures


# --- the examination ----------------------------------------------------------------------

Logged = tuple[int, Any]  # (notification id, domain event)


def _key(event: Any) -> str | None:
    """The client's key of the request that wrote ``event`` (None: no command id, or the
    key's own reservation, which is saved before the command runs)."""
    command_id = getattr(event, "command_id", None)
    if not command_id or isinstance(event, IdempotencyKey.Reserved):
        return None
    return str(command_id).rsplit(":", 1)[-1]


def _reserved_key(event: Any) -> str:
    return str(event.command_id).rsplit(":", 1)[-1]


def _passenger(event: Any) -> bool:
    """An event without a command id that a save carries along with its command's events
    (a person's register, a policy): neither another request's event nor an access-log
    entry nor a key reservation."""
    return (getattr(event, "command_id", None) is None
            and not isinstance(event, AccessLogEntry.Recorded | IdempotencyKey.Reserved))


def saves(log: list[Logged]) -> dict[str, list[list[int]]]:
    """Each key's saves: runs of positions in ``log`` holding its events, a run broken by
    anything that is not a passenger of the same save."""
    runs: dict[str, list[list[int]]] = {}
    for position, (_, event) in enumerate(log):
        key = _key(event)
        if key is None:
            continue
        own = runs.setdefault(key, [])
        if own and all(_passenger(log[p][1]) for p in range(own[-1][-1] + 1, position)):
            own[-1].append(position)
        else:
            own.append([position])
    return runs


def _entry_after(log: list[Logged], position: int) -> Any:
    """The access-log entry that closes the save ending at ``position`` (passengers
    skipped), or None."""
    for _, event in log[position + 1:]:
        if isinstance(event, AccessLogEntry.Recorded):
            return event
        if not _passenger(event):
            return None
    return None


def table_rows(read: ReadSide) -> dict[str, list[tuple[Any, ...]]]:
    with read.view.reading() as store:
        return {table: store.rows(table) for table in ALL_TABLES}


def row_diffs(left: dict[str, list[tuple[Any, ...]]], right: dict[str, list[tuple[Any, ...]]]
              ) -> dict[str, int]:
    """Per table, how many rows one side has that the other has not (as multisets)."""
    out: dict[str, int] = {}
    for table in sorted(set(left) | set(right)):
        a = Counter(map(repr, left.get(table, [])))
        b = Counter(map(repr, right.get(table, [])))
        differing = sum(((a - b) + (b - a)).values())
        if differing:
            out[table] = differing
    return out


def read_log(service: AllocationService) -> list[Logged]:
    log: list[Logged] = []
    start = 1
    while True:
        batch = service.recorder.select_notifications(start=start, limit=1000)
        log += [(n.id, service.mapper.to_domain_event(n)) for n in batch]
        if len(batch) < 1000:
            return log
        start = batch[-1].id + 1


def examine(store_env: dict[str, str], sent: list[Sent], figures: Figures) -> Figures:
    """Open the store with the application and count (see the module docstring)."""
    service = AllocationService(env=store_env)
    try:
        log = read_log(service)
        figures.events = len(log)
        _count_writes(log, sent, figures)
        read = ReadSide(service)
        figures.read_model_lag = (log[-1][0] if log else 0) - read.position()
        read.catch_up()  # as the server does when it starts
        left = table_rows(read)
        read.rebuild()
        diffs = row_diffs(left, table_rows(read))
        figures.read_model_diffs = sum(diffs.values())
        if diffs:
            figures.details["read_model_diffs"] = [f"{t}: {n}" for t, n in diffs.items()]
    finally:
        service.close()
    return figures


def _count_writes(log: list[Logged], sent: list[Sent], figures: Figures) -> None:
    runs = saves(log)
    details = figures.details
    received = [e for _, e in log if isinstance(e, Case.ApplicationReceived)]
    case_ids = {e.originator_id for e in received}

    reserved = {_reserved_key(e): e.timestamp for _, e in log
                if isinstance(e, IdempotencyKey.Reserved)}
    for s in sent:
        own = runs.get(s.key, [])
        if s.cut_at is not None and own:
            if log[own[0][0]][1].timestamp < s.cut_at:
                figures.committed_unanswered += 1
            elif reserved.get(s.key, s.cut_at) < s.cut_at:
                figures.reserved_unwritten += 1
        if s.acknowledged:
            events = [log[p][1] for run in own for p in run]
            if s.kind == "application":
                written = {e.originator_id for e in events
                           if isinstance(e, Case.ApplicationReceived)}
                found = uuid.UUID(s.answer["case_id"]) in written
            elif s.kind == "offer":
                found = uuid.UUID(s.answer["offer_id"]) in {
                    getattr(e, "offer_id", None) for e in events
                    if isinstance(e, Case.OfferMade)}
            else:
                found = bool(events)
            if not found:
                figures.acknowledged_lost += 1
                details.setdefault("acknowledged_lost", []).append(
                    f"{s.kind} {s.method} {s.path} key {s.key}")
        elif own:
            figures.refused_but_written += 1
        if len(own) > 1:
            figures.duplicates += len(own) - 1
            details.setdefault("duplicates", []).append(
                f"{s.kind} {s.method} {s.path} key {s.key}: {len(own)} saves at "
                f"notifications {[[log[p][0] for p in run] for run in own]}")

    persons = Counter(e.person.identity_number for e in received)
    for number, cases in persons.items():
        if cases > 1:
            figures.duplicates += cases - 1
            details.setdefault("duplicates", []).append(
                f"{cases} cases for one person ({number[:6]}*****)")

    entries = Counter((case_id, e.action) for _, e in log
                      if isinstance(e, AccessLogEntry.Recorded) and e.allowed
                      and "saved with the write" in e.detail for case_id in e.case_ids)
    writes: Counter[tuple[uuid.UUID, str]] = Counter()
    for key, own in runs.items():
        for run in own:
            wrote = {log[p][1].originator_id for p in run
                     if log[p][1].originator_id in case_ids}
            if not wrote:
                continue  # no person's data (a place)
            operation = str(log[run[0]][1].command_id).split(":")[1]
            writes.update((case_id, operation) for case_id in wrote)
            entry = _entry_after(log, run[-1])
            if not (entry is not None and entry.allowed and entry.municipality == MUNICIPALITY
                    and "saved with the write" in entry.detail
                    and wrote <= set(entry.case_ids)):
                figures.writes_without_log_entry += 1
                kinds = [type(log[p][1]).__qualname__ for p in run]
                details.setdefault("writes_without_log_entry", []).append(
                    f"key {key}: {kinds} at notifications {[log[p][0] for p in run]}; "
                    f"next: {type(entry).__qualname__ if entry else None}")
    figures.writes_without_any_entry = sum((writes - entries).values())
