"""Figures kept between reads while the tables they come from are unchanged (issue 16).

Management's figures (statistics, R13) and the deadline monitor (R18, R19) are sums and
pages over the derived tables (:mod:`projections.derived`), and the vacancy board a reading
of three of them (the places that may be on it, the accompanying stays, other providers'
offers); under load the same few are asked for again and again while the tables change
seldom (a read's access-log entry, the commonest event, changes none of them). Each such
table has a token
(:data:`projections.store.STAMP_TABLE`) that every write changing its rows replaces in the
same transaction, so a figure computed in a read transaction that saw tokens ``T`` is the
figure of every later read transaction that sees ``T``: the token is read in the read's own
transaction, beside the figure it keys. A rebuild's new tables come with new tokens.

Only the live read models are cached (never a moment of the past, which the tables do not
hold, nor a store without tokens); per process, a few dozen figures, least recently used
dropped first. The values are frozen dataclasses, never changed by their readers (a list
of them is copied out).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

from projections.store import SqlStore

T = TypeVar("T")


class FigureCache:
    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, store: Any, tables: Iterable[str], key: Hashable, compute: Callable[[], T]
            ) -> T:
        """``compute()`` in ``store``'s read transaction, or the value it gave in an earlier
        one whose ``tables`` had the same tokens."""
        if not isinstance(store, SqlStore) or store.as_of is not None:
            return compute()
        stamps = store.stamps(tables)
        if None in stamps:
            return compute()
        full = (key, stamps)
        with self._lock:
            if full in self._items:
                self._items.move_to_end(full)
                self.hits += 1
                return _copy(self._items[full])
        value = compute()
        with self._lock:
            self.misses += 1
            self._items[full] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return _copy(value)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def _copy(value: T) -> T:
    return list(value) if isinstance(value, list) else value  # type: ignore[return-value]
