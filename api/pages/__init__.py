"""Server-rendered pages in Norwegian bokmål (Jinja2), for the three user groups.

The same application commands and read models as the JSON routes, one module per user
group: sign-in (``session``), the allocation unit (``lists``, ``cases``, ``allocation``),
management (``management``), complaint handling (``complaints``) and the decision letter
(``letters``). Static files (CSS, a little JS) are served from ``/static``.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.staticfiles import StaticFiles

from api.pages import allocation, cases, complaints, letters, lists, management, session
from api.pages.web import STATIC_DIR

router = APIRouter(include_in_schema=False)
for module in (session, lists, cases, allocation, management, complaints, letters):
    router.include_router(module.router)
router.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
