"""R12 (§ 3-3): the one order of the waiting list as text whose byte order is the order
(``domain.order.order_text``), which list views record as their pages' bounds."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.order import order_text, waiting_order_key

keys = st.builds(
    lambda urgent, score, since, case_id: waiting_order_key(
        urgent=urgent, need_score=score, waiting_since=since, case_id=str(case_id)),
    st.booleans(), st.one_of(st.none(), st.integers(0, 100)),
    st.dates(date(1990, 1, 1), date(2099, 12, 31)), st.uuids())


@given(keys, keys)
def test_r12_order_text_compares_as_the_order_keys(a, b):
    """As Python strings and as UTF-8 bytes (SQLite's and PostgreSQL's "C" collation)."""
    ta, tb = order_text(a), order_text(b)
    assert (a < b) == (ta < tb) == (ta.encode() < tb.encode())
    assert (a == b) == (ta == tb)


def test_r12_order_text_sorts_a_list_as_the_keys_do():
    people = [waiting_order_key(urgent=u, need_score=s, waiting_since=d, case_id=str(UUID(int=n)))
              for n, (u, s, d) in enumerate([
                  (False, None, date(2026, 1, 5)), (True, 10, date(2026, 3, 1)),
                  (False, 100, date(2026, 2, 1)), (False, 0, date(2025, 12, 1)),
                  (False, 100, date(2026, 1, 1)), (True, None, date(2026, 1, 1))])]
    assert sorted(people, key=order_text) == sorted(people)
    assert sorted(people)[0][0] is False  # an urgent grant first (R15)


def test_r12_order_text_refuses_a_need_score_outside_the_scale():
    key = waiting_order_key(urgent=False, need_score=101, waiting_since=date(2026, 1, 1),
                            case_id="x")
    with pytest.raises(ValueError, match="need score"):
        order_text(key)
