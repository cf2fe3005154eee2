"""How domain values travel through the event store's JSON transcoder.

eventsourcing 9.5's JSONTranscoder knows UUID, Decimal and datetime. Here we add ``date``,
every domain enum (by value, keeping its type) and the frozen value records (by field).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from enum import Enum
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain import values
from domain.complaint import ComplainantRole, ComplaintOutcome, ComplaintSubject


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class EnumAsValue(Transcoding):
    def __init__(self, enum_type: type[Enum]) -> None:
        self.type = enum_type
        self.name = f"enum:{enum_type.__name__}"

    def encode(self, obj: Enum) -> Any:
        return obj.value

    def decode(self, data: Any) -> Enum:
        return self.type(data)


class RecordAsDict(Transcoding):
    """A frozen dataclass as a dict of its fields (nested values are transcoded in turn)."""

    def __init__(self, record_type: type) -> None:
        self.type = record_type
        self.name = f"record:{record_type.__name__}"
        self.fields = tuple(f.name for f in dataclasses.fields(record_type))

    def encode(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self.fields}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


def domain_enums() -> list[type[Enum]]:
    return [
        v for v in vars(values).values()
        if isinstance(v, type) and issubclass(v, Enum) and v is not Enum
    ]


def domain_records() -> list[type]:
    return [
        v for v in vars(values).values()
        if isinstance(v, type) and dataclasses.is_dataclass(v) and v.__module__ == values.__name__
    ]


def register_domain_transcodings(transcoder: JSONTranscoder) -> None:
    transcoder.register(DateAsISO())
    for enum_type in domain_enums():
        transcoder.register(EnumAsValue(enum_type))
    for enum_type in (ComplaintSubject, ComplaintOutcome, ComplainantRole):  # R21
        transcoder.register(EnumAsValue(enum_type))
    for record_type in domain_records():
        transcoder.register(RecordAsDict(record_type))
