"""The municipality's own settings: its profile (kommuneprofil) and its policy (R18–R20,
the priority weights), as the ``municipal_admin`` reads and changes them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from api.schemas.common import In, IsoDate, Short, Text
from domain.values import DeclinedOfferEffect, FacilityKind, PriorityFactor

Lines = Annotated[list[Short], Field(max_length=5, description="line by line")]
#: Checked by the domain (422 naming the field): a pattern here would be read by JSON
#: Schema's rules for ``\s`` and by Python's differently.
Email = Annotated[Short, Field(description="an email address: name@domain.tld")]
Phone = Annotated[Short, Field(description="digits and spaces, 8–20, + first if abroad")]


class FacilityIn(In):
    """A facility (R1). ``facility_id`` only for one already in the profile (its id is
    kept); a new one gets an id made from its name."""

    facility_id: Short | None = None
    name: Short
    kind: FacilityKind
    address: Lines = Field(default_factory=list)


class ProfileIn(In):
    """A new version of the profile, whole, and why it is changed."""

    name: Short
    unit_name: Short
    postal_address: Lines = Field(default_factory=list)
    visiting_address: Lines = Field(default_factory=list)
    phone: Phone | None = None
    email: Email | None = None
    state_administrator: Short
    state_administrator_address: Lines = Field(default_factory=list)
    facilities: Annotated[list[FacilityIn], Field(max_length=200)] = Field(default_factory=list)
    demo: bool = False
    reason: Text


class FacilityOut(BaseModel):
    facility_id: str
    name: str
    kind: FacilityKind
    address: list[str]


class VersionNote(BaseModel):
    version: int
    changed_at: datetime | None
    changed_by: str
    reason: str | None


class ProfileOut(BaseModel):
    """The profile in force (``version`` 0: the starting profile, not yet stored) and every
    stored version's who, when and why."""

    municipality: str
    version: int
    name: str
    unit_name: str
    postal_address: list[str]
    visiting_address: list[str]
    phone: str
    email: str
    state_administrator: str
    state_administrator_address: list[str]
    facilities: list[FacilityOut]
    demo: bool
    history: list[VersionNote]


Weight = Annotated[int, Field(ge=0, le=10)]


class PolicyValues(BaseModel):
    guarantee_months: int
    free_choice: bool
    declined_offer_effect: DeclinedOfferEffect
    priority_weights: dict[str, int]
    score_tolerance: int
    deadline_horizon_days: int
    offer_available_within_days: int
    offer_answer_days: int
    lapsed_offer_counts_as_declined: bool
    grant_alert_days: int
    review_every_months: int
    iplos_max_age_months: int


class PolicyChangeIn(In):
    """A new version of the policy: the settings to change (the others stay), from
    ``effective_from`` (today if left out; never in the past), and why."""

    reason: Text
    effective_from: IsoDate | None = None
    guarantee_months: Annotated[int, Field(ge=1, le=12)] | None = None
    free_choice: bool | None = None
    declined_offer_effect: DeclinedOfferEffect | None = None
    priority_weights: dict[PriorityFactor, Weight] | None = None
    score_tolerance: Annotated[int, Field(ge=0, le=100)] | None = None
    deadline_horizon_days: Annotated[int, Field(ge=0, le=92)] | None = None
    offer_available_within_days: Annotated[int, Field(ge=0, le=92)] | None = None
    offer_answer_days: Annotated[int, Field(ge=1, le=30)] | None = None
    lapsed_offer_counts_as_declined: bool | None = None
    grant_alert_days: Annotated[int, Field(ge=0, le=30)] | None = None
    review_every_months: Annotated[int, Field(ge=1, le=24)] | None = None
    iplos_max_age_months: Annotated[int, Field(ge=1, le=36)] | None = None


class PolicyVersionOut(BaseModel):
    version: int
    effective_from: date
    issued_by: str
    issued_at: datetime | None
    reason: str | None
    settings: PolicyValues


class PolicyOut(BaseModel):
    """The policy: the version in force today, the newest, and every version."""

    municipality: str
    in_force_version: int
    current_version: int
    versions: list[PolicyVersionOut]
