"""The bodies of sign-in: the demo token and who the token's holder is."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.schemas.common import In, Short


class DemoTokenIn(In):
    username: Short = Field(description="saksbehandler, leder, klagebehandler, "
                            "saksbehandler-oslo or leder-oslo", examples=["saksbehandler"])


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    role: str
    municipality: str


class MeOut(BaseModel):
    subject: str
    name: str
    role: str
    role_label: str
    municipality: str
    sees_identity: bool
