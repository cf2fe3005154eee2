"""PostgreSQL's notifications as the projector's wake-up call.

eventsourcing's PostgreSQL recorder sends ``NOTIFY <events table>`` in the transaction of
every insert. :class:`LogListener` listens on that channel on a connection of its own (not
one of the pool's) and nudges the read side for each notification, so that a write made by
any process is in the read models within one catch-up, not one polling interval. The
projector's poll stays as the fallback (a lost connection is reopened, quietly, after
``RECONNECT_S``). On SQLite there is nothing to listen to: the service nudges its own
projector after its writes, and other processes' writes are found by the poll.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

RECONNECT_S = 1.0
WAIT_S = 0.5  # how often the listening thread looks up to see whether it should stop


class LogListener:
    """LISTEN on a PostgreSQL recorder's channel; call ``nudge`` on every NOTIFY."""

    def __init__(self, recorder: Any, nudge: Callable[[], None]) -> None:
        self.channel: str = recorder.channel_name
        pool = recorder.datastore.pool
        self.conninfo: str = pool.conninfo
        self.kwargs: dict[str, Any] = {k: v for k, v in (pool.kwargs or {}).items()
                                       if k not in ("row_factory", "autocommit")}
        self.nudge = nudge
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.listening = threading.Event()  # set while LISTEN is in force

    @staticmethod
    def applies(recorder: Any) -> bool:
        return hasattr(recorder, "channel_name") and hasattr(
            getattr(recorder, "datastore", None), "pool")

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="log-listener",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        import psycopg
        from psycopg import sql

        down = False
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, **self.kwargs) as conn:
                    conn.execute(sql.SQL("LISTEN {0}").format(sql.Identifier(self.channel)))
                    self.listening.set()
                    if down:
                        log.warning("read side: listening to the event store again")
                        down = False
                    self.nudge()  # whatever came while not listening
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=WAIT_S, stop_after=1):
                            self.nudge()
            except Exception as exc:  # the poll still runs; try again soon
                self.listening.clear()
                if not down:
                    down = True
                    log.warning("read side: cannot listen to the event store (%s); "
                                "polling until it can", type(exc).__name__)
                self._stop.wait(RECONNECT_S)
        self.listening.clear()
