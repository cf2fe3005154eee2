"""The event store's faster cipher (``application.cipher:AesGcmCipher``) is eventsourcing's
``AESCipher`` format: a store encrypted by one is read by the other, so switching
``CIPHER_TOPIC`` needs no migration; and the events are encrypted at rest either way."""

from __future__ import annotations

import pytest
from eventsourcing.cipher import AESCipher

from application.clock import ManualClock
from application.service import AllocationService
from tests.builders import MUNICIPALITY, person_number, waiting_case

OURS = "application.cipher:AesGcmCipher"
THEIRS = "eventsourcing.cipher:AESCipher"


@pytest.mark.parametrize("first,then", [(THEIRS, OURS), (OURS, THEIRS)])
def test_a_store_encrypted_by_one_cipher_is_read_by_the_other(
        store_env: dict[str, str], clock: ManualClock, first: str, then: str) -> None:
    key = AESCipher.create_key(num_bytes=32)
    number = person_number()
    writer = AllocationService(env={**store_env, "CIPHER_TOPIC": first, "CIPHER_KEY": key},
                               clock=clock)
    try:
        case_id = waiting_case(writer, name="Synnøve Hemmelig")
        stored = writer.recorder.select_events(case_id)
        assert stored and all(b"Hemmelig" not in e.state for e in stored)
        other = writer.receive_application(MUNICIPALITY, identity_number=number, name="Ola")
    finally:
        writer.close()
    reader = AllocationService(env={**store_env, "CIPHER_TOPIC": then, "CIPHER_KEY": key},
                               clock=clock)
    try:
        assert reader.get_case(MUNICIPALITY, case_id).person.name == "Synnøve Hemmelig"
        assert reader.get_case(MUNICIPALITY, other).person.identity_number == number
        waiting_case(reader)  # and it goes on writing
    finally:
        reader.close()
    wrong = AllocationService(env={**store_env, "CIPHER_TOPIC": then,
                                   "CIPHER_KEY": AESCipher.create_key(num_bytes=32)},
                              clock=clock)
    try:
        with pytest.raises(ValueError, match="damaged"):
            wrong.get_case(MUNICIPALITY, case_id)
    finally:
        wrong.close()
