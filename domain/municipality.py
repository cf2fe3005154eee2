"""The municipality's own settings (kommuneprofil): its name and number, the allocation unit
(tildelingsenheten) with its postal and visiting addresses, phone and email — where a
complaint is sent (forvaltningsloven § 32) —, the county's State Administrator
(Statsforvalteren, who decides a complaint the unit does not change, § 33) with its
address, and the facilities (R1: nursing homes and 24-hour housing) with their names,
addresses and kinds.

One aggregate per municipality, versioned like the policy: every change is a new version
saying who made it, when and why. A profile whose addresses are made up for the demo says so
(``demo``), and the letters and pages say it too: nothing pretends to be real.

A facility keeps the id the places name it by (``facility_id``); users choose facilities by
name, and a new facility gets its id made from its name by the domain (never typed).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.base import Base, check_municipality
from domain.errors import InvalidValue
from domain.text import check_text
from domain.values import FacilityKind

_NS = uuid5(NAMESPACE_URL, "urn:langtidsopphold:municipality-profile")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ]{8,20}$")
MAX_LINES = 5
MAX_FACILITIES = 200


def profile_id(municipality: str) -> UUID:
    """One profile stream per municipality."""
    return uuid5(_NS, municipality)


@dataclass(frozen=True)
class Facility:
    """A facility of the municipality (R1): a nursing home (sykehjem) or 24-hour housing."""

    facility_id: str
    name: str
    kind: FacilityKind
    address: tuple[str, ...] = ()


@dataclass(frozen=True)
class Profile:
    """What the municipality says of itself, in one version."""

    name: str  # "Bergen kommune"
    unit_name: str  # the allocation unit
    postal_address: tuple[str, ...] = ()  # the unit's, line by line
    visiting_address: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""
    state_administrator: str = ""  # "Statsforvalteren i Vestland"
    state_administrator_address: tuple[str, ...] = ()
    facilities: tuple[Facility, ...] = ()
    demo: bool = False  # made-up addresses for the demo, said on every letter

    def facility(self, facility_id: str) -> Facility | None:
        return next((f for f in self.facilities if f.facility_id == facility_id), None)


def slug(name: str) -> str:
    """A facility's id made from its name: lower case ASCII letters, digits and dashes."""
    folded = name.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "institusjon"


