"""The waiting-list guarantee (ventelistegaranti, § 3-4) of one case, as one value that the
aggregate, the read models and the optimizer all use: :class:`Guarantee` changes with the
case's events, and :meth:`Guarantee.state` says where it stands on a given day. No other
code in the service decides whether a guarantee is running, met, breached or lost.

The rules (RULES.md R18, R19, R20, R23, R26):

- A *waiting period* starts with the first grant or waiting-list decision and ends at
  placement, rejection, withdrawal or death. Its first day is the person's waiting-list date
  (``waiting_since``, ventelistedato): it decides seniority, and a later decision in the same
  period (a re-assessment, a new place type, a decision after a complaint) keeps it.
- The first *guarantee period* starts with the first waiting-list decision of the waiting
  period; its deadline is that day plus the policy's months, in calendar months.
- Only a *suitable* offer made on or before the deadline meets the period. An offer the
  municipality withdraws no longer meets it.
- Declining a suitable offer: under ``offer_fulfils_guarantee`` the period stays met; under
  ``guarantee_continues`` the period is met and a new guarantee period starts on the day of
  the decline. Declining an offer other than the first wish under free choice (R20) loses the
  guarantee. A lapsed offer (R26) counts as declined or as withdrawn, as the policy says.
- A period not met by its deadline is breached once (fristbrudd); the breach stays recorded
  whatever happens later. A new period can breach again, once.
- While the person holds a grant (R4, R15) there is no three-month deadline: the grant is
  to be carried out at once; the guarantee runs again if a waiting-list decision follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from dateutil.relativedelta import relativedelta

from domain.values import DeclinedOfferEffect


class GuaranteeStatus(Enum):
    NONE = "none"  # no waiting-list decision in force (received, granted, placed, closed …)
    RUNNING = "running"  # the deadline is ahead (or passed, not yet recorded as a breach)
    MET = "met"  # a suitable offer met it
    BREACHED = "breached"  # fristbrudd recorded
    LOST = "lost"  # R20: declined a non-preferred offer under free choice


class MetHow(Enum):
    OFFER = "offer"  # a suitable offer made in time, not yet answered
    ACCEPTED = "accepted"
    DECLINED = "declined"
    LAPSED = "lapsed"


@dataclass
class GuaranteePeriod:
    number: int
    start: date
    deadline: date
    met_on: date | None = None
    met_by: str | None = None  # the offer's id
    met_how: MetHow | None = None
    breached_on: date | None = None
    ended_on: date | None = None


@dataclass(frozen=True)
class GuaranteeState:
    """Where a case's guarantee stands on ``today``."""

    status: GuaranteeStatus
    waiting_since: date | None
    period: int | None = None
    deadline: date | None = None
    days_left: int | None = None  # negative when the deadline has passed
    met_on: date | None = None
    met_how: MetHow | None = None
    breached_on: date | None = None
    lost_on: date | None = None
    #: past the deadline, not met, and not yet recorded: the next deadline check records it
    breach_due: bool = False

    @property
    def running_deadline(self) -> date | None:
        """The deadline an allocation must still reckon with: of a period running or
        breached (a breached person may still be bought a place, R19); None otherwise."""
        if self.status in (GuaranteeStatus.RUNNING, GuaranteeStatus.BREACHED):
            return self.deadline
        return None


