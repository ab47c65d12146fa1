"""Login and the user's own settings."""

from typing import Self

from pydantic import BaseModel, Field

from trilink.secretariat.models import User
from trilink.secretariat.web.schemas.common import OrmOut, StrictIn

__all__ = [
    "CalendarOut",
    "LangIn",
    "LangOut",
    "LoginIn",
    "LoginOut",
    "MeOut",
    "PasswordIn",
]


class LoginIn(StrictIn):
    username: str = Field(max_length=64)
    password: str = Field(max_length=200)


class LoginOut(BaseModel):
    username: str
    nation: str
    role: str
    csrf: str = Field(description="send as X-CSRF-Token on writes")


class MeOut(OrmOut):
    username: str
    nation: str
    role: str
    lang: str
    csrf: str
    calendar: str = Field(description="path of the user's iCalendar feed")

    @classmethod
    def of(cls, user: User, csrf: str) -> Self:
        return cls.copy_of(user, csrf=csrf, calendar=f"/calendar/{user.ical_token}.ics")


class LangIn(StrictIn):
    lang: str


class LangOut(BaseModel):
    lang: str


class PasswordIn(StrictIn):
    """A new password; ``current`` is needed to change one's own."""

    current: str | None = Field(default=None, max_length=200)
    new: str = Field(max_length=200)


class CalendarOut(BaseModel):
    calendar: str = Field(description="path of the user's new iCalendar feed")
