"""Small helpers the route modules share."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query
from fastapi.encoders import jsonable_encoder
from pydantic import AfterValidator, BeforeValidator

from api.auth import Principal
from api.deps import Runtime
from domain.base import OSLO, local_date

#: Keys that name or identify a person; managers never see them (Principal.sees_identity).
PERSONAL_KEYS = frozenset({
    "name", "person", "person_name", "identity_number", "identity_number_masked",
    "birth_date", "case_id", "case_ids", "spouse_case_id", "complaint_id", "subject_id",
})


def actor(principal: Principal) -> str:
    """The name a command records as who did it (decided_by, recorded_by, ...)."""
    return principal.name.strip() or principal.subject


def today(rt: Runtime) -> date:
    return local_date(rt.service.clock.now())


_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}.*)?$")

#: The moments a query may name: where UTC and Norwegian local time can both write them,
#: with a year to spare for the calendar arithmetic of the views (near year 1 or 9999 a
#: time zone would carry the moment out of the calendar: an OverflowError, never a 500).
EARLIEST = datetime(2, 1, 1, tzinfo=UTC)
LATEST = datetime(9998, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


def _iso_only(value: Any) -> Any:
    """A moment in a query is ISO 8601 (pydantic would also take a number as a Unix time:
    ``?at=1`` must be refused, not read as 1970)."""
    if isinstance(value, str) and not _ISO_MOMENT.match(value):
        raise ValueError("an ISO 8601 moment, e.g. 2026-03-02T08:00:00+01:00")
    return value


def in_calendar(at: datetime) -> datetime | None:
    """``at`` with its time zone (none given: Norwegian local time), or None when it lies
    outside :data:`EARLIEST`–:data:`LATEST`."""
    aware = at if at.tzinfo is not None else at.replace(tzinfo=OSLO)
    try:
        utc = aware.astimezone(UTC)
    except OverflowError:
        return None
    return aware if EARLIEST <= utc <= LATEST else None


def _in_calendar(value: datetime | None) -> datetime | None:
    if value is not None and in_calendar(value) is None:
        raise ValueError("a moment between the years 2 and 9998")
    return value


At = Annotated[datetime | None, BeforeValidator(_iso_only), AfterValidator(_in_calendar),
               Query(description="R21: the view as it stood at this moment (ISO 8601; "
                     "without a zone, Norwegian local time; years 2–9998). Omit for now.")]


def moment(at: datetime) -> datetime:
    """A moment from a query: without a zone it is Norwegian local time."""
    return at if at.tzinfo is not None else at.replace(tzinfo=OSLO)


def plain(value: Any) -> Any:
    """A read-side result (dataclasses, enums, dates, UUIDs, Decimals) as plain JSON
    values; Decimals as strings so no øre is lost."""
    kind = type(value)
    if kind in _AS_IS or value is None:
        return value
    if kind is dict:
        return {k if type(k) is str else str(plain(k)): plain(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [plain(v) for v in value]
    names = _FIELDS.get(kind)
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(value))
    if names is not None:
        return {name: plain(getattr(value, name)) for name in names}
    if isinstance(value, dict):
        return {str(plain(k)): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, str | int | float | bool):
        return value
    return jsonable_encoder(value)


#: The types :func:`plain` returns as they are, and the field names of the dataclasses it
#: has met (``dataclasses.fields`` is slow to ask for every value of a long list).
_AS_IS = frozenset({str, int, float, bool})
_FIELDS: dict[type, tuple[str, ...]] = {}


def anonymize(value: Any) -> Any:
    """Remove every key that names or identifies a person, at any depth."""
    if isinstance(value, dict):
        return {k: anonymize(v) for k, v in value.items() if k not in PERSONAL_KEYS}
    if isinstance(value, list):
        return [anonymize(v) for v in value]
    return value


def case_ids_in(value: Any) -> list[str]:
    """Every ``case_id`` (and ``spouse_case_id``) named at any depth of a plain value."""
    found: list[str] = []

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            for k, x in v.items():
                if k in ("case_id", "spouse_case_id") and isinstance(x, str):
                    found.append(x)
                else:
                    walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(value)
    return list(dict.fromkeys(found))
