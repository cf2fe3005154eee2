"""Server-rendered pages in Norwegian bokmål (Jinja2), for the three user groups.

The same application commands and read models as the JSON routes, one module per user
group: sign-in (``session``), the allocation unit (``lists``; a new application in
``case_new``, the case page in ``case_page`` with its forms in ``case_forms_intake``,
``case_forms_decisions``, ``case_forms_offers``, ``case_forms_waiting`` and
``case_forms_closing``; ``allocation``), management (``management``), complaint handling
(``complaints``, the letter on a complaint's outcome in ``complaint_letters``, the case file
for Statsforvalteren in ``case_file``), the decision and offer letters (``letters``; the
breach, accompanying-stay and move letters in ``letters_more``) and the municipality's
own settings (``settings``). Static files (CSS, a little JS) are served from ``/static``.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.staticfiles import StaticFiles

from api.pages import (
    allocation,
    case_file,
    case_forms_closing,
    case_forms_decisions,
    case_forms_intake,
    case_forms_moves,
    case_forms_offers,
    case_forms_waiting,
    case_new,
    case_page,
    casework,
    complaint_letters,
    complaints,
    letters,
    letters_more,
    lists,
    management,
    policy_lab,
    session,
    settings,
)
from api.pages.web import STATIC_DIR

#: The case pages in the order they are matched: ``/saker/ny`` before ``/saker/{case_id}``.
CASES = (case_new, case_page, case_forms_intake, case_forms_decisions, case_forms_offers,
         case_forms_moves, case_forms_waiting, case_forms_closing)

router = APIRouter(include_in_schema=False)
for module in (session, lists, casework, *CASES, allocation, management, policy_lab,
               complaints, complaint_letters, case_file, letters, letters_more, settings):
    router.include_router(module.router)
router.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
