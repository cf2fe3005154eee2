"""How the read models store a document: compact JSON (orjson), compressed with zstd and a
dictionary trained on read-model documents (``documents.zdict`` beside this module).

Why: a read-model row is a small JSON document, and a temporal table keeps one per version.
Most of a document is the same field names and values again and again (a case version is
about 1.2 KB of JSON), which zstd with a dictionary of those shares cuts to a sixth in a
few microseconds — so a rebuild writes a sixth of the pages, and the tables, their write-
ahead log and the page cache hold six times as many rows. Decompressing a document costs
less than parsing its JSON.

The format: every stored document is one zstd frame (level 1, with the content size and
the dictionary's id, no checksum) of the document's JSON text; the same document always
gives the same bytes (versions are compared as bytes). A frame names its dictionary, so
rows written with another dictionary are recognised (:func:`readable`), and the read side
then rebuilds its tables from the log (the read models are a cache of the log).

The dictionary is data, not code. It was trained on the demo municipality's history (no
real person is in it), not on the benchmark's, so the benchmark measures what a
municipality would get::

    SQLITE_DBNAME=/tmp/demo.sqlite python -m application.cli seed-demo
    python -m projections.codec train /tmp/demo.sqlite

``train`` folds the history in memory and trains a new dictionary from the documents the
fold writes. A new dictionary changes the layout: the first start after it rebuilds the
read models.
"""

from __future__ import annotations

import argparse
import random
import threading
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import zstandard

DICTIONARY_PATH = Path(__file__).with_name("documents.zdict")
LEVEL = 1


@cache
def dictionary() -> zstandard.ZstdCompressionDict:
    """The dictionary (read once, on first use)."""
    return zstandard.ZstdCompressionDict(DICTIONARY_PATH.read_bytes())

_local = threading.local()  # zstd (de)compressors are not thread-safe: one per thread


def _compressor() -> Any:
    try:
        return _local.compress
    except AttributeError:
        _local.compress = zstandard.ZstdCompressor(
            level=LEVEL, dict_data=dictionary(), write_checksum=False).compress
        return _local.compress


def _decompressor() -> Any:
    try:
        return _local.decompress
    except AttributeError:
        _local.decompress = zstandard.ZstdDecompressor(dict_data=dictionary()).decompress
        return _local.decompress


def pack(doc: Any) -> bytes:
    """A document (JSON-native values) as the stored bytes."""
    return _compressor()(orjson.dumps(doc))  # type: ignore[no-any-return]


def unpack(data: bytes) -> Any:
    """The document stored as ``data``."""
    return orjson.loads(_decompressor()(data))


def text(data: bytes) -> str:
    """The JSON text of a stored document (for people and tests)."""
    return _decompressor()(data).decode()  # type: ignore[no-any-return]


def readable(data: Any) -> bool:
    """Whether ``data`` (a stored document) was written with this dictionary."""
    if not isinstance(data, bytes | bytearray | memoryview):
        return False
    try:
        return zstandard.get_frame_parameters(bytes(data)).dict_id == dictionary().dict_id()
    except zstandard.ZstdError:
        return False


# --- training -----------------------------------------------------------------------------


def train(env: dict[str, str], events: int, size: int = 16_384, seed: int = 1) -> bytes:
    """A dictionary of ``size`` bytes from the documents the fold writes for the first
    ``events`` events of the log in ``env``'s event store."""
    from application.service import AllocationService
    from projections.fold import apply_event
    from projections.store import MemoryStore

    class Sampling(MemoryStore):
        def __init__(self) -> None:
            super().__init__()
            self.samples: list[bytes] = []

        def put(self, table: str, key: str, municipality: str, doc: Any) -> None:
            super().put(table, key, municipality, doc)
            self.samples.append(orjson.dumps(doc))

    app = AllocationService(env=env)
    try:
        store = Sampling()
        start = 1
        while start <= events:
            batch = app.recorder.select_notifications(start=start, limit=min(
                1000, events - start + 1))
            if not batch:
                break
            for n in batch:
                event = app.mapper.to_domain_event(n)
                store.moment, store.position = event.timestamp, n.id
                apply_event(store, event)
            start = batch[-1].id + 1
    finally:
        app.close()
    samples = random.Random(seed).sample(store.samples, min(len(store.samples), 40_000))
    return zstandard.train_dictionary(size, samples, level=LEVEL).as_bytes()  # type: ignore[no-any-return]


def main() -> None:  # pragma: no cover - a maintainer's tool
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("train", help="train a new dictionary from a history")
    cmd.add_argument("events_db", help="an SQLite event store with a synthetic history")
    cmd.add_argument("--events", type=int, default=1_000_000)
    cmd.add_argument("--out", type=Path, default=DICTIONARY_PATH)
    args = parser.parse_args()
    data = train({"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                  "SQLITE_DBNAME": args.events_db}, args.events)
    args.out.write_bytes(data)
    print(f"{args.out}: {len(data)} bytes, id {zstandard.ZstdCompressionDict(data).dict_id()}")


if __name__ == "__main__":  # pragma: no cover
    main()