@dataclass
class Guarantee:
    """The guarantee's facts for one case (see the module's docstring for the rules)."""

    months: int = 3
    declined_effect: DeclinedOfferEffect = DeclinedOfferEffect.OFFER_FULFILS_GUARANTEE
    in_force: bool = False  # a waiting-list decision is the decision in force
    waiting_since: date | None = None
    periods: list[GuaranteePeriod] = field(default_factory=list)
    lost_on: date | None = None

    # --- reading -------------------------------------------------------------------------

    @property
    def current(self) -> GuaranteePeriod | None:
        if self.periods and self.periods[-1].ended_on is None:
            return self.periods[-1]
        return None

    @property
    def breaches(self) -> list[GuaranteePeriod]:
        return [p for p in self.periods if p.breached_on is not None]

    def state(self, today: date) -> GuaranteeState:
        period = self.current
        if not self.in_force or period is None:
            return GuaranteeState(GuaranteeStatus.NONE, self.waiting_since)
        common: dict[str, Any] = dict(
            waiting_since=self.waiting_since, period=period.number, deadline=period.deadline,
            days_left=(period.deadline - today).days, met_on=period.met_on,
            met_how=period.met_how, breached_on=period.breached_on)
        if period.breached_on is not None:
            return GuaranteeState(GuaranteeStatus.BREACHED, **common)
        if self.lost_on is not None:
            return GuaranteeState(GuaranteeStatus.LOST, lost_on=self.lost_on, **common)
        if period.met_on is not None:
            return GuaranteeState(GuaranteeStatus.MET, **common)
        return GuaranteeState(GuaranteeStatus.RUNNING, breach_due=today > period.deadline,
                              **common)

    # --- changing (one method per kind of fact) -------------------------------------------

    def _start_period(self, start: date) -> None:
        self.periods.append(GuaranteePeriod(
            len(self.periods) + 1, start, start + relativedelta(months=self.months)))

    def decided(self, kind: str, on: date, *, months: int | None,
                declined_effect: DeclinedOfferEffect, keep_waiting_since: date | None = None
                ) -> None:
        """A decision (vedtak): ``grant``, ``waiting_list`` or ``rejection``."""
        if kind == "rejection":
            self.left_list(on)
            return
        if months is not None:
            self.months = months
        self.declined_effect = declined_effect
        if self.waiting_since is None:
            self.waiting_since = keep_waiting_since or on  # R23: a new waiting period
        if kind == "grant":
            self.in_force = False  # R4/R15: carried out at once, no three-month deadline
            return
        self.in_force = True
        if self.current is None:
            resumed = self.resumable(keep_waiting_since)
            if resumed is not None:
                resumed.ended_on = None  # R21, R23: the period a quashed decision ended
            else:
                self._start_period(keep_waiting_since or on)

    def resumable(self, kept: date | None) -> GuaranteePeriod | None:
        """R21, R23: the guarantee period a decision keeping the waiting-list date ``kept``
        continues: the last one, if it ended (a rejection since changed or quashed after a
        complaint ended it) and belongs to the waiting period that began on ``kept``. Its
        deadline, its breach and what met it stand: a period breached is not breached twice.
        """
        if kept is None or not self.periods or self.current is not None:
            return None
        last = self.periods[-1]
        return last if last.start >= kept else None

    def quashed(self, kind: str, kept: date | None) -> None:
        """R21: the decision in force (``kind``) was quashed (opphevet) after a complaint and
        the case is back under assessment: no guarantee is in force until the new decision,
        which continues the waiting period. A quashed rejection gives back the waiting period
        it ended (``kept``: its waiting-list date)."""
        self.in_force = False
        if kind == "rejection" and kept is not None:
            self.waiting_since = kept
            resumed = self.resumable(kept)
            if resumed is not None:
                resumed.ended_on = None

    def offer_made(self, offer_id: str, on: date, *, suitable: bool) -> None:
        period = self.current
        if (self.in_force and period is not None and suitable and period.met_on is None
                and period.breached_on is None and self.lost_on is None
                and on <= period.deadline):
            period.met_on, period.met_by, period.met_how = on, offer_id, MetHow.OFFER

    def offer_accepted(self, offer_id: str) -> None:
        period = self.current
        if period is not None and period.met_by == offer_id:
            period.met_how = MetHow.ACCEPTED

    def offer_withdrawn(self, offer_id: str) -> None:
        """Withdrawn by the municipality: the offer no longer meets the guarantee."""
        period = self.current
        if period is not None and period.met_by == offer_id:
            period.met_on = period.met_by = period.met_how = None

    def offer_declined(self, offer_id: str, on: date, *, effect: str,
                       how: MetHow = MetHow.DECLINED) -> None:
        """``effect`` as the case decided it (:func:`decline_effect`)."""
        period = self.current
        if effect == "lost":
            self.lost_on = on
            return
        if period is None or effect == "none":
            return
        if period.met_by == offer_id:
            period.met_how = how
        if effect == "continues":
            period.ended_on = on
            self._start_period(on)

    def breached(self, period_number: int, on: date) -> None:
        for period in self.periods:
            if period.number == period_number:
                period.breached_on = on

    def left_list(self, on: date) -> None:
        """Placement, rejection, withdrawal or death: the waiting period ends."""
        period = self.current
        if period is not None:
            period.ended_on = on
        self.in_force = False
        self.waiting_since = None
        self.lost_on = None

    # --- as plain data (the read models keep it in the case's row) ------------------------

    def to_dict(self) -> dict[str, Any]:
        """The fields in their order, dates as ISO text and enums as values (written out:
        ``dataclasses.asdict`` deep-copies every value, and the read models ask this of
        every case event)."""
        return {"months": self.months, "declined_effect": self.declined_effect.value,
                "in_force": self.in_force, "waiting_since": _iso(self.waiting_since),
                "periods": [{"number": p.number, "start": _iso(p.start),
                             "deadline": _iso(p.deadline), "met_on": _iso(p.met_on),
                             "met_by": p.met_by,
                             "met_how": p.met_how.value if p.met_how else None,
                             "breached_on": _iso(p.breached_on), "ended_on": _iso(p.ended_on)}
                            for p in self.periods],
                "lost_on": _iso(self.lost_on)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Guarantee:
        def day(value: str | None) -> date | None:
            return date.fromisoformat(value) if value else None

        periods = []
        for p in data["periods"]:
            periods.append(GuaranteePeriod(
                p["number"], date.fromisoformat(p["start"]), date.fromisoformat(p["deadline"]),
                day(p["met_on"]), p["met_by"], MetHow(p["met_how"]) if p["met_how"] else None,
                day(p["breached_on"]), day(p["ended_on"])))
        return cls(data["months"], DeclinedOfferEffect(data["declined_effect"]),
                   data["in_force"], day(data["waiting_since"]), periods,
                   day(data["lost_on"]))


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def decline_effect(*, suitable: bool, met_or_breached: bool, free_choice: bool,
                   first_wish: bool, declined_effect: DeclinedOfferEffect) -> str:
    """R18, R20: what declining an offer does to the guarantee.

    ``none``: nothing (an unsuitable offer, or no guarantee period to speak of); ``lost``:
    R20, a non-preferred offer declined under free choice; ``fulfilled``: the offer met the
    guarantee and declining it does not change that; ``continues``: a new guarantee period
    starts on the day of the decline.
    """
    if not suitable or not met_or_breached:
        return "none"
    if free_choice and not first_wish:
        return "lost"
    if declined_effect is DeclinedOfferEffect.GUARANTEE_CONTINUES:
        return "continues"
    return "fulfilled"
