"""Letters as PDF, rendered by WeasyPrint from the same HTML as the printable page (the
letter's own template, in a bare document with the print stylesheet ``letter.css``).

Nothing is fetched while rendering: every URL the HTML might name is refused, so a letter
never reaches out to the network or the file system beyond its stylesheet, read here.
WeasyPrint needs Pango (Debian's ``libpango-1.0-0`` and ``libpangoft2-1.0-0``) and a font
(``fonts-dejavu-core`` or any other fontconfig finds).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi.responses import Response

from api.pages.web import STATIC_DIR


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError("a letter fetches nothing")


@cache
def _stylesheet() -> Any:
    from weasyprint import CSS

    return CSS(string=(STATIC_DIR / "letter.css").read_text(encoding="utf-8"),
               url_fetcher=_no_fetching)


def render_pdf(html: str) -> bytes:
    """The PDF of one letter's HTML document."""
    from weasyprint import HTML  # imported when a PDF is asked for: it loads Pango

    document = HTML(string=html, url_fetcher=_no_fetching)
    pdf: bytes = document.write_pdf(stylesheets=[_stylesheet()])
    return pdf


def pdf_response(pdf: bytes, filename: str) -> Response:
    """A PDF download (``filename`` is plain ASCII: the letter's kind and date)."""
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


__all__ = ["pdf_response", "render_pdf"]
