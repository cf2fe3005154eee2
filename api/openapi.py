"""The published OpenAPI schema, said the way HTTP works.

FastAPI describes an optional parameter (``str | None = None``) as ``anyOf: [string, null]``.
A header, a query parameter or a cookie has no null: it is sent as text or not sent at
all, and a client that reads the schema literally sends the text ``null`` (which the
service then refuses, although the schema allowed it). So the schema says such a
parameter is the non-null alternative and not required; what it accepts is unchanged.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    options = schema.get("anyOf")
    if not isinstance(options, list):
        return schema
    rest = [o for o in options if o != {"type": "null"}]
    if len(rest) != 1 or len(rest) == len(options):
        return schema
    out = {k: v for k, v in schema.items() if k != "anyOf"}
    out.update(rest[0])
    if out.get("default", ...) is None:
        del out["default"]
    return out


def parameters_without_null(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with every optional header, query and cookie parameter's schema made the
    non-null alternative (in place; returned for convenience)."""
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") in ("header", "query", "cookie") \
                        and not parameter.get("required"):
                    parameter["schema"] = _without_null(parameter.get("schema", {}))
    return spec


def install(app: FastAPI) -> None:
    """Publish the schema with :func:`parameters_without_null` applied (built once)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = parameters_without_null(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
