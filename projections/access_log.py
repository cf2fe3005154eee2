"""The access log by case (tilgangslogg, pasientjournalloven § 18): for each case, every
logged request that touched its personal data — who, in which role, did what, when, and
whether it was allowed. What the person may ask to see.

**Rows.** Only ever appended (no versions: an entry never changes). A request that named
cases one by one is a row for each of them (with the same ``entry_id``). A list of persons
it showed (:class:`~domain.access.ListView`) is *one* row, under the list's key
(:func:`view_key`: the municipality and the list), at the moment the list stood as; its
document holds the view. A refused attempt that named no case is in the event log only.

**Who saw my case.** A case's log is its own rows and the list views that showed it. The
list views are found from the temporal read models, without reproducing each list:

1. the case row's versions say when it was on the waiting list (its status, a column) and
   with which order key (:func:`domain.order.waiting_order_key`: it changes when the case is
   assessed or granted);
2. a view records the order keys of its page's first and last row (``lo_key``, ``hi_key``:
   :attr:`domain.access.ListView.bounds`, as text whose byte order is the keys' order); the
   views of the case's municipality whose moment lies in a version's span and whose bounds
   hold that version's key are the views it was on — one indexed range and a comparison of
   two columns per version, whatever the number of views logged;
3. views recorded before the bounds were (version 2 entries) are decided as then: a view
   that showed the whole list showed it; for a page, the case's rank at the view's moment
   decides (the rows on the list in the views' span read once and swept in time order).

This is the same answer as reproducing each list (``ReadSide.as_of(view.moment)``, its page)
and looking for the case, which a test holds it to.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, insort
from collections.abc import Callable
from datetime import datetime
from typing import Any

from domain.access import AccessLogEntry, ListView
from domain.order import OrderKey, order_text
from projections.store import ACCESS_TABLE, Doc, SqlStore, Store, micros

# The fold imports this module for apply_access; the case table's names and the waiting
# list's order come from modules that import the fold, so they are imported where used.


def view_key(municipality: str, list_name: str) -> str:
    """The key the access table keeps a list's views under (beside the cases' ids)."""
    return f"view:{municipality}:{list_name}"


def apply_access(store: Store, e: Any) -> None:
    """Append one access-log entry to the log of each case it named, and each list view it
    records to its list's rows."""
    if not isinstance(e, AccessLogEntry.Recorded):
        return
    entry_id = str(e.originator_id)
    entry = {
        "entry_id": entry_id, "municipality": e.municipality,
        "at": e.timestamp.isoformat(), "actor": e.actor, "role": e.role, "action": e.action,
        "allowed": e.allowed, "detail": e.detail,
    }
    at = micros(e.timestamp)
    for case_id in dict.fromkeys(e.case_ids):  # a case named twice is logged once
        store.add_access(str(case_id), entry_id, e.municipality, at, entry)
    for view in getattr(e, "views", None) or ():
        shown = ListView.from_dict(view)
        store.add_access(view_key(e.municipality, view["list"]), entry_id, e.municipality,
                         micros(shown.moment), {**entry, "view": view}, shown.bounds)


def access_log(store: Store, municipality: str, case_id: str) -> list[Doc]:
    """Who has accessed the case, newest first: every entry (:func:`access_log_page`)."""
    return access_log_page(store, municipality, case_id)[0]


def access_log_page(store: Store, municipality: str, case_id: str, offset: int = 0,
                    limit: int | None = None) -> tuple[list[Doc], int]:
    """Who has accessed the case, newest first (entries of other municipalities never show):
    the entries that named it, and the list views that showed it (on the SQL stores, which
    keep the rows' versions; a memory store knows only the entries). Returns the entries
    from ``offset`` (``limit`` of them; all when None) and how many there are.

    Newest first is the log's order (an entry's position, ``seq``). Only the page's
    entries are read whole: the rows are found by an index that holds the keys they are
    found by (``…_span``: the list, the moment, the bounds, the position and the entry)."""
    end = None if limit is None else offset + limit
    if not isinstance(store, SqlStore):
        entries = [x for x in store.access_entries(case_id)
                   if x["municipality"] == municipality]
        entries.reverse()  # oldest first from the store: newest first
        return entries[offset:end], len(entries)
    store.flush()
    found = _own_rows(store, municipality, case_id) + \
        _views_showing(store, municipality, case_id)
    if store.as_of is not None:  # a view's moment is not when it was logged: read them
        until = micros(store.as_of)
        docs = [(seq, doc) for seq, doc in _docs(store, found) if _logged(doc) <= until]
        docs.sort(key=lambda r: r[0], reverse=True)
        return [doc for _, doc in docs[offset:end]], len(docs)
    found.sort(key=lambda r: r[0], reverse=True)
    chosen = found[offset:end]
    docs = dict(((key, seq), doc) for seq, doc, key in _docs(store, chosen, keyed=True))
    return [docs[(key, seq)] for seq, key, _ in chosen], len(found)


