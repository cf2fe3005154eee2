"""Spouses and cohabitants (ektefelle/samboer, § 2-3, R10, R11): the link between two
cases, the consent to live apart, and the co-location rule that needs both cases."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from domain.base import Base
from domain.case.lifecycle import CaseStatus, require
from domain.case.state import CaseState
from domain.errors import InvalidValue, RuleViolation

if TYPE_CHECKING:
    from domain.case.aggregate import Case


class Spouses(CaseState):
    """Mixed into :class:`~domain.case.Case`."""

    class SpouseLinked(Base.Event):
        spouse_case_id: UUID

        def on(self, case: Spouses) -> None:
            case.spouse_case_id = self.spouse_case_id

    class LivingApartConsented(Base.Event):
        """R10: both spouses have consented to live at different facilities."""

        statement: str
        recorded_by: str

        def on(self, case: Spouses) -> None:
            case.living_apart_consent = True

    @property
    def in_long_term_stay(self) -> bool:
        """R10: granted, waiting or resident: the spouse co-location guarantee applies."""
        return self.status in (CaseStatus.GRANTED, CaseStatus.WAITING, CaseStatus.RESIDENT)

    def check_spouse_link(self, spouse_case_id: UUID) -> None:
        """R10 (§ 2-3): this case may be linked to ``spouse_case_id``: it is open, not that
        case itself, and not linked to another case (a person has at most one spouse or
        cohabitant link; linking the same case again changes nothing)."""
        require(self.status, "link_spouse")
        if spouse_case_id == self.id:
            raise InvalidValue("spouse_case_id", "a person is not their own spouse")
        if self.spouse_case_id is not None and self.spouse_case_id != spouse_case_id:
            raise RuleViolation(
                "R10", f"case {self.id} is already linked to another spouse's or "
                "cohabitant's case; a person has at most one spouse or cohabitant (§ 2-3)",
                field="spouse_case_id")

    def link_spouse(self, now: datetime, *, spouse_case_id: UUID,
                    command_id: str | None = None) -> None:
        """One side of the link (R10); :func:`link_spouses` links both. Idempotent."""
        self.check_spouse_link(spouse_case_id)
        if self.spouse_case_id == spouse_case_id:
            return
        self.trigger_event(self.SpouseLinked, timestamp=now, command_id=command_id,
                           spouse_case_id=spouse_case_id)

    def consent_to_living_apart(self, now: datetime, *, statement: str, recorded_by: str,
                                command_id: str | None = None) -> None:
        require(self.status, "consent_to_living_apart")
        if not statement.strip():
            raise RuleViolation("R10", "record the consent in the person's words",
                                field="statement")
        self.trigger_event(self.LivingApartConsented, timestamp=now, command_id=command_id,
                           statement=statement, recorded_by=recorded_by)


def check_spouse_co_location(case: Case, spouse: Case | None, facility_id: str) -> None:
    """R10 (§ 2-3): spouses or cohabitants both in long-term stay live at the same facility.

    Refuses an offer at another facility than the one where the spouse lives or holds an
    offer, unless both have consented to live apart.
    """
    if spouse is None or not spouse.in_long_term_stay:
        return
    held = spouse.facility_held
    if held is None or held == facility_id:
        return
    if case.living_apart_consent and spouse.living_apart_consent:
        return
    raise RuleViolation(
        "R10", f"the spouse lives at or is offered facility {held}; spouses in long-term stay "
        "are given a place at the same facility unless both have consented to live apart",
        field="place_id", missing=("living_apart_consent",))


def link_spouses(now: datetime, case: Case, spouse: Case, *,
                 command_id: str | None = None) -> None:
    """R10 (§ 2-3): link two cases as spouses or cohabitants, both ways.

    Both cases are checked before either changes: they are of the same municipality, open,
    not one and the same, and neither is linked to a third case. Linking a pair that is
    already linked (either way or both) only completes the link: idempotent, never refused.
    """
    if case.municipality != spouse.municipality:
        raise RuleViolation("R10", "spouses' cases are linked within one municipality",
                            field="municipality")
    case.check_spouse_link(spouse.id)
    spouse.check_spouse_link(case.id)
    case.link_spouse(now, spouse_case_id=spouse.id, command_id=command_id)
    spouse.link_spouse(now, spouse_case_id=case.id, command_id=command_id)
