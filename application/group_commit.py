"""Group commit: the saves of independent new aggregates from many threads at once, several
to a transaction.

Every read of a person's data writes an access-log entry (tilgangslogg) before it answers,
so under load most transactions are a single small entry each, and on SQLite they queue for
the one writer and its sync to disk. Here the thread that finds no save in progress commits
its entry, together with every entry queued meanwhile, in one transaction (it *leads*); the
others wait, and each returns only when the transaction holding its entry has committed —
no entry is acknowledged before it is stored. When the leader is done, the first entry
queued since leads the next transaction. Alone, a save is one transaction as before; under
load, one fsync serves many requests.

Only aggregates no one else writes belong here (each access-log entry is a new aggregate of
its own). When a transaction of several fails, each is saved alone, so one entry's error
(a retried request whose entry is already stored) is its own request's, not its neighbours'.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class _Waiting:
    __slots__ = ("aggregate", "error", "lead", "woken")

    def __init__(self, aggregate: Any) -> None:
        self.aggregate = aggregate
        self.error: BaseException | None = None
        self.lead = False
        self.woken = threading.Event()


class GroupCommit:
    """``save(aggregate)`` through ``commit(*aggregates)`` (one transaction), grouped."""

    def __init__(self, commit: Callable[..., Any]) -> None:
        self._commit = commit
        self._lock = threading.Lock()
        self._queue: list[_Waiting] = []
        self._leading = False
        #: How many transactions and saves went through (for tests and benchmarks).
        self.transactions = 0
        self.saves = 0

    def save(self, aggregate: Any) -> None:
        """Store ``aggregate``; returns once its transaction has committed (or raises its
        error)."""
        me = _Waiting(aggregate)
        with self._lock:
            self._queue.append(me)
            lead = not self._leading
            self._leading = True
        if not lead:
            me.woken.wait()
        if me.lead or lead:
            self._lead()
        if me.error is not None:
            raise me.error

    def _lead(self) -> None:
        with self._lock:
            batch, self._queue = self._queue, []
        try:
            self._store(batch)
        finally:
            with self._lock:
                if self._queue:  # queued while this batch committed: its first leads next
                    following = self._queue[0]
                    following.lead = True
                    following.woken.set()
                else:
                    self._leading = False
            for waiting in batch:
                if not waiting.lead:
                    waiting.woken.set()

    def _store(self, batch: list[_Waiting]) -> None:
        for waiting in batch:
            waiting.lead = False
        try:
            self._commit(*(w.aggregate for w in batch))
            self.transactions += 1
            self.saves += len(batch)
            return
        except BaseException as exc:
            if len(batch) == 1:
                batch[0].error = exc
                return
        for waiting in batch:  # one by one: each its own error
            try:
                self._commit(waiting.aggregate)
                self.transactions += 1
                self.saves += 1
            except BaseException as exc:
                waiting.error = exc
