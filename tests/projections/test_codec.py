"""How the read models store a document (:mod:`projections.codec`), and what happens to
tables an earlier release wrote in another layout: the read side drops them and replays the
log at its next start, so nothing the screens show is lost."""

from __future__ import annotations

import orjson
import pytest
import zstandard

from projections import codec
from projections.read_side import ReadSide
from projections.store import HISTORY_TABLE
from tests.builders import MUNICIPALITY as M
from tests.builders import waiting_case

CASE_DOC = {
    "case_id": "997a504e-f58d-45b2-aa21-af96a86f1cd9", "municipality": "4601",
    "name": "Åse Ødegård", "status": "waiting", "need_score": 16,
    "factors": {"function": 3, "nutrition": 3}, "urgent": False, "urgency_reason": None,
    "interim_services": [["hjemmesykepleie", "to besøk daglig"]],
    "offers": {}, "decisions": [{"decided_on": "2026-01-08", "kind": "waiting_list",
                                 "place_type": "screened", "deadline": "2026-04-08"}],
}


def test_a_document_reads_back_exactly_and_always_packs_to_the_same_bytes():
    packed = codec.pack(CASE_DOC)
    assert codec.unpack(packed) == CASE_DOC
    assert codec.pack(orjson.loads(orjson.dumps(CASE_DOC))) == packed  # versions compare
    assert orjson.loads(codec.text(packed)) == CASE_DOC
    assert codec.readable(packed)
    assert len(packed) < len(orjson.dumps(CASE_DOC)) / 2


def test_json_text_and_frames_of_another_dictionary_are_not_readable():
    other = zstandard.train_dictionary(
        1024, [orjson.dumps({"n": i, "word": f"ord {i}" * (i % 7)}) for i in range(400)])
    foreign = zstandard.ZstdCompressor(dict_data=other).compress(orjson.dumps(CASE_DOC))
    assert not codec.readable(foreign)
    assert not codec.readable(orjson.dumps(CASE_DOC).decode())
    assert not codec.readable(b"not a frame")


def _replace_table(read: ReadSide, table: str, columns: str) -> None:
    """Put a table of another layout where ``table`` is (as an earlier release left it)."""
    name = table if read.view.dialect == "sqlite" else \
        f'"{read.view.datastore.schema}"."{table}"'
    with read.view.datastore.transaction(commit=True) as c:
        c.execute(f"DROP TABLE {name}")
        c.execute(f"CREATE TABLE {name} ({columns})")


@pytest.mark.parametrize("layout", ["json_text", "other_dictionary", "history_documents",
                                    "case_without_the_guarantee"])
def test_read_models_of_an_earlier_layout_are_replayed_from_the_log(service, read, layout):
    case_id = waiting_case(service, name="Anna")
    read.catch_up()
    assert [e.name for e in read.waiting_list(M)] == ["Anna"]
    if layout == "json_text":
        _replace_table(read, "lto_rm_case", "key TEXT, valid_from BIGINT, valid_to BIGINT, "
                       "municipality TEXT, status TEXT, doc TEXT")
    elif layout == "history_documents":
        _replace_table(read, HISTORY_TABLE, "case_id TEXT, version INTEGER, "
                       "municipality TEXT, doc TEXT")
    elif layout == "case_without_the_guarantee":  # folded before the guarantee was one value
        with read.view.reading() as store:
            table = store.name("lto_rm_case")
        with read.view.datastore.transaction(commit=True) as c:
            c.execute(f"UPDATE {table} SET doc = %s" if read.view.dialect == "postgres"
                      else f"UPDATE {table} SET doc = ?", (codec.pack(CASE_DOC),))
    else:
        other = zstandard.train_dictionary(
            1024, [orjson.dumps({"n": i, "w": f"ord {i}" * (i % 7)}) for i in range(400)])
        foreign = zstandard.ZstdCompressor(dict_data=other).compress(b'{"status":"waiting"}')
        with read.view.reading() as store:
            table = store.name("lto_rm_case")
        with read.view.datastore.transaction(commit=True) as c:
            c.execute(f"UPDATE {table} SET doc = %s" if read.view.dialect == "postgres"
                      else f"UPDATE {table} SET doc = ?", (foreign,))
    again = ReadSide(service)  # as at the next start of the service
    try:
        assert again.position() == 0
        again.catch_up()
        assert [e.name for e in again.waiting_list(M)] == ["Anna"]
        history = again.case_history(case_id)
        assert history[0].event == "ApplicationReceived"
        assert [h.version for h in history] == list(range(1, len(history) + 1))
    finally:
        again.stop()
