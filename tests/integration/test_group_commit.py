"""Group commit of reads' access-log entries (``application.group_commit``): under many
threads at once every entry is stored and acknowledged only once stored, several to a
transaction; an entry's error is its own request's. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError

from application.group_commit import GroupCommit
from tests.builders import MUNICIPALITY, waiting_case

M = MUNICIPALITY


def test_many_threads_reading_at_once_each_get_their_entry_stored(service):
    case_id = waiting_case(service)
    before = service.recorder.max_notification_id()
    ids: list[UUID] = []
    errors: list[BaseException] = []
    start = threading.Barrier(16)

    def read(n: int) -> None:
        start.wait()
        try:
            for _ in range(10):
                entry_id = service.record_access(
                    M, actor=f"saksbehandler-{n}", role="allocation_officer",
                    action="read_case", case_ids=[case_id], allowed=True)
                # acknowledged: stored, and readable at once
                assert service.get_access_log_entry(M, entry_id).actor == f"saksbehandler-{n}"
                ids.append(entry_id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=read, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(ids)) == 160
    assert service.recorder.max_notification_id() - before == 160
    grouped = service.grouped
    assert grouped.saves >= 160 and grouped.transactions <= grouped.saves


def test_a_retried_read_with_its_command_id_is_logged_once(service):
    case_id = waiting_case(service)
    first = service.record_access(M, actor="saksbehandler", role="allocation_officer",
                                  action="read_case", case_ids=[case_id], allowed=True,
                                  command_id="read-1")
    again = service.record_access(M, actor="saksbehandler", role="allocation_officer",
                                  action="read_case", case_ids=[case_id], allowed=True,
                                  command_id="read-1")
    assert first == again


class _Recorder:
    """A commit that remembers its transactions and refuses the aggregates named bad."""

    def __init__(self, bad: set[str], hold: threading.Event | None = None) -> None:
        self.bad, self.hold = bad, hold
        self.transactions: list[tuple[str, ...]] = []
        self.entered = threading.Event()

    def __call__(self, *aggregates: str) -> None:
        self.entered.set()
        if self.hold is not None:
            self.hold.wait(5)
            self.hold = None
        if self.bad & set(aggregates):
            raise IntegrityError("already stored")
        self.transactions.append(aggregates)


def test_entries_queued_while_one_commits_go_together_and_an_error_stays_its_own():
    hold = threading.Event()
    commit = _Recorder(bad={"bad"}, hold=hold)
    grouped = GroupCommit(commit)
    outcome: dict[str, str] = {}

    def save(name: str) -> None:
        try:
            grouped.save(name)
            outcome[name] = "stored"
        except IntegrityError:
            outcome[name] = "refused"

    first = threading.Thread(target=save, args=("first",))
    first.start()
    assert commit.entered.wait(5)  # the first leads, its transaction held open
    others = [threading.Thread(target=save, args=(n,)) for n in ("a", "bad", "b", "c")]
    for t in others:
        t.start()
    while len(grouped._queue) < 4:  # queued behind the first
        threading.Event().wait(0.01)
    hold.set()
    for t in [first, *others]:
        t.join(5)
    assert outcome == {"first": "stored", "a": "stored", "b": "stored", "c": "stored",
                       "bad": "refused"}
    assert commit.transactions[0] == ("first",)
    # the four queued went as one transaction, which failed for "bad": each then alone
    assert sorted(x for t in commit.transactions[1:] for x in t) == ["a", "b", "c"]
    assert not grouped._leading and grouped._queue == []


@pytest.mark.parametrize("n", [1, 2])
def test_alone_a_save_is_its_own_transaction(n):
    commit = _Recorder(bad=set())
    grouped = GroupCommit(commit)
    for i in range(n):
        grouped.save(f"entry-{i}")
    assert commit.transactions == [(f"entry-{i}",) for i in range(n)]
