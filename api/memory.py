"""The server's memory: how much of it the C allocator keeps.

glibc's malloc gives each thread that allocates at once an arena of its own, up to eight
per core, and keeps what was freed in each for reuse. A server answering from a pool of
threads (FastAPI runs each synchronous endpoint in one of 40) ends up with many arenas, each
holding memory a large request once used (an allocation run's problem, a long list): the
process grows and does not shrink. Two arenas are plenty when the interpreter's lock lets
one thread run Python at a time, so the server limits them (``MALLOC_ARENA_MAX``, which its
child processes inherit, and ``mallopt`` for the process already running), and gives freed
memory back after a large request (:func:`give_back`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from functools import cache

#: glibc's ``mallopt`` parameter for the number of arenas.
_M_ARENA_MAX = -8
ARENAS = 2


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt  # noqa: B018 — glibc only (musl and others have neither function)
        libc.malloc_trim  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def limit_arenas() -> None:
    """At most :data:`ARENAS` malloc arenas in this process and the processes it starts
    (an operator's own ``MALLOC_ARENA_MAX`` is kept)."""
    os.environ.setdefault("MALLOC_ARENA_MAX", str(ARENAS))
    libc = _libc()
    if libc is not None:
        libc.mallopt(_M_ARENA_MAX, int(os.environ["MALLOC_ARENA_MAX"]))


def give_back() -> None:
    """Return the freed memory at the top of malloc's heaps to the system."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