Found = list[tuple[int, str, str]]  # (seq, the row's key, entry id)


def _own_rows(store: SqlStore, municipality: str, case_id: str) -> Found:
    """The rows of the entries that named the case (as of a moment: those logged by then,
    ``at`` being when an entry naming cases was logged)."""
    where, params = "case_id = %s AND municipality = %s", [case_id, municipality]
    if store.as_of is not None:
        where, params = where + " AND at <= %s", [*params, micros(store.as_of)]
    store.execute(f"SELECT seq, entry_id FROM {store.name(ACCESS_TABLE)} WHERE {where}",
                  params)
    return [(r["seq"], case_id, r["entry_id"]) for r in store.cursor.fetchall()]


def _docs(store: SqlStore, found: Found, keyed: bool = False) -> list[Any]:
    """The documents of ``found``'s rows, a few hundred a query: (seq, document), with the
    row's key when ``keyed``."""
    by_key: dict[str, list[str]] = {}
    for _, key, entry_id in found:
        by_key.setdefault(key, []).append(entry_id)
    out: list[Any] = []
    for key, entry_ids in by_key.items():
        for seq, doc in _row_docs(store, key, entry_ids):
            out.append((seq, doc, key) if keyed else (seq, doc))
    return out


def _logged(doc: Doc) -> int:
    return micros(datetime.fromisoformat(doc["at"]))


def _views_showing(store: SqlStore, municipality: str, case_id: str) -> Found:
    """The rows of the list views of ``municipality`` that showed the case (any logged
    after the store's moment too: their documents say when they were logged)."""
    from projections.fold import CASE, ON_LIST
    from projections.waiting_list import LIST_NAME, order_key

    store.execute(f"SELECT valid_from, valid_to, status, doc FROM {store.name(CASE)} "
                  "WHERE key = %s AND municipality = %s ORDER BY valid_from",
                  (case_id, municipality))
    versions = [(r["valid_from"], r["valid_to"], r["doc"]) for r in store.cursor.fetchall()
                if r["status"] in ON_LIST]  # the case's versions on the list
    if not versions:
        return []
    key = view_key(municipality, LIST_NAME)
    table = store.name(ACCESS_TABLE)
    found: Found = []
    for lo, hi, stored in versions:  # the views with bounds: the case's key between them
        mine = order_text(_order_key_of(store, case_id, lo, stored, order_key))
        store.execute(f"SELECT seq, entry_id FROM {table} WHERE case_id = %s AND at >= %s "
                      "AND at < %s AND lo_key <= %s AND hi_key >= %s",
                      (key, lo, hi, mine, mine))
        found += [(r["seq"], key, r["entry_id"]) for r in store.cursor.fetchall()]
    spans: list[list[int]] = []  # [from, to) while on the list
    for lo, hi, _ in versions:
        if spans and spans[-1][1] == lo:
            spans[-1][1] = hi
        else:
            spans.append([lo, hi])
    return found + _ranked_views(store, municipality, case_id, key, spans)


def _ranked_views(store: SqlStore, municipality: str, case_id: str, key: str,
                  spans: list[list[int]]) -> Found:
    """The views recorded without bounds (before they were) in ``spans`` that showed the
    case: a whole list showed it; for a page, its rank at the view's moment decides."""
    table = store.name(ACCESS_TABLE)
    rows: list[tuple[int, str]] = []  # (seq, entry id) of the views in the spans
    for lo, hi in spans:
        store.execute(f"SELECT seq, entry_id FROM {table} WHERE case_id = %s AND at >= %s "
                      "AND at < %s AND lo_key IS NULL ORDER BY at, seq", (key, lo, hi))
        rows += [(r["seq"], r["entry_id"]) for r in store.cursor.fetchall()]
    if not rows:
        return []
    known = {e: _VIEWS.get((key, e)) for _, e in rows}
    known.update(_remember_views(store, key, [e for e, v in known.items() if v is None]))
    found: list[str] = []
    paged: list[tuple[str, int, int, int]] = []  # (entry id, moment, first, last)
    for _, entry_id in rows:
        _, whole, moment, first, last = known[entry_id]  # type: ignore[misc]
        if whole:
            found.append(entry_id)
        else:
            paged.append((entry_id, moment, first, last))
    if paged:
        ranks = _ranks(store, municipality, case_id, sorted({p[1] for p in paged}))
        found += [entry_id for entry_id, moment, first, last in paged
                  if first < ranks.get(moment, 0) <= last]
    seqs = dict((e, seq) for seq, e in rows)
    return [(seqs[e], key, e) for e in found]


