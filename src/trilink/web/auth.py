"""Local accounts, server-side sessions, CSRF tokens and login throttling.

Passwords are stored as argon2id hashes. A session is a random id in an HttpOnly, SameSite=Strict
cookie that names a record held here, so logging out (or an administrator) ends it for good. Each
session carries its own CSRF token; the login form has one too, bound to a short-lived
pre-session cookie, so a page elsewhere cannot log a browser in under the attacker's account.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = [
    "ROLES",
    "Role",
    "Session",
    "SessionStore",
    "Throttle",
    "User",
    "hash_password",
]

Role = Literal["viewer", "operator", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "operator", "admin")

_HASHER = PasswordHasher()
#: verified when the user is unknown, so a wrong name costs the same time as a wrong password
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` for a :class:`User`."""
    return _HASHER.hash(password)


@dataclass(frozen=True)
class User:
    """A local account."""

    name: str
    password_hash: str
    role: Role

    @classmethod
    def create(cls, name: str, password: str, role: Role) -> User:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        return cls(name, hash_password(password), role)


def check_password(users: dict[str, User], name: str, password: str) -> User | None:
    """The user if ``password`` is theirs; an unknown name is hashed against a dummy."""
    user = users.get(name)
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return user


@dataclass
class Session:
    """One login: who, in which role, its CSRF token and when it was last used."""

    sid: str
    user: str
    role: Role
    csrf: str
    created_ns: int
    seen_ns: int


@dataclass
class SessionStore:
    """Sessions and login pre-sessions, kept in memory (a restart logs everyone out)."""

    clock: Callable[[], int]
    idle_s: float = 8 * 3600.0
    login_s: float = 600.0
    #: open login forms kept at most (each GET /login makes one)
    max_logins: int = 10_000
    _sessions: dict[str, Session] = field(default_factory=dict)
    #: pre-session id -> (CSRF token of the login form, created ns)
    _logins: dict[str, tuple[str, int]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def new_login(self) -> tuple[str, str]:
        """(pre-session id, login CSRF token) for one login form."""
        pid, token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self.clock()
        with self._lock:
            # Expired pre-sessions go first, so abandoned forms cannot pile up.
            horizon = now - int(self.login_s * 1e9)
            for k in [k for k, (_, t) in self._logins.items() if t < horizon]:
                del self._logins[k]
            # Anyone may ask for the form: past the cap the oldest forms go (dicts keep order).
            while len(self._logins) >= self.max_logins:
                del self._logins[next(iter(self._logins))]
            self._logins[pid] = (token, now)
        return pid, token

    def take_login(self, pid: str | None, token: str | None) -> bool:
        """True if ``token`` is the live login token of ``pid``; a token is good once."""
        if not pid or not token:
            return False
        with self._lock:
            entry = self._logins.pop(pid, None)
        if entry is None or self.clock() - entry[1] > int(self.login_s * 1e9):
            return False
        return hmac.compare_digest(entry[0].encode(), token.encode())

    def create(self, user: User) -> Session:
        now = self.clock()
        s = Session(
            secrets.token_urlsafe(32), user.name, user.role, secrets.token_urlsafe(32), now, now
        )
        with self._lock:
            self._sessions[s.sid] = s
        return s

    def get(self, sid: str | None) -> Session | None:
        """The live session of ``sid``, touched; None if unknown or idle too long."""
        if not sid:
            return None
        now = self.clock()
        with self._lock:
            s = self._sessions.get(sid)
            if s is None:
                return None
            if now - s.seen_ns > int(self.idle_s * 1e9):
                del self._sessions[sid]
                return None
            s.seen_ns = now
            return s

    def end(self, sid: str) -> None:
        with self._lock:
            self._sessions.pop(sid, None)

    def end_user(self, user: str) -> int:
        """End every session of ``user``; how many there were."""
        with self._lock:
            gone = [k for k, s in self._sessions.items() if s.user == user]
            for k in gone:
                del self._sessions[k]
        return len(gone)

    def alive(self, sid: str) -> bool:
        with self._lock:
            return sid in self._sessions


@dataclass
class Throttle:
    """At most ``limit`` failed logins per key (user name, client address) per ``window_s``."""

    clock: Callable[[], int]
    limit: int = 5
    window_s: float = 900.0
    max_keys: int = 10_000
    _fails: dict[str, list[int]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str, now: int) -> list[int]:
        horizon = now - int(self.window_s * 1e9)
        kept = [t for t in self._fails.get(key, []) if t > horizon]
        if kept:
            self._fails[key] = kept
        else:
            self._fails.pop(key, None)
        return kept

    def retry_after(self, keys: Iterable[str]) -> float:
        """Seconds until every key may try again; 0 when none is blocked."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            for key in keys:
                recent = self._recent(key, now)
                if len(recent) >= self.limit:
                    wait = max(wait, (recent[-self.limit] - now) / 1e9 + self.window_s)
        return wait

    def fail(self, keys: Iterable[str]) -> None:
        now = self.clock()
        with self._lock:
            if len(self._fails) > self.max_keys:
                # Names that are guessed once and never again would otherwise pile up.
                for key in list(self._fails):
                    self._recent(key, now)
            for key in keys:
                self._recent(key, now)
                self._fails.setdefault(key, []).append(now)

    def clear(self, key: str) -> None:
        with self._lock:
            self._fails.pop(key, None)
