"""Server-rendered pages in Norwegian bokmål (Jinja2), for the three user groups."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