def _row_docs(store: SqlStore, key: str, entry_ids: list[str]) -> list[tuple[int, Doc]]:
    """The (seq, document) of the rows of these entries under ``key`` (a case's own, or a
    list's views), a few hundred a query."""
    out: list[tuple[int, Doc]] = []
    for i in range(0, len(entry_ids), 500):
        chunk = entry_ids[i:i + 500]
        store.execute(f"SELECT seq, doc FROM {store.name(ACCESS_TABLE)} WHERE case_id = %s "
                      f"AND entry_id IN ({', '.join(['%s'] * len(chunk))})", [key, *chunk])
        out += [(r["seq"], store.unpack(r["doc"])) for r in store.cursor.fetchall()]
    return out


def _remember_views(store: SqlStore, key: str, entry_ids: list[str]
                    ) -> dict[str, tuple[int, bool, int, int, int]]:
    """These list views' rows decoded (and remembered in :data:`_VIEWS`), by entry id."""
    out = {}
    for _, doc in _row_docs(store, key, entry_ids):
        view = ListView.from_dict(doc["view"])
        out[doc["entry_id"]] = (_logged(doc), view.whole, micros(view.moment), view.offset,
                                view.offset + view.limit)
    if len(_VIEWS) + len(out) > _VIEWS_MAX:
        _VIEWS.clear()
    _VIEWS.update({(key, e): v for e, v in out.items()})
    return out


#: What "who saw my case" needs of a list view's row, by (list key, entry id): when it was
#: logged, whether it showed the whole list, the moment the list stood as and the ranks the
#: page held (after ``first``, up to ``last``). Access rows are only ever appended, so what
#: is remembered never goes stale; only the views that showed the case are decoded whole.
_VIEWS: dict[tuple[str, str], tuple[int, bool, int, int, int]] = {}
_VIEWS_MAX = 200_000


#: The order keys of case versions already decoded, by (key, valid_from, a digest of the
#: stored bytes): a version's bytes decide its key, so a version rewritten in place (the
#: newest, when a batch was cut between two events of one moment) is simply another entry.
#: Most versions a "who saw my case" sweeps are the same from one request to the next.
_ORDER_KEYS: dict[tuple[str, int, bytes], OrderKey] = {}
_ORDER_KEYS_MAX = 50_000


def _order_key_of(store: SqlStore, key: str, valid_from: int, stored: bytes,
                  order_key: Callable[[Doc], OrderKey]) -> OrderKey:
    memo = (key, valid_from, hashlib.blake2b(stored, digest_size=16).digest())
    found = _ORDER_KEYS.get(memo)
    if found is None:
        found = order_key(store.unpack(stored))
        if len(_ORDER_KEYS) >= _ORDER_KEYS_MAX:
            _ORDER_KEYS.clear()
        _ORDER_KEYS[memo] = found
    return found


def _ranks(store: SqlStore, municipality: str, case_id: str, moments: list[int]
           ) -> dict[int, int]:
    """The case's rank on the waiting list at each of ``moments`` (ascending; the case is
    on the list at each): the rows on the list at some moment of their span are read once
    and swept in time order, keeping the order keys of the rows valid so far sorted."""
    from projections.fold import CASE, ON_LIST
    from projections.waiting_list import order_key

    lo, hi = moments[0], moments[-1]
    statuses = list(ON_LIST)
    store.execute(
        f"SELECT key, valid_from, valid_to, doc FROM {store.name(CASE)} "
        f"WHERE municipality = %s AND status IN ({', '.join(['%s'] * len(statuses))}) "
        "AND valid_from <= %s AND valid_to > %s",
        (municipality, *statuses, hi, lo))
    changes: list[tuple[int, int, OrderKey]] = []  # (moment, 0 = leaves / 1 = joins, key)
    own: list[tuple[int, int, OrderKey]] = []  # the case's versions: (from, to, key)
    for r in store.cursor.fetchall():
        k = _order_key_of(store, r["key"], r["valid_from"], r["doc"], order_key)
        changes.append((r["valid_from"], 1, k))
        changes.append((r["valid_to"], 0, k))
        if r["key"] == case_id:
            own.append((r["valid_from"], r["valid_to"], k))
    changes.sort(key=lambda c: (c[0], c[1]))
    keys: list[OrderKey] = []
    ranks: dict[int, int] = {}
    i = 0
    for t in moments:
        while i < len(changes) and changes[i][0] <= t:
            _, joins, k = changes[i]
            if joins:
                insort(keys, k)
            else:
                keys.pop(bisect_left(keys, k))
            i += 1
        mine = next((k for start, end, k in own if start <= t < end), None)
        if mine is not None:
            ranks[t] = bisect_left(keys, mine) + 1
    return ranks
