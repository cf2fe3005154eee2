"""A read's PostgreSQL transaction outlives the store's idle-in-transaction limit: a read
decodes rows between its queries, and on a busy server its thread may wait longer than the
few seconds meant for writers (under load a vacancy board's read was cut off: a 500)."""

from __future__ import annotations

import time

from application.clock import ManualClock
from application.service import AllocationService
from projections.fold import CASE
from projections.read_side import ReadSide
from tests.builders import MUNICIPALITY, waiting_case
from tests.conftest import postgres_env


def test_a_slow_read_is_not_cut_off_by_the_stores_idle_limit(
        pg_schema: str, clock: ManualClock) -> None:
    env = postgres_env(pg_schema, POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT="1")
    service = AllocationService(env=env, clock=clock)
    try:
        case_id = waiting_case(service)
        read = ReadSide(service)
        read.catch_up()
        with read.view.reading() as store:
            assert store.get(CASE, str(case_id)) is not None
            time.sleep(1.6)  # idle in the transaction past the store's limit of 1 s
            assert [d["case_id"] for d in store.all(CASE, MUNICIPALITY)] == [str(case_id)]
        # and the writers' limit still holds for them: the service's own sessions keep it
        with service.recorder.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
            c.execute("SHOW idle_in_transaction_session_timeout")
            assert c.fetchone()["idle_in_transaction_session_timeout"] == "1s"
    finally:
        service.close()
