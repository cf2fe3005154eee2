"""The API reference, offline: Swagger UI at ``/docs`` and ReDoc at ``/redoc``, served from
this machine, never from a CDN.

FastAPI's own pages load their scripts from a CDN (unreachable offline, and refused by our
Content-Security-Policy) and start Swagger UI with an inline script (refused too). These
pages load the assets the ``fastapi-offline`` package ships, and start Swagger UI from a
small script of ours at ``/docs/init.js``, so the only relaxation of the policy on these
two pages is inline *styles* (Swagger UI and ReDoc set style attributes), ``data:`` images
and ReDoc's ``blob:`` worker (see :data:`api.app.DOCS_CSP`). Without the package installed,
``/docs`` says so and points to ``/openapi.json``, the reference in any case.
"""

from __future__ import annotations

from functools import cache
from importlib.util import find_spec
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

router = APIRouter(include_in_schema=False)

_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "text/javascript",
    "favicon.png": "image/png",
}

_INIT = """\
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: true,
    displayRequestDuration: true,
    tryItOutEnabled: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    layout: "BaseLayout"
  });
});
"""

_SWAGGER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Langtidsopphold – API</title>
<link rel="icon" href="/docs/assets/favicon.png">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head><body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body></html>
"""

_REDOC = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Langtidsopphold – API (ReDoc)</title>
<link rel="icon" href="/docs/assets/favicon.png">
</head><body>
<redoc spec-url="/openapi.json"></redoc>
<script src="/docs/assets/redoc.standalone.js"></script>
</body></html>
"""

_MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Langtidsopphold – API</title></head>
<body><h1>Langtidsopphold – API</h1>
<p>The interactive reference needs the <code>fastapi-offline</code> package (it ships
Swagger UI and ReDoc, so nothing is fetched from a CDN): <code>pip install
fastapi-offline</code>.</p>
<p>The API reference itself is <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).
Take a token with <code>POST /auth/demo-token</code> and send it as
<code>Authorization: Bearer …</code>.</p></body></html>
"""


@cache
def assets_dir() -> Path | None:
    spec = find_spec("fastapi_offline")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "static"
    return folder if (folder / "swagger-ui-bundle.js").exists() else None


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    return HTMLResponse(_SWAGGER if assets_dir() else _MISSING)


@router.get("/redoc")
def redoc() -> HTMLResponse:
    return HTMLResponse(_REDOC if assets_dir() else _MISSING)


@router.get("/docs/init.js")
def swagger_init() -> Response:
    return Response(_INIT, media_type="text/javascript")


@router.get("/docs/assets/{name}")
def docs_asset(name: str) -> Response:
    folder = assets_dir()
    if folder is None or name not in _ASSETS:
        return Response(status_code=404)
    return FileResponse(folder / name, media_type=_ASSETS[name],
                        headers={"Cache-Control": "public, max-age=86400"})


@router.get("/health", summary="Liveness: the service answers (and whether its read "
            "models have started)")
async def health(request: Request) -> dict[str, str]:
    """Answers at once, also while the read models are being built at start
    (``read_models``: ``starting``, ``ready``, or ``failed``, see the server log)."""
    rt = request.app.state.runtime
    state = ("ready" if rt.ready.is_set() else
             "failed" if rt.starting_error is not None else "starting")
    return {"status": "ok", "read_models": state}
