"""Read-side benchmark: rebuild rate against the rate of merely decoding the log, and the
time to read the waiting list as of a past date, on a large municipality's history.

The history is generated with the domain itself (real aggregates, real events, every rule
checked): a municipality of 4,000 places in 60 facilities over many years — applications,
§ 2-2 documentation, decisions, priority assessments, urgency, offers, declines,
admissions, stays ending, deaths on the list, deadline breaches and the R19 choice,
other providers' places bought, places closed and reopened. Aggregates live in memory and
their events are inserted through the application's recorder, a simulated month per
transaction, in time order (so the log reads like a real one). Generation runs in a child
process, so the peak RSS reported is the read side's.

Then, in one process (a child of its own, so its peak RSS is the read side's), on the
same store:

- **decode** (the ceiling): ``recorder.select_notifications`` + ``mapper.to_domain_event``
  over the whole log, in the rebuild's batch size — what any projection must do at least;
- **rebuild**: ``ReadSide.rebuild()`` (``python -m projections rebuild``): with 2 worker
  processes from ``PARALLEL_FROM`` notifications on a machine with more than one core;
  ``--workers 1`` for none, ``--sequential-too`` to time both. The first rebuild of a
  fresh file has no read models to replace, the next ones do (as in service);
- the two alternate — decode, rebuild, decode, ... (``--repeat`` rebuilds, 2 by default)
  — and each side's best run counts, so a shared machine's slow spells fall on both;
- **as-of**: ``read.as_of(T).waiting_list(M)`` and ``.vacancy_board(M)`` for T three
  quarters into the history (first call and median of three), next to the live
  ``read.waiting_list(M)``;
- **peak RSS** of that process, and of the largest worker.

    .venv/bin/python bench/projections.py [--events N] [--db PATH] [--postgres] [--check] [--cipher]
                                          [--workers N] [--sequential-too] [--repeat N]

``--db`` keeps the generated SQLite file (and reuses it when it is there); ``--postgres``
runs on a fresh schema of the local server instead; ``--check`` also folds the log up to T
in memory (the slow reference) and asserts the as-of waiting list and vacancy board equal
it. ``--cipher`` turns encryption at rest on (the events encrypted, the read models
sealed: its cost is the difference from a run without). The last line is one JSON
object.
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg

from application.service import AllocationService
from domain.base import Base, local_date
from domain.case import Case
from domain.identity import synthetic_identity_number
from domain.place import Place
from domain.policy import Policy
from domain.provider import ProviderOffer
from domain.values import (
    BreachChoice,
    ClosureReason,
    DementiaFinding,
    FacilityKind,
    InterimService,
    LeonEntry,
    LeonMeasure,
    LeonStatus,
    MedicalSource,
    OfferKind,
    PlaceType,
    PriorityFactor,
    RoomKind,
    StayEndReason,
    VacancyReason,
)
from projections.read_side import PARALLEL_FROM, REBUILD_BATCH, ReadSide, ReplayedAsOf
from tests.builders import FULL_IPLOS

M = "0301"  # Oslo: a large municipality
START = datetime(1996, 1, 1, tzinfo=UTC)
PG_CONNINFO = "host=127.0.0.1 port=5432 dbname=test user=postgres"

# --- generation ----------------------------------------------------------------------------

TYPES = [PlaceType.ORDINARY] * 70 + [PlaceType.SCREENED] * 22 + [PlaceType.REINFORCED] * 8
INTERIM = [InterimService("hjemmesykepleie", "to besøk daglig"),
           InterimService("trygghetsalarm", "døgnet rundt")]
LEON = [LeonEntry(LeonMeasure.EXTENDED_HOME_SERVICES, LeonStatus.TRIED, "ikke tilstrekkelig"),
        LeonEntry(LeonMeasure.SHORT_TERM_STAY, LeonStatus.TRIED, "bedring, men ikke varig")]
FACTORS = [f.value for f in PriorityFactor]
FIRST_NAMES = ["Ingrid", "Olav", "Astrid", "Nils", "Marit", "Kari", "Per", "Solveig", "Arne",
               "Randi", "Knut", "Bjørg", "Svein", "Liv", "Odd", "Gerd"]
LAST_NAMES = ["Berg", "Dahl", "Lie", "Haugen", "Vik", "Hansen", "Johansen", "Olsen",
              "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen"]


class History:
    """A municipality simulated day by day with the domain's own aggregates."""

    def __init__(self, app: AllocationService, target: int, seed: int) -> None:
        self.app = app
        self.target = target
        self.rng = random.Random(seed)
        self.day = START.date()
        self.minute = 0
        self.written = 0
        self.serial = 0
        self.touched: dict[uuid.UUID, Base] = {}
        self.agenda: list[tuple[date, int, Callable[[], None]]] = []
        self.places: dict[uuid.UUID, Place] = {}
        self.vacant: dict[PlaceType, set[uuid.UUID]] = {t: set() for t in PlaceType}
        self.closed_places: list[tuple[date, Place]] = []
        self.waiting: dict[PlaceType, dict[uuid.UUID, Case]] = {t: {} for t in PlaceType}
        self.breached: dict[uuid.UUID, Case] = {}
        self.provider_offers: dict[uuid.UUID, ProviderOffer] = {}
        self.policy = Policy.establish(M, self.now())
        self.touch(self.policy)

    # --- plumbing ------------------------------------------------------------------------

    def now(self) -> datetime:
        """Business time: 08:00 Oslo-ish on the simulated day, one minute per command."""
        self.minute += 1
        return datetime(self.day.year, self.day.month, self.day.day, 7, tzinfo=UTC) + \
            timedelta(minutes=self.minute)

    def touch(self, *aggregates: Base) -> None:
        for a in aggregates:
            self.touched[a.id] = a
            if isinstance(a, Place):
                if a.free_beds > 0:
                    self.vacant[a.place_type].add(a.id)
                else:
                    self.vacant[a.place_type].discard(a.id)

    def later(self, days: int, action: Callable[[], None]) -> None:
        self.serial += 1
        heapq.heappush(self.agenda, (self.day + timedelta(days=days), self.serial, action))

    def flush(self) -> None:
        """The pending events of every touched aggregate, in time order, in one insert."""
        events = [e for a in self.touched.values() for e in a.collect_events()]
        events.sort(key=lambda e: e.timestamp)
        stored = [self.app.mapper.to_stored_event(e) for e in events]
        if stored:
            self.app.recorder.insert_events(stored)
        self.written += len(stored)
        self.touched = {}

    def run(self) -> int:
        self.open_facilities()
        while self.written < self.target:
            for _ in range(30):
                self.one_day()
                self.day += timedelta(days=1)
                self.minute = 0
            self.flush()
        return self.written

    # --- the story ------------------------------------------------------------------------

    def open_facilities(self) -> None:
        rng = self.rng
        for f in range(60):
            kind = FacilityKind.NURSING_HOME if f % 4 else FacilityKind.HOUSING_24H
            for room in range(64):
                place_type = rng.choice(TYPES)
                room_kind = RoomKind.DOUBLE if room % 16 == 0 else RoomKind.SINGLE
                p = Place.register(self.now(), municipality=M, facility_id=f"f{f:02d}",
                                   facility_name=f"Omsorgssenter {f:02d}", facility_kind=kind,
                                   unit=f"{'ABCD'[room // 16]}", room=f"{room:03d}",
                                   place_type=place_type, room_kind=room_kind)
                self.places[p.id] = p
                self.touch(p)

    def one_day(self) -> None:
        rng = self.rng
        for _ in range(self._poisson(6.0)):
            self.apply()
        while self.agenda and self.agenda[0][0] <= self.day:
            _, _, action = heapq.heappop(self.agenda)
            action()
        self.allocate()
        weekday = self.day.weekday()
        if weekday == 0:
            self.check_deadlines()
        if self.day.day == 1:
            self.provider_market()
            if rng.random() < 0.7:
                self.close_a_place()
        while self.closed_places and self.closed_places[0][0] <= self.day:
            _, p = self.closed_places.pop(0)
            p.reopen(self.now())
            self.touch(p)

    def _poisson(self, mean: float) -> int:
        n, limit, prod = 0, pow(2.718281828459045, -mean), self.rng.random()
        while prod > limit:
            n += 1
            prod *= self.rng.random()
        return n

    def apply(self) -> None:
        rng = self.rng
        place_type = rng.choice(TYPES)
        dementia = place_type is PlaceType.SCREENED
        born = date(self.day.year - rng.randint(67, 95), rng.randint(1, 12), rng.randint(1, 28))
        case = Case.receive_application(
            self.now(), municipality=M,
            identity_number=synthetic_identity_number(born, rng.randrange(3)),
            name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            dementia_suspected=dementia)
        self.touch(case)
        self.later(1, lambda: self.document(case, place_type, dementia))

    def document(self, case: Case, place_type: PlaceType, dementia: bool) -> None:
        now = self.now
        case.record_own_account(now(), what_matters="Å bo nær familien",
                                account="Klarer seg ikke hjemme om natten", recorded_by="saksb")
        case.record_relatives(now(), name="Kari", relation="datter",
                              information="Bekymret for fall om natten", recorded_by="saksb")
        case.register_iplos(now(), scores=FULL_IPLOS, assessed_by="sykepleier")
        case.record_medical_information(now(), source=MedicalSource.GP,
                                        summary="Hjertesvikt, fallrisiko",
                                        dementia_diagnosis=dementia)
        if place_type is PlaceType.REINFORCED:
            case.record_medical_information(now(), source=MedicalSource.SPECIALIST,
                                            summary="Behov for tett oppfølging")
        case.record_leon(now(), entries=LEON, recorded_by="saksb")
        if dementia:
            case.record_dementia_investigation(now(), finding=DementiaFinding.CONFIRMED,
                                               conclusion="Alzheimers sykdom",
                                               recorded_by="lege")
        self.touch(case)
        self.later(self.rng.randint(5, 12), lambda: self.decide(case, place_type))

    def decide(self, case: Case, place_type: PlaceType) -> None:
        rng = self.rng
        roll = rng.random()
        kind = "rejection" if roll < 0.08 else "grant" if roll < 0.15 else "waiting_list"
        case.decide(self.now(), kind=kind, grounds="Varig behov for heldøgns omsorg",
                    decided_by="Tildelingsenheten", policy_version=1,
                    policy=self.policy.current,
                    place_type=None if kind == "rejection" else place_type,
                    can_be_cared_for_safely_at_home=kind == "waiting_list",
                    interim_services=INTERIM, alternatives_at_home="Utvidet hjemmetjeneste")
        self.touch(case)
        if kind == "rejection":
            return
        factors = {f: rng.randint(0, 4) for f in rng.sample(FACTORS, 4)}
        case.assess_priority(self.now(), factors=factors,
                             need_score=self.policy.current.suggested_need_score(factors),
                             assessor="Sykepleier", policy=self.policy.current)
        if rng.random() < 0.06:
            case.mark_urgent(self.now(), reason="Fall, alene om natten", assessed_by="Lege",
                             policy_version=1, policy=self.policy.current)
        self.waiting[place_type][case.id] = case
        # deaths and withdrawals while waiting keep the list from growing without bound
        self.later(int(rng.expovariate(1 / 300)) + 1, lambda: self.leave_list(case))

    def leave_list(self, case: Case) -> None:
        if not case.on_waiting_list or case.outstanding_offer is not None:
            return
        reason = ClosureReason.DIED if self.rng.random() < 0.7 else ClosureReason.WITHDRAWN
        case.close(self.now(), reason=reason)
        self.touch(case)
        self._off_list(case)

    def _off_list(self, case: Case) -> None:
        assert case.place_type is not None
        self.waiting[case.place_type].pop(case.id, None)
        self.breached.pop(case.id, None)

    def allocate(self) -> None:
        """Each free bed to the first on the list of its place type (R15, R16)."""
        for place_type, vacant in self.vacant.items():
            if not vacant:
                continue
            candidates = sorted(
                (c for c in self.waiting[place_type].values() if c.outstanding_offer is None
                 and c.breach_choice is not BreachChoice.PURCHASE),
                key=lambda c: (not c.urgent, -(c.priority.need_score if c.priority else 0),
                               c.decisions[-1].decided_on))
            self._fill(vacant, candidates)

    def _fill(self, vacant: set[uuid.UUID], candidates: list[Case]) -> None:
        queue = iter(candidates)
        for place_id in list(vacant):
            place = self.places[place_id]
            if place.available_from > self.day:
                continue
            for _ in range(place.free_beds):
                case = next(queue, None)
                if case is None:
                    return
                self.offer(case, place)

    def offer(self, case: Case, target: Place | ProviderOffer) -> None:
        now = self.now()
        offer_id = uuid.uuid4()
        own = isinstance(target, Place)
        case.make_offer(now, offer_id=offer_id, kind=OfferKind.OWN if own else OfferKind.PURCHASE,
                        target_id=target.id, facility_id=target.facility_id,
                        facility_name=target.facility_name, place_type=target.place_type,
                        made_by="Saksbehandler", policy=self.policy.current,
                        facility_kind=target.facility_kind)
        target.reserve(now, offer_id=offer_id, case_id=case.id)
        self.touch(case, target)
        self.later(self.rng.randint(1, 3), lambda: self.answer(case, target, offer_id))

    def answer(self, case: Case, target: Place | ProviderOffer, offer_id: uuid.UUID) -> None:
        now = self.now()
        if isinstance(target, Place) and self.rng.random() < 0.07:
            case.decline_offer(now, offer_id=offer_id, reason="Ønsker et annet sted")
            target.release(now, offer_id=offer_id, reason="declined")
            self.touch(case, target)
            return
        case.accept_offer(now, offer_id=offer_id)
        if isinstance(target, ProviderOffer):
            target.purchase(now, offer_id=offer_id, case_id=case.id)
        self.touch(case, target)
        self._off_list(case)
        self.later(self.rng.randint(2, 7), lambda: self.admit(case, target, offer_id))

    def admit(self, case: Case, target: Place | ProviderOffer, offer_id: uuid.UUID) -> None:
        now = self.now()
        day = local_date(now)
        case.admit(now, offer_id=offer_id, admitted_on=day)
        self.touch(case)
        if isinstance(target, Place):
            target.occupy(now, case_id=case.id, offer_id=offer_id, admitted_on=day)
            self.touch(target)
        self.later(int(self.rng.expovariate(1 / 780)) + 1, lambda: self.end_stay(case, target))

    def end_stay(self, case: Case, target: Place | ProviderOffer) -> None:
        now = self.now()
        day = local_date(now)
        died = self.rng.random() < 0.85
        case.end_stay(now, reason=StayEndReason.DIED if died else StayEndReason.MOVED,
                      ended_on=day)
        self.touch(case)
        if isinstance(target, Place):
            target.vacate(now, case_id=case.id,
                          reason=VacancyReason.DEATH if died else VacancyReason.MOVED_OUT,
                          vacated_on=day)
            self.touch(target)

    def check_deadlines(self) -> None:
        now = self.now()
        for pool in self.waiting.values():
            for case in pool.values():
                if case.check_deadline(now):
                    self.touch(case)
                    choice = BreachChoice.PURCHASE if self.rng.random() < 0.5 \
                        else BreachChoice.WAIT
                    case.choose_after_breach(self.now(), choice=choice, recorded_by="Saksb")
                    if choice is BreachChoice.PURCHASE:
                        self.breached[case.id] = case

    def provider_market(self) -> None:
        rng = self.rng
        for po in list(self.provider_offers.values()):
            if po.purchased_for is not None:
                del self.provider_offers[po.id]
            elif po.reserved_for is None and po.valid_until and po.valid_until < self.day:
                po.withdraw(self.now(), reason="Utløpt")
                self.touch(po)
                del self.provider_offers[po.id]
        for _ in range(rng.randint(2, 5)):
            self.serial += 1
            po = ProviderOffer.register(
                self.now(), municipality=M, provider=rng.choice(["Omsorg AS", "Lia Drift",
                                                                "Stiftelsen Fjord"]),
                reference=f"{self.day.isoformat()}-{self.serial}",
                facility_name=rng.choice(["Lia", "Fjordtun", "Solsiden"]),
                facility_kind=FacilityKind.NURSING_HOME, place_type=rng.choice(TYPES),
                price_per_day=rng.choice([3650, 3850, 4100, 4400]),
                valid_until=self.day + timedelta(days=90))
            self.provider_offers[po.id] = po
            self.touch(po)
        for case in list(self.breached.values()):
            if case.outstanding_offer is not None or not case.on_waiting_list:
                continue
            for po in self.provider_offers.values():
                if po.place_type is case.place_type and po.is_available_on(self.day):
                    self.offer(case, po)
                    break

    def close_a_place(self) -> None:
        vacant = [p for p in self.places.values()
                  if p.is_open and not p.occupants and not p.reservations]
        if vacant:
            p = self.rng.choice(vacant)
            p.close(self.now(), reason="Oppussing")
            self.touch(p)
            self.closed_places.append((self.day + timedelta(days=60), p))


