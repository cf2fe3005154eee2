"""Domain errors. Each names the rule of RULES.md it enforces and what is missing.

The API turns these into 4xx answers with ``code`` as the machine-readable part and
``message`` as the sentence a case worker reads.
"""

from __future__ import annotations


class DomainError(Exception):
    """A command that the rules refuse. Nothing has been changed when it is raised."""

    code: str = "domain_error"

    def __init__(
        self,
        message: str,
        *,
        rule: str | None = None,
        field: str | None = None,
        missing: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule
        self.field = field
        self.missing = missing

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "rule": self.rule,
            "field": self.field,
            "missing": list(self.missing),
            "message": self.message,
        }


class RuleViolation(DomainError):
    """A command breaks a numbered rule (R1–R22)."""

    code = "rule_violation"

    def __init__(
        self, rule: str, message: str, *, field: str | None = None, missing: tuple[str, ...] = ()
    ) -> None:
        super().__init__(f"{rule}: {message}", rule=rule, field=field, missing=missing)
        self.code = f"{rule.lower()}_violation"


class MissingDocumentation(RuleViolation):
    """R8 (§ 2-2): a decision was asked for before the case holds every required item."""

    def __init__(self, missing: tuple[str, ...]) -> None:
        super().__init__(
            "R8",
            "the case lacks required documentation (§ 2-2): " + ", ".join(missing),
            field="documentation",
            missing=missing,
        )
        self.code = "r8_missing_documentation"


class InvalidValue(DomainError):
    """A value is malformed (an identity number, a score out of range, a date)."""

    code = "invalid_value"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", field=field)


class InvalidState(DomainError):
    """The command does not fit where the case or place is in its life."""

    code = "invalid_state"


class NotFound(DomainError):
    code = "not_found"
