"""The access log (tilgangslogg): who read or changed which person's case, and when.

Pasientjournalloven § 18 gives the person the right to know who has had access to their
health information; the service therefore logs every request that touches a case's
personal data, and every refused attempt. One entry per request, as its own aggregate: a
busy day of reads never contends with work on the cases.

An entry lists every case whose personal data the request touched one by one (none for a
refused attempt that named no case), and every *list view* it showed (:class:`ListView`): a
list of persons is logged as the view itself — which list, its filters, its page, the moment
it stood as, and the read models' position — not as the ids of everyone on it, so an entry
costs the same for a list of ten persons or of ten thousand. The list as it stood is
reproducible from the log (see :class:`ListView`), which is how "who has seen my case" finds
the list views that showed a case.

The log is itself a log: anything in ``actor``, ``role`` or ``detail`` that looks like an
identity number (a login subject, a search term) is masked before it is recorded; an actor
that is nothing but an identity number is refused.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.base import Base, check_municipality
from domain.errors import InvalidValue

#: An action is a short lower-case verb phrase: "read_case", "write_case",
#: "read_waiting_list".
_ACTION = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
#: Eleven digits, optionally as six and five: a fødselsnummer, D- or H-number.
_IDENTITY_NUMBER = re.compile(r"(?<!\d)\d{6}\s?\d{5}(?!\d)")


def mask_identity_numbers(text: str) -> str:
    """Identity numbers never reach a log: each is replaced by eleven asterisks."""
    return _IDENTITY_NUMBER.sub("*" * 11, text)


def _case_ids(values: Sequence[UUID]) -> list[UUID]:
    """The case ids, each once, in the order first named (linear: a set remembers them)."""
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise InvalidValue("case_ids", "a list of case ids (empty when no case was touched)")
    out: dict[UUID, None] = {}
    for value in values:
        try:
            case_id = value if isinstance(value, UUID) else UUID(str(value))
        except ValueError:
            raise InvalidValue("case_ids", "each case id is a UUID") from None
        out[case_id] = None
    return list(out)


#: A list's name, like an action: "waiting_list".
_LIST = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
#: A filter's name and value: short, printable, no identity number (checked apart).
_FILTER_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_FILTER_VALUE_MAX = 64
_DIGEST = re.compile(r"^[0-9a-f]{32}$")
#: An order key as text (:func:`domain.order.order_text`): 5 + 10 characters and a case id.
_BOUND_MAX = 128


@dataclass(frozen=True)
class ListView:
    """One list of persons as a user was shown it: what an access-log entry records instead
    of the id of everyone on it.

    - ``list``: which list ("waiting_list"); the municipality is the entry's.
    - ``filters``: the view's filters as text (e.g. ``at`` for a list as of a past moment).
    - ``offset``, ``limit``: the page shown (rows ``offset + 1`` to ``offset + limit`` of the
      list in its order); ``total``: how many the whole list held.
    - ``moment``: the moment the list stood as: the read models' rows valid at that moment
      (``valid_from <= moment < valid_to``) are the rows the list was made of. For a list as
      of a past moment it is that moment; for the current list, the newest change to the
      list's rows the read models held.
    - ``position``: the notification id the read models held: folding the event log up to it
      gives the same rows, whatever happened after.
    - ``today``: the day days waited and left were counted to (they do not decide who is on
      the list, nor the order).
    - ``digest``: the first 32 hex digits of the SHA-256 of the page's case ids in order,
      one a line (:func:`page_digest`), so a reproduction can be checked to be the list shown.
    - ``bounds``: the order keys (:func:`domain.order.order_text`) of the page's first and
      last row, ``("", "")`` for an empty page; a case was on the page exactly when it was on
      the list at ``moment`` with a key between them, so "who saw my case" compares keys
      instead of ranking the case at every view's moment. ``None`` in views recorded before
      the bounds were (version 2 entries), which are ranked as before.
    """

    list: str
    moment: datetime
    position: int
    today: date
    offset: int
    limit: int
    total: int
    digest: str
    filters: Mapping[str, str] = field(default_factory=dict)
    bounds: tuple[str, str] | None = None

    @property
    def whole(self) -> bool:
        """Whether the page held the whole list (no rank needed to know who was on it)."""
        return self.offset == 0 and self.limit >= self.total

    def shows_rank(self, rank: int) -> bool:
        """Whether the person at ``rank`` (1 = first of the whole list) was on the page."""
        return self.offset < rank <= self.offset + self.limit

    def to_dict(self) -> dict[str, Any]:
        return {"list": self.list, "moment": self.moment.isoformat(),
                "position": self.position, "today": self.today.isoformat(),
                "offset": self.offset, "limit": self.limit, "total": self.total,
                "digest": self.digest, "filters": dict(sorted(self.filters.items())),
                "bounds": list(self.bounds) if self.bounds is not None else None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ListView:
        bounds = data.get("bounds")
        return cls(list=data["list"], moment=datetime.fromisoformat(data["moment"]),
                   position=data["position"], today=date.fromisoformat(data["today"]),
                   offset=data["offset"], limit=data["limit"], total=data["total"],
                   digest=data["digest"], filters=dict(data.get("filters") or {}),
                   bounds=(bounds[0], bounds[1]) if bounds is not None else None)


def page_digest(case_ids: Sequence[UUID | str]) -> str:
    """The digest of a page of a list (:attr:`ListView.digest`)."""
    text = "\n".join(str(c) for c in case_ids)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _views(values: Sequence[ListView]) -> list[dict[str, Any]]:
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise InvalidValue("views", "a list of list views (empty when none was shown)")
    out: list[dict[str, Any]] = []
    lists: set[str] = set()
    for view in values:
        if not isinstance(view, ListView):
            raise InvalidValue("views", "each view is a ListView")
        if not isinstance(view.list, str) or not _LIST.match(view.list):
            raise InvalidValue("views", "a list is named in lower case, e.g. 'waiting_list'")
        if view.list in lists:
            raise InvalidValue("views", "each list once per entry")
        lists.add(view.list)
        if not isinstance(view.moment, datetime) or view.moment.tzinfo is None:
            raise InvalidValue("views", "the moment a list stood as carries its time zone")
        if not isinstance(view.today, date) or isinstance(view.today, datetime):
            raise InvalidValue("views", "today is a date")
        for name in ("position", "offset", "total"):
            value = getattr(view, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidValue("views", f"{name} is a whole number, 0 or more")
        if isinstance(view.limit, bool) or not isinstance(view.limit, int) or view.limit < 1:
            raise InvalidValue("views", "limit is a whole number, 1 or more")
        if not isinstance(view.digest, str) or not _DIGEST.match(view.digest):
            raise InvalidValue("views", "the digest is 32 hex digits (page_digest)")
        for name, value in view.filters.items():
            if not isinstance(name, str) or not _FILTER_NAME.match(name):
                raise InvalidValue("views", "a filter is named in lower case")
            if not isinstance(value, str) or len(value) > _FILTER_VALUE_MAX \
                    or mask_identity_numbers(value) != value:
                raise InvalidValue("views", "a filter's value is short text, never an "
                                   "identity number")
        if view.bounds is not None:
            bounds = view.bounds
            if not isinstance(bounds, tuple) or len(bounds) != 2 \
                    or not all(isinstance(b, str) and len(b) <= _BOUND_MAX for b in bounds) \
                    or bool(bounds[0]) != bool(bounds[1]) or bounds[0] > bounds[1]:
                raise InvalidValue("views", "bounds are the order keys of the page's first and "
                                   "last row, the first not after the last (both empty for an "
                                   "empty page)")
        out.append(view.to_dict())
    return out


class AccessLogEntry(Base):
    """One logged request. Never changed after it is recorded."""

    #: Saving it is no access to a person's data in itself (see ServiceBase.logging_access).
    access_neutral = True

    class Recorded(Base.Created):
        """Version 2 adds ``views``: the list views the request showed (none before);
        version 3 the views' ``bounds`` (a view of an earlier version has none: it is
        decided by rank, see :class:`ListView`)."""

        class_version = 3
        actor: str
        role: str
        action: str
        case_ids: list[UUID]
        allowed: bool
        detail: str
        views: list[dict[str, Any]]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["views"] = []

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            for view in state["views"]:
                view["bounds"] = None

    def __init__(
        self,
        municipality: str,
        command_id: str | None,
        actor: str,
        role: str,
        action: str,
        case_ids: list[UUID],
        allowed: bool,
        detail: str,
        views: list[dict[str, Any]] | None = None,
        **_: Any,
    ) -> None:
        super().__init__(municipality, command_id)
        self.actor = actor
        self.role = role
        self.action = action
        self.case_ids = list(case_ids)
        self.allowed = allowed
        self.detail = detail
        self.views = [ListView.from_dict(v) for v in views or ()]

    @classmethod
    def record(
        cls,
        now: datetime,
        *,
        entry_id: UUID,
        municipality: str,
        actor: str,
        role: str,
        action: str,
        case_ids: Sequence[UUID],
        allowed: bool,
        detail: str = "",
        command_id: str | None = None,
        views: Sequence[ListView] = (),
    ) -> AccessLogEntry:
        check_municipality(municipality)
        for name, value in (("actor", actor), ("role", role)):
            if not isinstance(value, str) or not value.strip():
                raise InvalidValue(name, "must not be empty")
            if not any(c.isalpha() for c in mask_identity_numbers(value)):
                raise InvalidValue(name, "name the user, not only an identity number")
        if not isinstance(action, str) or not _ACTION.match(action):
            raise InvalidValue("action", "a short lower-case name such as 'read_case'")
        if not isinstance(allowed, bool):
            raise InvalidValue("allowed", "say whether the request was allowed")
        if not isinstance(detail, str):
            raise InvalidValue("detail", "must be text")
        return cls._create(
            cls.Recorded,
            id=entry_id,
            timestamp=now,
            municipality=municipality,
            command_id=command_id,
            actor=mask_identity_numbers(actor.strip()),
            role=mask_identity_numbers(role.strip()),
            action=action,
            case_ids=_case_ids(case_ids),
            allowed=allowed,
            detail=mask_identity_numbers(detail.strip()),
            views=_views(views),
        )
