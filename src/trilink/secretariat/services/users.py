"""Users, passwords, login sessions and the calendar token."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from trilink.secretariat.access import require_role
from trilink.secretariat.errors import ForbiddenError, ValidationError, not_found
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


_DUMMY: dict[int, str] = {}


def _password(value: object) -> str:
    if not isinstance(value, str) or len(value) < 8 or len(value) > 200:
        raise ValidationError("password: use 8 to 200 characters")
    return value


def _dummy_hash() -> str:
    """A stored-hash stand-in at the current cost, made once (checked against unknown users)."""
    if SCRYPT_N not in _DUMMY:
        _DUMMY[SCRYPT_N] = hash_password(secrets.token_urlsafe(16))
    return _DUMMY[SCRYPT_N]


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
        password = _password(password)
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

    def _user_to_manage(self, username: str) -> User:
        """A user the acting admin may manage: the operator any, an admin their own nation's."""
        require_role(self.user, "admin")
        found = self.session.scalars(select(User).where(User.username == username)).first()
        if found is None or (self.user.role != "system" and found.nation != self.user.nation):
            raise not_found()
        return found

    def _end_sessions(self, user: User, *, keep: str | None = None) -> None:
        stmt = delete(UserSession).where(UserSession.user_id == user.id)
        if keep is not None:
            stmt = stmt.where(UserSession.token_hash != _token_hash(keep))
        self.session.execute(stmt)

    def deactivate_user(self, username: str) -> User:
        """Deactivate a user (admin): no login, every session and the calendar feed end at once."""
        target = self._user_to_manage(username)
        before = snapshot(target)
        target.active = False
        target.ical_token = secrets.token_urlsafe(32)
        self._end_sessions(target)
        self.record_audit("deactivate", target, before, (target.nation,))
        return target

    def set_password(
        self,
        username: str,
        new: str,
        *,
        current: str | None = None,
        keep_session: str | None = None,
    ) -> None:
        """Change a password: one's own (``current`` needed) or, as admin, another user's.

        Every session of the user ends except ``keep_session`` (the one making the change).
        """
        if self.user.role != "system" and username == self.user.username:
            target = self.user
            if current is None or not verify_password(current, target.password_hash):
                raise ForbiddenError("current password is wrong")
        else:
            target = self._user_to_manage(username)
        before = snapshot(target)
        target.password_hash = hash_password(_password(new))
        self._end_sessions(target, keep=keep_session)
        self.record_audit(
            "password", target, before, (target.nation,), after={"username": target.username}
        )

    def rotate_user_token(self, username: str) -> str:
        """Give a user a new calendar token (admin, or the operator); the old feed URL dies."""
        target = self._user_to_manage(username)
        before = snapshot(target)
        target.ical_token = secrets.token_urlsafe(32)
        self.record_audit("rotate_ical_token", target, before, (target.nation,))
        return target.ical_token

    @staticmethod
    def authenticate(session: Session, username: str, password: str) -> User | None:
        """The user with this name and password, or None."""
        user = session.scalars(select(User).where(User.username == username)).first()
        if user is None or not user.active:
            # The same single scrypt run as for a real user, so timing does not tell whether
            # the name exists.
            verify_password(password, _dummy_hash())
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
        if row is None or row.expires_at <= now or not row.user.active:
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
        user = session.scalars(select(User).where(User.ical_token == token)).first()
        return user if user is not None and user.active else None
