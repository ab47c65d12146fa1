"""Errors of the secretariat; all are :class:`trilink.TrilinkError`, so the CLI prints one line."""

from __future__ import annotations

from trilink import TrilinkError

__all__ = [
    "ConflictError",
    "ForbiddenError",
    "NotFoundError",
    "SecretariatError",
    "ThrottledError",
    "ValidationError",
    "not_found",
]


class SecretariatError(TrilinkError):
    """Base class of secretariat errors."""

    status_code = 400


class ValidationError(SecretariatError):
    """Bad input: an unknown nation, an impossible date, an oversize field, ..."""

    status_code = 422


class NotFoundError(SecretariatError):
    """The object does not exist *or the user may not see it* (never reveal which)."""

    status_code = 404


def not_found() -> NotFoundError:
    """The one answer for a missing *or hidden* object: no kind, no id, nothing to compare."""
    return NotFoundError("not found")


class ForbiddenError(SecretariatError):
    """The user may see the object but their role does not allow this action."""

    status_code = 403


class ConflictError(SecretariatError):
    """The action is not allowed in the object's current state (e.g. editing locked minutes)."""

    status_code = 409


class ThrottledError(SecretariatError):
    """Too many failed logins for this user name or address; try again later."""

    status_code = 429

    def __init__(self, retry_after: float) -> None:
        self.retry_after = max(1, int(retry_after + 0.999))
        super().__init__(f"too many failed logins; try again in {self.retry_after} s")
