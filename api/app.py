"""The FastAPI application: the JSON routes, the pages, and the runtime they share."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.auth import LocalIssuer, TokenVerifier
from api.deps import Runtime
from api.pages import router as pages_router
from api.settings import ApiSettings
from application.bootstrap import create_service
from application.clock import Clock
from application.service import AllocationService
from projections.read_side import ReadSide


def create_app(settings: ApiSettings | None = None, *, service: AllocationService | None = None,
               clock: Clock | None = None, issuer: LocalIssuer | None = None) -> FastAPI:
    settings = settings or ApiSettings()
    service = service or create_service(clock=clock)
    if issuer is None and settings.local_issuer:
        issuer = LocalIssuer(settings)
    rt = Runtime(settings=settings, service=service, read=ReadSide(service),
                 verifier=TokenVerifier(settings, issuer), issuer=issuer)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rt.read.start()
        try:
            yield
        finally:
            rt.read.stop()

    app = FastAPI(title="Langtidsopphold", version="0.1.0", lifespan=lifespan,
                  description="Waiting list and allocation of long-term places in nursing "
                  "homes and 24-hour housing (langtidsopphold).")
    app.state.runtime = rt
    app.include_router(pages_router)
    return app
