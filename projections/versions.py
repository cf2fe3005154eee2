"""The versions of a read-model row (:mod:`projections.store`): what a row holds besides its
document (:data:`Head`), the rows a view has read or written (:class:`_Entry`, kept between
the transactions of one catch-up in a :class:`RowCache`), and :func:`plan_versions`, which
turns the changes of a batch into row operations — one version per distinct moment, none
that repeats the state before it, the same whether a batch was cut inside a moment or not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from projections.codec import pack
from projections.derived import Rows

Doc = dict[str, Any]

#: ``valid_to`` of a version that is still current.
OPEN = 2**62

_UNKNOWN: Any = object()

#: What a version row holds besides its document: (municipality, status).
Head = tuple[str, "str | None"]


def _head(municipality: str, doc: Doc) -> Head:
    """The row's municipality and its document's top-level status (a column of its own,
    indexed: the waiting list reads cases by status)."""
    status = doc.get("status")
    return municipality, status if isinstance(status, str) else None


class _Entry:
    """A row the view has read or written: its stored current version (``base_*``; no
    ``base_t`` when there is none; ``base_m`` its :data:`Head`), the stored version before
    that if known (``prev``), versions frozen earlier in the batch, and the live document
    the fold changes (``doc``, changed at moment ``t``; ``t`` is None while it equals the
    last version; ``doc`` is None until parsed from ``base_packed``)."""

    __slots__ = (
        "base_m",
        "base_packed",
        "base_t",
        "derived",
        "doc",
        "frozen",
        "municipality",
        "prev",
        "resolved",
        "t",
        "used",
    )

    def __init__(self, resolved: bool) -> None:
        self.resolved = resolved
        self.base_t: int | None = None
        self.base_m: Head = ("", None)
        self.base_packed = b""
        self.prev: Any = None if resolved else _UNKNOWN  # (t, head, text) or None
        self.frozen: list[tuple[int, Head, bytes]] = []
        self.doc: Doc | None = None
        self.t: int | None = None
        self.municipality = ""
        self.used = 0
        #: The derived rows last written for ``doc`` (:mod:`projections.derived`); None
        #: while not known.
        self.derived: Rows | None = None


class RowCache:
    """Rows kept in memory between the transactions of one catch-up, so a row a batch
    changed need not be read back and parsed by the next. Valid only as long as nobody else
    writes the tables: ``position`` is the tracking position of the last commit that went
    through this cache, and the view clears the cache when a batch starts from any other
    position (another reader has been at work) and when a batch fails."""

    def __init__(self, max_rows: int = 30_000) -> None:
        self.entries: dict[tuple[str, str], _Entry] = {}
        self.dirty: dict[tuple[str, str], _Entry] = {}  # changed since the last flush
        self.max_rows = max_rows
        self.batch = 0
        self.position: int | None = None

    def next_batch(self, position: int | None = None) -> None:
        """Called after a commit (at tracking ``position``): forget the rows not used by
        the last batch when full."""
        if len(self.entries) > self.max_rows:
            batch = self.batch
            self.entries = {k: e for k, e in self.entries.items() if e.used == batch}
        self.batch += 1
        self.position = position

    def clear(self) -> None:
        self.entries.clear()
        self.dirty.clear()
        self.position = None


Ops = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]],
            list[tuple[Any, ...]]]
Predecessor = Callable[[str, int], "tuple[int, Head, bytes] | None"]


def plan_versions(key_entries: list[tuple[str, _Entry]], predecessor: Predecessor) -> Ops:
    """The row operations (deletes, closes, rewrites, inserts) that bring the stored
    versions of these rows up to date, and the entries up to what is then stored.

    Per row: one version per distinct moment (the state after its last change at that
    moment), none that repeats the state before it. The stored current version is where the
    new ones start; when its own state is replaced (a change at the same moment, the batch
    having been cut between two events of one moment), the stored one before it is needed
    too (``predecessor(key, t)``, unless the entry knows it), so that a state returning to
    the previous one leaves no version behind, as if the batch had not been cut.

    deletes: (key, valid_from); closes: (valid_to, key, valid_from); rewrites: (valid_to,
    municipality, status, doc, key, valid_from); inserts: (key, valid_from, valid_to,
    municipality, status, doc).
    """
    deletes: list[tuple[Any, ...]] = []
    closes: list[tuple[Any, ...]] = []
    rewrites: list[tuple[Any, ...]] = []
    inserts: list[tuple[Any, ...]] = []
    for key, entry in key_entries:
        if not entry.frozen and entry.t is not None and (
                entry.base_t is None or entry.t > entry.base_t):
            # the common case: one change at a later moment than the stored version
            assert entry.doc is not None
            t, m = entry.t, _head(entry.municipality, entry.doc)
            text = pack(entry.doc)
            entry.t = None
            if entry.base_t is None:
                inserts.append((key, t, OPEN, m[0], m[1], text))
                entry.prev = None
            elif (m, text) != (entry.base_m, entry.base_packed):
                closes.append((t, key, entry.base_t))
                inserts.append((key, t, OPEN, m[0], m[1], text))
                entry.prev = (entry.base_t, entry.base_m, entry.base_packed)
            else:
                continue  # unchanged: no new version
            entry.base_t, entry.base_m, entry.base_packed = t, m, text
        elif entry.frozen or entry.t is not None:
            _plan_chain(key, entry, predecessor, deletes, closes, rewrites, inserts)
    return deletes, closes, rewrites, inserts


def _plan_chain(key: str, entry: _Entry, predecessor: Predecessor, deletes: list[Any],
                closes: list[Any], rewrites: list[Any], inserts: list[Any]) -> None:
    """The general case of :func:`plan_versions`; each version is [t, head, text, stored
    valid_to or None for a new one]."""
    chain: list[list[Any]] = []
    stored: dict[int, tuple[int, Head, bytes]] = {}
    if entry.base_t is not None:
        chain.append([entry.base_t, entry.base_m, entry.base_packed, OPEN])
        stored[entry.base_t] = (OPEN, entry.base_m, entry.base_packed)
    head_known = entry.base_t is None
    changes = list(entry.frozen)
    if entry.t is not None:
        assert entry.doc is not None
        changes.append((entry.t, _head(entry.municipality, entry.doc), pack(entry.doc)))
    for t, m, text in changes:
        if chain and t <= chain[-1][0]:  # the same moment: the state after it changes
            if len(chain) == 1 and not head_known:
                head_known = True
                prev = entry.prev if entry.prev is not _UNKNOWN else predecessor(key,
                                                                                 chain[0][0])
                if prev is not None:
                    base_t = chain[0][0]
                    chain.insert(0, [prev[0], prev[1], prev[2], base_t])
                    stored[prev[0]] = (base_t, prev[1], prev[2])
            if len(chain) > 1 and (chain[-2][1], chain[-2][2]) == (m, text):
                chain.pop()
            else:
                chain[-1][1], chain[-1][2] = m, text
        elif chain and (chain[-1][1], chain[-1][2]) == (m, text):
            continue  # unchanged: no new version
        else:
            chain.append([t, m, text, None])
    kept = {v[0] for v in chain if v[3] is not None}
    deletes.extend((key, t) for t in stored if t not in kept)
    for i, (t, m, text, was) in enumerate(chain):
        valid_to = chain[i + 1][0] if i + 1 < len(chain) else OPEN
        if was is None:
            inserts.append((key, t, valid_to, m[0], m[1], text))
        elif (m, text) != stored[t][1:]:
            rewrites.append((valid_to, m[0], m[1], text, key, t))
        elif valid_to != stored[t][0]:
            closes.append((valid_to, key, t))
    entry.frozen, entry.t = [], None
    if not chain:  # pragma: no cover - a row never loses its first version
        entry.base_t, entry.prev = None, None
        return
    last = chain[-1]
    if len(chain) > 1:
        entry.prev = (chain[-2][0], chain[-2][1], chain[-2][2])
    elif not stored:
        entry.prev = None
    elif last[0] != entry.base_t:  # the stored one before the base is the last now
        entry.prev = _UNKNOWN
    entry.base_t, entry.base_m, entry.base_packed = last[0], last[1], last[2]
