"""The server limits glibc's malloc arenas and gives freed memory back (``api.memory``):
what keeps two server processes and the projector within their memory (issue: Oslo size)."""

from __future__ import annotations

import os
import subprocess
import sys

from api import memory


def test_the_arena_limit_is_set_for_the_processes_the_server_starts(monkeypatch):
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    memory.limit_arenas()
    assert os.environ["MALLOC_ARENA_MAX"] == str(memory.ARENAS)
    child = subprocess.run([sys.executable, "-c", "import os; print(os.environ["
                            "'MALLOC_ARENA_MAX'])"], capture_output=True, text=True, check=True)
    assert child.stdout.strip() == str(memory.ARENAS)
    memory.give_back()  # harmless at any time


def test_an_operators_own_arena_limit_is_kept(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    memory.limit_arenas()
    assert os.environ["MALLOC_ARENA_MAX"] == "4"