def generate(env: dict[str, str], events: int, seed: int) -> int:
    app = AllocationService(env=env)
    try:
        return History(app, events, seed).run()
    finally:
        app.close()


# --- measuring ---------------------------------------------------------------------------


def decode_all(app: AllocationService, batch: int) -> int:
    """The ceiling: read and decode every notification, nothing else."""
    count, start = 0, 1
    while True:
        notifications = app.recorder.select_notifications(start=start, limit=batch)
        if not notifications:
            return count
        for n in notifications:
            app.mapper.to_domain_event(n)
        count += len(notifications)
        start = notifications[-1].id + 1


def moment_at(app: AllocationService, position: int) -> datetime:
    [n] = app.recorder.select_notifications(start=position, limit=1)
    return app.mapper.to_domain_event(n).timestamp


def timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, float, Any]:
    """(first, median of ``repeat``, result)."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times[0], statistics.median(times), result


def decode_rate(app: AllocationService, events: int) -> float:
    t0 = time.perf_counter()
    decoded = decode_all(app, REBUILD_BATCH)
    assert decoded == events, (decoded, events)
    return events / (time.perf_counter() - t0)


def measure(env: dict[str, str], check: bool, workers: int | None,
            sequential_too: bool, repeat: int) -> dict[str, Any]:
    """In a process of its own (so that its peak RSS is the read side's alone)."""
    app = AllocationService(env=env)
    try:
        events = app.recorder.max_notification_id() or 0
        read = ReadSide(app)
        # decode, rebuild, decode, rebuild, ..., decode: each side gets its best run, with
        # the machine's ups and downs shared out alike
        decodes = [decode_rate(app, events)]
        rebuild_times: list[float] = []
        phases: dict[str, Any] = {}
        for _ in range(repeat):
            t0 = time.perf_counter()
            rebuilt = read.rebuild(workers=workers)
            rebuild_times.append(time.perf_counter() - t0)
            assert rebuilt == events, (rebuilt, events)
            if rebuild_times[-1] == min(rebuild_times):
                phases = read.last_rebuild
            decodes.append(decode_rate(app, events))
        decode = max(decodes)  # the ceiling: the best run
        t_rebuild = min(rebuild_times)
        rebuild = events / t_rebuild
        result: dict[str, Any] = {
            "events": events,
            "workers": workers if workers is not None else
            (2 if events >= PARALLEL_FROM and (os.cpu_count() or 1) > 1 else 1),
            "rebuild_s": round(t_rebuild, 2),
            "rebuild_s_runs": [round(t, 2) for t in rebuild_times],
            "rebuild_events_per_s": round(rebuild),
            "decode_events_per_s": round(decode),
            "decode_events_per_s_runs": [round(d) for d in decodes],
            "rebuild_ratio": round(rebuild / decode, 3),
            # where the best rebuild's time went: build (the workers), take-over (index
            # builds), catch-up; per worker, seconds in each phase of its batches
            "rebuild_phases_s": {
                **{k: round(v, 2) for k, v in phases.items() if k != "workers"},
                "workers": [{k: round(v, 2) for k, v in w.items()}
                            for w in phases.get("workers", [])],
            },
        }
        moment = moment_at(app, int(events * 0.75))
        then = read.as_of(moment)
        wl_first, wl_median, wl = timed(lambda: then.waiting_list(M))
        vb_first, _, vb = timed(lambda: then.vacancy_board(M))
        _, live_median, live = timed(lambda: read.waiting_list(M))
        result.update({
            "as_of": moment.isoformat(),
            "as_of_waiting_list_s": round(wl_first, 3),
            "as_of_waiting_list_median_s": round(wl_median, 3),
            "as_of_vacancy_board_s": round(vb_first, 3),
            "live_waiting_list_s": round(live_median, 3),
            "waiting_then": len(wl),
            "waiting_now": len(live),
            "board_then": len(vb.places),
        })
        with read.view.reading() as store:
            for table in ("lto_rm_case", "lto_rm_place", "lto_rm_case_history"):
                store.execute(f"SELECT COUNT(*) AS n FROM {store.name(table)}")
                result[f"rows_{table}"] = store.cursor.fetchone()["n"]
        result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        result["workers_peak_rss_mb"] = round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
        if sequential_too:
            t0 = time.perf_counter()
            assert read.rebuild(workers=1) == events
            sequential = events / (time.perf_counter() - t0)
            result["sequential_rebuild_events_per_s"] = round(sequential)
            result["sequential_rebuild_ratio"] = round(sequential / decode, 3)
        if check:
            t0 = time.perf_counter()
            reference = ReplayedAsOf(app, moment)
            result["replay_as_of_s"] = round(time.perf_counter() - t0, 2)
            assert reference.waiting_list(M) == wl, "as-of waiting list differs from replay"
            assert reference.vacancy_board(M) == vb, "as-of vacancy board differs from replay"
            result["checked_against_replay"] = True
    finally:
        app.close()
    return result


def _cipher_env(db: Path | None) -> dict[str, str]:
    """Encryption at rest (``CIPHER_TOPIC``, ``CIPHER_KEY``): the events with
    :class:`application.cipher.AesGcmCipher` (eventsourcing's AESCipher format, OpenSSL's
    AES-GCM), the read models sealed with the same key
    (:mod:`projections.sealing`). A SQLite file keeps its key beside it, so a reused file
    is read with the key it was written with."""
    from eventsourcing.cipher import AESCipher

    keyfile = db.with_name(db.name + ".cipher-key") if db is not None else None
    if keyfile is not None and keyfile.exists():
        key = keyfile.read_text().strip()
    else:
        key = AESCipher.create_key(num_bytes=32)
        if keyfile is not None:
            keyfile.write_text(key)
    return {"CIPHER_TOPIC": "application.cipher:AesGcmCipher", "CIPHER_KEY": key}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="keep (and reuse) the SQLite file here")
    parser.add_argument("--postgres", action="store_true", help="a fresh PostgreSQL schema")
    parser.add_argument("--check", action="store_true", help="compare as-of with a replay")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, help="rebuild processes (default: the "
                        "library's choice; 1: no workers)")
    parser.add_argument("--sequential-too", action="store_true",
                        help="also time a rebuild without workers")
    parser.add_argument("--repeat", type=int, default=2,
                        help="rebuilds to time (each between two decode runs; the best of "
                        "each counts)")
    parser.add_argument("--cipher", action="store_true",
                        help="encryption at rest on (events and read models; with --db the "
                             "key is kept beside the file)")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--env", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.generate_only or args.measure_only:  # a child process
        env = json.loads(args.env)
        t0 = time.perf_counter()
        if args.generate_only:
            n = generate(env, args.events, args.seed)
            out = {"generated": n, "seconds": round(time.perf_counter() - t0, 1)}
        else:
            out = measure(env, args.check, args.workers, args.sequential_too, args.repeat)
        print(json.dumps(out))
        return

    schema = None
    with tempfile.TemporaryDirectory() as tmp:
        if args.postgres:
            schema = f"bench_rm_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(PG_CONNINFO, autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA "{schema}"')
            env = {"PERSISTENCE_MODULE": "eventsourcing.postgres",
                   "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": "5432",
                   "POSTGRES_DBNAME": "test", "POSTGRES_USER": "postgres",
                   "POSTGRES_PASSWORD": "", "POSTGRES_SCHEMA": schema}
            fresh = True
        else:
            path = args.db or Path(tmp) / "events.sqlite"
            fresh = not path.exists()
            env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}
        if args.cipher:
            env.update(_cipher_env(None if args.postgres else path))
        try:
            if fresh:
                out = subprocess.run(
                    [sys.executable, __file__, "--generate-only", "--events", str(args.events),
                     "--seed", str(args.seed), "--env", json.dumps(env)],
                    check=True, stdout=subprocess.PIPE, text=True).stdout
                gen = json.loads(out.strip().splitlines()[-1])
                print(f"generated {gen['generated']} events in {gen['seconds']} s")
            command = [sys.executable, __file__, "--measure-only", "--env", json.dumps(env)]
            command += ["--check"] if args.check else []
            command += ["--sequential-too"] if args.sequential_too else []
            command += ["--workers", str(args.workers)] if args.workers is not None else []
            command += ["--repeat", str(args.repeat)]
            out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
            result = json.loads(out.strip().splitlines()[-1])
        finally:
            if schema is not None:
                with psycopg.connect(PG_CONNINFO, autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    result["store"] = "postgres" if args.postgres else "sqlite"
    result["cipher"] = bool(args.cipher)
    r = result
    print(f"{r['store']}: {r['events']} events" + (", encrypted at rest" if r["cipher"] else ""))
    print(f"  rebuild  {r['rebuild_events_per_s']:>9} events/s  ({r['rebuild_s']} s, the best "
          f"of {r['rebuild_s_runs']} s, {r['workers']} worker process(es))")
    print(f"  decode   {r['decode_events_per_s']:>9} events/s  (the ceiling: the best of "
          f"{r['decode_events_per_s_runs']})  ratio {r['rebuild_ratio']:.2f}  "
          "(target >= 0.5)")
    p = r["rebuild_phases_s"]
    print(f"    build {p.get('build_s')} s, take-over {p.get('take_over_s')} s, catch-up "
          f"{p.get('catch_up_s')} s; per worker: " + "; ".join(
              ", ".join(f"{k} {v}" for k, v in w.items()) for w in p["workers"]))
    if "sequential_rebuild_events_per_s" in r:
        print(f"  rebuild without workers {r['sequential_rebuild_events_per_s']} events/s, "
              f"ratio {r['sequential_rebuild_ratio']:.2f}")
    print(f"  waiting list as of {r['as_of']}: {r['as_of_waiting_list_s']} s "
          f"(median {r['as_of_waiting_list_median_s']} s; target < 1 s), "
          f"{r['waiting_then']} waiting; vacancy board {r['as_of_vacancy_board_s']} s; "
          f"live waiting list {r['live_waiting_list_s']} s")
    print(f"  peak RSS {r['peak_rss_mb']} MB (each worker at most "
          f"{r['workers_peak_rss_mb']} MB)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
