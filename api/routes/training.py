"""The training clock (opplæringsklokke): with ``LTO_TRAINING_CLOCK=true`` — never in
production settings — the service's time can be moved forward, so trainers, complaint
handlers and tests can play out months of a case over HTTP without touching the code.
Every command, check and read uses the moved time. Without the setting the routes do not
exist (404).
"""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import AnyRole, CurrentRuntime
from api.errors import ERROR_RESPONSES
from api.schemas import In, IsoMoment
from application.clock import TrainingClock
from domain.base import local_date
from domain.errors import InvalidValue

router = APIRouter(tags=["Opplæring (training)"], responses=ERROR_RESPONSES)


class ClockIn(In):
    now: IsoMoment = Field(description="the new time, with its time zone; forward only")


class ClockOut(BaseModel):
    now: datetime
    today: date
    lapsed_case_ids: list[str] = Field(default_factory=list)
    breached_case_ids: list[str] = Field(default_factory=list)


def _clock(rt: CurrentRuntime) -> TrainingClock:
    clock = rt.service.clock
    assert isinstance(clock, TrainingClock)
    return clock


@router.get("/training/clock", response_model=ClockOut, summary="The service's time")
def read_clock(p: AnyRole, rt: CurrentRuntime) -> ClockOut:
    now = _clock(rt).now()
    return ClockOut(now=now, today=local_date(now))


@router.post("/training/clock", response_model=ClockOut,
             summary="Move the service's time forward (training only)")
def set_clock(body: ClockIn, p: AnyRole, rt: CurrentRuntime) -> ClockOut:
    """The scheduled checks run at once at the new time, as the background task would:
    offers past their answer deadline lapse (R26), deadlines past are breached (R18)."""
    if body.now.tzinfo is None:
        raise InvalidValue("now", "give the time with its time zone")
    try:
        now = _clock(rt).set(body.now)
    except ValueError:
        raise InvalidValue("now", "the training clock only moves forward") from None
    lapsed, breached = rt.service.deadline_round(rt.read)  # R26 (moves too, R28), R18
    return ClockOut(now=now, today=local_date(now), lapsed_case_ids=[str(c) for c in lapsed],
                    breached_case_ids=[str(c) for c in breached])
