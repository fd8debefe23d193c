"""The one refusal type every service raises (U3): rule IDs plus a Persian message."""

from __future__ import annotations

from .rules_fa import persian_message


class RuleViolation(Exception):
    """A refused action. Raised before anything is written; the transaction rolls back."""

    def __init__(self, rules: set[str] | list[str] | tuple[str, ...], message: str | None = None):
        self.rules: tuple[str, ...] = tuple(sorted(set(rules)))
        self.message = message or persian_message(self.rules)
        super().__init__(f"{', '.join(self.rules)}: {self.message}")


class InputError(ValueError):
    """A malformed field (not a rule refusal): the Persian message names the field."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class NotFound(InputError, LookupError):
    """A row named by its id that does not exist: a field error (U3) that is also a
    LookupError, for the callers that expect one. `str()` is the Persian message alone."""

    def __init__(self, field: str, message: str):
        super().__init__(field, message)
        self.args = (message,)
