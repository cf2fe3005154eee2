"""The municipality's policy (R18, R20, R16–R17 weights), versioned.

A decision records the version in force when it was made; a new version never changes
what was decided before it. Every version says who issued it, when, and why (a reason is
required of every revision since ``Revised`` version 2; earlier ones read as without one),
and takes effect on a day not before the day it is issued nor before the version before
it, so the version in force on a day that has passed never changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.base import Base, check_municipality, local_date
from domain.errors import InvalidValue
from domain.text import check_text
from domain.values import SPECIAL_WEIGHT, DeclinedOfferEffect, PolicySettings, PriorityFactor

_NS = uuid5(NAMESPACE_URL, "urn:langtidsopphold:policy")


def policy_id(municipality: str) -> UUID:
    """One policy stream per municipality."""
    return uuid5(_NS, municipality)


def validate_settings(settings: PolicySettings) -> PolicySettings:
    if not 1 <= settings.guarantee_months <= 12:
        raise InvalidValue("guarantee_months", "R18: the guarantee is 1 to 12 calendar months")
    if not isinstance(settings.declined_offer_effect, DeclinedOfferEffect):
        raise InvalidValue("declined_offer_effect", "unknown effect of a declined offer")
    known = {f.value for f in PriorityFactor}
    for name, weight in settings.priority_weights.items():
        if name not in known:
            raise InvalidValue("priority_weights", f"unknown priority factor '{name}'")
        if not isinstance(weight, int) or not 0 <= weight <= 10:
            raise InvalidValue("priority_weights", f"weight of '{name}' must be 0–10")
    for factor in SPECIAL_WEIGHT:  # R16: special weight is never zero
        if settings.priority_weights.get(factor.value, 0) < 1:
            raise InvalidValue(
                "priority_weights", f"'{factor.value}' has special weight (§ 3-3 second "
                "paragraph): its weight must be 1–10, never 0")
    ranges = {
        "score_tolerance": (0, 100), "deadline_horizon_days": (0, 92),
        "offer_available_within_days": (0, 92), "offer_answer_days": (1, 30),
        "grant_alert_days": (0, 30), "review_every_months": (1, 24),
        "iplos_max_age_months": (1, 36),
    }
    for name, (low, high) in ranges.items():
        value = getattr(settings, name)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise InvalidValue(name, f"must be a whole number {low}–{high}")
    for name in ("free_choice", "lapsed_offer_counts_as_declined"):
        if not isinstance(getattr(settings, name), bool):
            raise InvalidValue(name, "must be true or false")
    return settings


@dataclass(frozen=True)
class PolicyVersion:
    """One version of the policy as its history shows it: who, when and why."""

    number: int
    effective_from: date
    issued_by: str
    issued_at: datetime | None  # None: version 1, at the policy's creation
    reason: str | None  # None: version 1, or a revision recorded before reasons were
    settings: PolicySettings


class Policy(Base):
    """Versioned settings of one municipality. Version 1 is the regulation's defaults."""

    class Established(Base.Created):
        settings: PolicySettings
        effective_from: date
        issued_by: str

    class Revised(Base.Event):
        """Version 2 added ``reason`` (why the municipality changed its policy)."""

        class_version = 2

        settings: PolicySettings
        effective_from: date
        issued_by: str
        reason: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["reason"] = None

        def on(self, policy: Policy) -> None:
            policy.versions.append((self.effective_from, self.settings))
            policy.revisions.append((self.timestamp, self.issued_by, self.reason))

    def __init__(
        self,
        municipality: str,
        command_id: str | None,
        settings: PolicySettings,
        effective_from: date,
        issued_by: str,
    ) -> None:
        super().__init__(municipality, command_id)
        self.versions: list[tuple[date, PolicySettings]] = [(effective_from, settings)]
        #: (when, who, why) of each version, as :attr:`versions`
        self.revisions: list[tuple[datetime | None, str, str | None]] = [
            (None, issued_by, None)]

    @classmethod
    def establish(
        cls,
        municipality: str,
        now: datetime,
        *,
        settings: PolicySettings | None = None,
        issued_by: str = "system",
        effective_from: date | None = None,
        command_id: str | None = None,
    ) -> Policy:
        check_municipality(municipality)
        return cls._create(
            cls.Established,
            id=policy_id(municipality),
            timestamp=now,
            municipality=municipality,
            command_id=command_id,
            settings=validate_settings(settings or PolicySettings()),
            effective_from=effective_from or local_date(now),
            issued_by=issued_by,
        )

    def revise(
        self,
        now: datetime,
        *,
        issued_by: str,
        effective_from: date,
        reason: str,
        command_id: str | None = None,
        **changes: Any,
    ) -> None:
        """A new version (R18–R20, the priority weights): ``changes`` to the current
        settings, in force from ``effective_from`` — today or later, and not before the
        latest version's day — issued by ``issued_by`` for ``reason``."""
        unknown = set(changes) - set(PolicySettings.__dataclass_fields__)
        if unknown:
            raise InvalidValue(sorted(unknown)[0], "not a policy setting")
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidValue("reason", "say why the policy is changed")
        check_text("reason", reason, 10_000, multiline=True)
        if not isinstance(issued_by, str) or not issued_by.strip():
            raise InvalidValue("issued_by", "say who issues the new version")
        if not isinstance(effective_from, date) or isinstance(effective_from, datetime):
            raise InvalidValue("effective_from", "must be a date")
        if effective_from < local_date(now):
            raise InvalidValue("effective_from", "a new version takes effect today or later, "
                               "never in the past")
        if effective_from < self.versions[-1][0]:
            raise InvalidValue("effective_from", "a new version takes effect on or after "
                               f"the latest version's day ({self.versions[-1][0].isoformat()})")
        if isinstance(changes.get("priority_weights"), dict):  # the weights not named stay
            changes["priority_weights"] = {**self.current.priority_weights,
                                           **changes["priority_weights"]}
        settings = validate_settings(replace(self.current, **changes))
        self.trigger_event(
            self.Revised,
            timestamp=now,
            command_id=command_id,
            settings=settings,
            effective_from=effective_from,
            issued_by=issued_by.strip(),
            reason=reason.strip(),
        )

    def history(self) -> list[PolicyVersion]:
        """Every version, oldest first, with who issued it, when and why."""
        out = []
        for number, ((start, settings), (at, who, why)) in enumerate(
                zip(self.versions, self.revisions, strict=True), start=1):
            out.append(PolicyVersion(number, start, who,
                                     self.created_on if at is None else at, why, settings))
        return out

    @property
    def current(self) -> PolicySettings:
        return self.versions[-1][1]

    @property
    def current_version(self) -> int:
        return len(self.versions)

    def in_force_on(self, day: date) -> tuple[int, PolicySettings]:
        """The version number and settings in force on a day (the latest not after it)."""
        chosen = (1, self.versions[0][1])
        for number, (start, settings) in enumerate(self.versions, start=1):
            if start <= day:
                chosen = (number, settings)
        return chosen
