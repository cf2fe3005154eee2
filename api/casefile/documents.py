"""The case file's documents as PDF (WeasyPrint, from HTML, like the letters:
:mod:`api.pages.pdf`): the whole file in one PDF — the cover letter to Statsforvalteren
first, then each enclosure on its own pages — and each document on its own, for the Noark 5
package (:mod:`api.casefile.package`)."""

from __future__ import annotations

from api.casefile.contents import CaseFile
from api.pages.pdf import render_pdf
from api.pages.web import TEMPLATES

#: The parts of the file, in order: the cover letter, the letter complained of, the
#: complaint, the reconsideration, the documentation and the history.
PARTS = ("cover", "letter", "complaint", "reconsideration", "documentation", "history")


def parts_of(file: CaseFile) -> tuple[str, ...]:
    return tuple(p for p in PARTS if p != "letter" or file.letter is not None)


def html(file: CaseFile, parts: tuple[str, ...], title: str) -> str:
    return TEMPLATES.get_template("case_file_document.html").render(
        f=file, parts=parts, title=title, **file.letter_context)


def whole_pdf(file: CaseFile) -> bytes:
    """Every document of the file in one PDF, the cover letter first."""
    return render_pdf(html(file, parts_of(file), "Saksdokumenter til Statsforvalteren"))


def part_pdf(file: CaseFile, part: str, title: str) -> bytes:
    """One document of the file as its own PDF."""
    return render_pdf(html(file, (part,), title))


def file_name(file: CaseFile, kind: str, extension: str) -> str:
    """A plain ASCII name for a download: its kind and the case number
    (``saksdokumenter-2026-0042.pdf``)."""
    number = file.case_number.replace("/", "-") if file.case.case_number else "uten-saksnummer"
    return f"{kind}-{number}.{extension}"


__all__ = ["PARTS", "file_name", "part_pdf", "whole_pdf"]
