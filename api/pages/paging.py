"""Page navigation for the pages' lists: ``?fra=`` (rows skipped) and ``?antall=`` (rows per
page; default 100, at most 1,000, as the JSON routes' ``offset`` and ``limit``), "Forrige" and
"Neste" links that keep the page's other query parameters (its filters), and "Viser 1–100 av
1 744". A bad value is a 422 page that says which.

Links carry only what the address already held; no identity number is ever put in one."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import Request

from api.pages.web import PageRefused
from api.routes.paging import DEFAULT_LIMIT, MAX_LIMIT

OFFSET, LIMIT = "fra", "antall"


def number(n: int) -> str:
    """A whole number the Norwegian way: groups of three with a no-break space."""
    return f"{n:,}".replace(",", "\u00a0")


def page_params(request: Request, prefix: str = "") -> tuple[int, int]:
    """The page asked for: (offset, limit); 422 naming the parameter when malformed."""
    values = []
    for name, default, low, high in ((OFFSET, 0, 0, 10**9),
                                     (LIMIT, DEFAULT_LIMIT, 1, MAX_LIMIT)):
        raw = request.query_params.get(prefix + name, "").strip()
        if not raw:
            values.append(default)
            continue
        try:
            value = int(raw)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise PageRefused(422, "Ugyldig side",
                              f"«{prefix + name}» i adressen må være et helt tall fra "
                              f"{number(low)} til {number(high)}.")
        values.append(value)
    return values[0], values[1]


@dataclass(frozen=True)
class Pager:
    """Where a page lies in its list, and the links to the pages before and after it."""

    total: int
    offset: int
    limit: int
    previous: str | None
    next: str | None

    @property
    def words(self) -> str:
        """ "Viser 101–200 av 1 744" (nothing to show: "Viser 0 av 0")."""
        last = min(self.offset + self.limit, self.total)
        if last <= self.offset:
            return f"Viser 0 av {number(self.total)}"
        return f"Viser {number(self.offset + 1)}–{number(last)} av {number(self.total)}"

    @property
    def needed(self) -> bool:
        """Whether the list is longer than one page (or this is not its first)."""
        return self.offset > 0 or self.total > self.limit


def pager(request: Request, total: int, offset: int, limit: int, prefix: str = "",
          anchor: str = "") -> Pager:
    """The navigation of a page of ``total`` rows; links keep the other query parameters."""
    kept = [(k, v) for k, v in request.query_params.multi_items()
            if k not in (prefix + OFFSET, "melding")]

    def link(to: int) -> str:
        params = [*kept, (prefix + OFFSET, str(to))]
        if limit != DEFAULT_LIMIT and not any(k == prefix + LIMIT for k, _ in kept):
            params.append((prefix + LIMIT, str(limit)))
        return f"{request.url.path}?{urlencode(params)}{anchor}"

    previous = link(max(offset - limit, 0)) if offset > 0 else None
    following = link(offset + limit) if offset + limit < total else None
    return Pager(total, offset, limit, previous, following)