def _line(field_name: str, value: Any, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidValue(field_name, "must be text")
    check_text(field_name, value)
    if required and not value.strip():
        raise InvalidValue(field_name, "is required")
    return value.strip()


def _lines(field_name: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise InvalidValue(field_name, "a list of lines")
    if len(value) > MAX_LINES:
        raise InvalidValue(field_name, f"at most {MAX_LINES} lines")
    lines = tuple(_line(f"{field_name}.{i}", v) for i, v in enumerate(value))
    return tuple(v for v in lines if v)


def validate_profile(raw: dict[str, Any], before: Profile | None = None) -> Profile:
    """A profile from plain values (as an event or a request carries it), or
    :class:`InvalidValue` naming the first field that is wrong. A facility without an id
    gets one from its name (unique within the profile); one with an id keeps it."""
    if not isinstance(raw, dict):
        raise InvalidValue("profile", "must be an object")
    email = _line("email", raw.get("email"))
    if email and not _EMAIL.match(email):
        raise InvalidValue("email", "not an email address")
    phone = _line("phone", raw.get("phone"))
    if phone and not _PHONE.match(phone):
        raise InvalidValue("phone", "a phone number: digits and spaces, + first if abroad")
    facilities_raw = raw.get("facilities") or []
    if not isinstance(facilities_raw, list | tuple):
        raise InvalidValue("facilities", "a list of facilities")
    if len(facilities_raw) > MAX_FACILITIES:
        raise InvalidValue("facilities", f"at most {MAX_FACILITIES} facilities")
    facilities: list[Facility] = []
    ids: set[str] = set()
    names: set[str] = set()
    for i, f in enumerate(facilities_raw):
        where = f"facilities.{i}"
        if isinstance(f, Facility):
            f = {"facility_id": f.facility_id, "name": f.name, "kind": f.kind.value,
                 "address": list(f.address)}
        if not isinstance(f, dict):
            raise InvalidValue(where, "a facility: name, kind and address")
        name = _line(f"{where}.name", f.get("name"), required=True)
        if name.lower() in names:
            raise InvalidValue(f"{where}.name", "two facilities have the same name")
        names.add(name.lower())
        try:
            kind = FacilityKind(f.get("kind"))
        except ValueError:
            raise InvalidValue(f"{where}.kind", "nursing_home or housing_24h (R1)") from None
        given = f.get("facility_id")
        if given:
            facility_id = _line(f"{where}.facility_id", given)
        else:
            facility_id, n = slug(name), 2
            while facility_id in ids:
                facility_id, n = f"{slug(name)}-{n}", n + 1
        if facility_id in ids:
            raise InvalidValue(f"{where}.facility_id", "two facilities have the same id")
        ids.add(facility_id)
        facilities.append(Facility(facility_id, name, kind,
                                   _lines(f"{where}.address", f.get("address"))))
    if before is not None:  # a facility's id is kept while places may name it
        for old in before.facilities:
            if old.facility_id not in ids:
                raise InvalidValue("facilities", f"the facility «{old.name}» cannot be "
                                   "removed: places and wishes may name it")
    demo = raw.get("demo", False)
    if not isinstance(demo, bool):
        raise InvalidValue("demo", "must be true or false")
    return Profile(
        name=_line("name", raw.get("name"), required=True),
        unit_name=_line("unit_name", raw.get("unit_name"), required=True),
        postal_address=_lines("postal_address", raw.get("postal_address")),
        visiting_address=_lines("visiting_address", raw.get("visiting_address")),
        phone=phone, email=email,
        state_administrator=_line("state_administrator", raw.get("state_administrator"),
                                  required=True),
        state_administrator_address=_lines("state_administrator_address",
                                           raw.get("state_administrator_address")),
        facilities=tuple(facilities), demo=demo)


def profile_dict(profile: Profile) -> dict[str, Any]:
    """A profile as plain JSON values (what its events carry)."""
    return {
        "name": profile.name, "unit_name": profile.unit_name,
        "postal_address": list(profile.postal_address),
        "visiting_address": list(profile.visiting_address),
        "phone": profile.phone, "email": profile.email,
        "state_administrator": profile.state_administrator,
        "state_administrator_address": list(profile.state_administrator_address),
        "facilities": [{"facility_id": f.facility_id, "name": f.name, "kind": f.kind.value,
                        "address": list(f.address)} for f in profile.facilities],
        "demo": profile.demo,
    }


@dataclass(frozen=True)
class ProfileVersion:
    number: int
    changed_at: datetime
    changed_by: str
    reason: str
    profile: Profile = field(compare=False)


class Municipality(Base):
    """The municipality's own settings, versioned (see the module's docstring)."""

    access_neutral = True  # no one's personal data: its saves carry no access-log entry

    class Registered(Base.Created):
        profile: dict[str, Any]
        changed_by: str
        reason: str

    class Changed(Base.Event):
        profile: dict[str, Any]
        changed_by: str
        reason: str

        def on(self, aggregate: Municipality) -> None:
            aggregate.versions.append(ProfileVersion(
                len(aggregate.versions) + 2, self.timestamp, self.changed_by, self.reason,
                validate_profile(self.profile)))

    def __init__(self, municipality: str, command_id: str | None, profile: dict[str, Any],
                 changed_by: str, reason: str, **_: Any) -> None:
        super().__init__(municipality, command_id)
        self.versions: list[ProfileVersion] = []
        self._first = (validate_profile(profile), changed_by, reason)

    @property
    def history(self) -> list[ProfileVersion]:
        """Every version, oldest first: who changed it, when and why."""
        first, by, why = self._first
        return [ProfileVersion(1, self.created_on, by, why, first), *self.versions]

    @property
    def current(self) -> Profile:
        return self.versions[-1].profile if self.versions else self._first[0]

    @property
    def current_version(self) -> int:
        return 1 + len(self.versions)

    @staticmethod
    def _check(changed_by: str, reason: str) -> None:
        if not isinstance(changed_by, str) or not changed_by.strip():
            raise InvalidValue("changed_by", "say who changes the profile")
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidValue("reason", "say why the profile is changed")

    @classmethod
    def register(cls, municipality: str, now: datetime, *, profile: dict[str, Any],
                 changed_by: str, reason: str, command_id: str | None = None
                 ) -> Municipality:
        check_municipality(municipality)
        cls._check(changed_by, reason)
        checked = profile_dict(validate_profile(profile))
        return cls._create(cls.Registered, id=profile_id(municipality), timestamp=now,
                           municipality=municipality, command_id=command_id,
                           profile=checked, changed_by=changed_by.strip(),
                           reason=reason.strip())

    def change(self, now: datetime, *, profile: dict[str, Any], changed_by: str, reason: str,
               command_id: str | None = None) -> None:
        self._check(changed_by, reason)
        checked = profile_dict(validate_profile(profile, before=self.current))
        self.trigger_event(self.Changed, timestamp=now, command_id=command_id,
                           profile=checked, changed_by=changed_by.strip(),
                           reason=reason.strip())


__all__ = ["Facility", "Municipality", "Profile", "ProfileVersion", "profile_dict",
           "profile_id", "slug", "validate_profile"]
