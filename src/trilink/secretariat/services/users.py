"""Users, passwords, login sessions and the calendar token."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from trilink.secretariat.access import require_role
from trilink.secretariat.errors import ValidationError
from trilink.secretariat.i18n import LANGS
from trilink.secretariat.models import User, UserSession
from trilink.secretariat.services.base import ServiceBase, snapshot
from trilink.secretariat.validate import ROLES, check_choice, check_key, check_text, nations

__all__ = ["SCRYPT_N", "SESSION_HOURS", "UserServices", "hash_password", "verify_password"]

SESSION_HOURS = 12
#: scrypt work factor for new password hashes (stored with each hash; tests lower it for speed)
SCRYPT_N = 2**14


def hash_password(password: str, *, salt: bytes | None = None, n: int | None = None) -> str:
    """scrypt hash as ``scrypt$n$salt$hash`` (hex)."""
    salt = salt or secrets.token_bytes(16)
    cost = n or SCRYPT_N
    digest = hashlib.scrypt(password.encode(), salt=salt, n=cost, r=8, p=1)
    return f"scrypt${cost}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of ``password`` against :func:`hash_password` output."""
    try:
        scheme, cost, salt_hex, _ = stored.split("$")
        n = int(cost)
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        return False
    if scheme != "scrypt" or n < 2 or n > 2**20 or n & (n - 1):
        return False
    return hmac.compare_digest(hash_password(password, salt=salt, n=n), stored)


def _token_hash(token: str) -> str:
    """Session tokens are stored only as this hash."""
    return hashlib.sha256(token.encode()).hexdigest()


class UserServices(ServiceBase):
    """Users and their login sessions."""

    def create_user(
        self,
        username: str,
        nation: str,
        role: str,
        password: str,
        *,
        display_name: str = "",
        email: str | None = None,
        lang: str = "en",
    ) -> User:
        """Add a user (admin only)."""
        require_role(self.user, "admin")
        username = check_key("username", username)
        (nation_code,) = nations("nation", [nation])
        check_choice("role", role, ROLES)
        check_choice("lang", lang, LANGS)
        if not isinstance(password, str) or len(password) < 8 or len(password) > 200:
            raise ValidationError("password: use 8 to 200 characters")
        if email is not None:
            email = check_text("email", email, limit=254)
            if "@" not in email:
                raise ValidationError("email: not an e-mail address")
        if self.session.scalars(select(User).where(User.username == username)).first():
            raise ValidationError(f"username: {username!r} already exists")
        user = User(
            username=username,
            display_name=check_text("display_name", display_name or username, limit=200),
            nation=nation_code,
            role=role,
            email=email,
            lang=lang,
            password_hash=hash_password(password),
            ical_token=secrets.token_urlsafe(32),
            created_at=self.now(),
        )
        self._add(user, (nation_code,))
        return user

    def set_language(self, lang: str) -> None:
        """The acting user's UI language."""
        check_choice("lang", lang, LANGS)
        if self.user.role == "system":
            return
        before = snapshot(self.user)
        self.user.lang = lang
        self.record_audit("update", self.user, before, (self.user.nation,))

    def rotate_ical_token(self) -> str:
        """Give the acting user a new calendar token (the old feed URL stops working)."""
        before = snapshot(self.user)
        self.user.ical_token = secrets.token_urlsafe(32)
        self.record_audit("rotate_ical_token", self.user, before, (self.user.nation,))
        return self.user.ical_token

    @staticmethod
    def authenticate(session: Session, username: str, password: str) -> User | None:
        """The user with this name and password, or None."""
        user = session.scalars(select(User).where(User.username == username)).first()
        if user is None:
            verify_password(password, hash_password("dummy-password"))  # same cost either way
            return None
        return user if verify_password(password, user.password_hash) else None

    @staticmethod
    def open_session(session: Session, user: User, now: dt.datetime) -> str:
        """A new login session (audited); returns the cookie token (only its hash is stored)."""
        token = secrets.token_urlsafe(32)
        row = UserSession(
            token_hash=_token_hash(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + dt.timedelta(hours=SESSION_HOURS),
        )
        session.add(row)
        ServiceBase(session, user, lambda: now).record_audit(
            "login", user, None, (user.nation,), after={"username": user.username}
        )
        return token

    @staticmethod
    def session_user(session: Session, token: str, now: dt.datetime) -> User | None:
        """The user of a live session token, or None."""
        row = session.get(UserSession, _token_hash(token))
        if row is None or row.expires_at <= now:
            return None
        return row.user

    @staticmethod
    def close_session(session: Session, token: str, now: dt.datetime) -> None:
        """Log out (audited)."""
        row = session.get(UserSession, _token_hash(token))
        if row is not None:
            user = row.user
            session.delete(row)
            ServiceBase(session, user, lambda: now).record_audit(
                "logout", user, None, (user.nation,), after={"username": user.username}
            )

    @staticmethod
    def calendar_user(session: Session, token: str) -> User | None:
        """The user whose calendar feed token this is, or None (short tokens are never valid)."""
        if len(token) < 20:
            return None
        return session.scalars(select(User).where(User.ical_token == token)).first()
