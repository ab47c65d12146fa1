"""What every domain service shares: session, acting user, clock, the access check, the audit call.

Every write ends in :meth:`ServiceBase.record_audit`, the one place that writes an audit entry
and commits. The audit log itself is append-only: a flush that would update or delete an
:class:`AuditEntry` is refused here, and database triggers refuse it again underneath.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from trilink import NATIONS
from trilink.secretariat.access import can_view, require_role, visible_filter
from trilink.secretariat.errors import (
    ConflictError,
    ForbiddenError,
    ValidationError,
    not_found,
)
from trilink.secretariat.models import AuditEntry, Base, User, Visible
from trilink.secretariat.validate import nations

__all__ = ["Clock", "ServiceBase", "snapshot", "system_clock", "system_user"]

Clock = Callable[[], dt.datetime]
V = TypeVar("V", bound=Visible)


def system_clock() -> dt.datetime:
    """The real clock (UTC); tests inject their own."""
    return dt.datetime.now(dt.UTC)


def system_user() -> User:
    """The operator principal (CLI, seeding): sees everything, never stored."""
    return User(
        id=0,
        username="system",
        display_name="system",
        nation="SYS",
        role="system",
        lang="en",
        password_hash="!",
        ical_token="!",
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def snapshot(obj: Base) -> dict[str, Any]:
    """The object's columns as JSON values (binary data is summarised by the hash column)."""
    out: dict[str, Any] = {}
    for column in obj.__table__.columns:
        if column.key in ("data", "password_hash", "ical_token"):
            continue
        out[column.key] = _jsonable(getattr(obj, column.key))
    return out


@event.listens_for(Session, "before_flush")
def _audit_is_append_only(session: Session, _ctx: Any, _instances: Any) -> None:
    """Service-layer guard: no session may update or delete an audit entry."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry):
            raise ForbiddenError(
                "the audit log is append-only: entries cannot be changed or deleted"
            )


class ServiceBase:
    """One session, one acting user and one clock; the helpers every domain service uses."""

    def __init__(self, session: Session, user: User, clock: Clock = system_clock) -> None:
        self.session = session
        self.user = user
        self.clock = clock
        self._batch = False

    @contextmanager
    def all_or_nothing(self) -> Iterator[None]:
        """Run many writes as one transaction: committed together at the end, or rolled back.

        Inside, :meth:`record_audit` only flushes, so a failure halfway (a bad item of an import)
        leaves no parent behind whose key would make a corrected re-run skip it.
        """
        if self._batch:
            yield
            return
        self._batch = True
        try:
            yield
        except BaseException:
            self.session.rollback()
            raise
        else:
            self.session.commit()
        finally:
            self._batch = False

    def now(self) -> dt.datetime:
        """The injected clock's time (aware UTC)."""
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("the clock must return aware datetimes")
        return now.astimezone(dt.UTC)

    # ------------------------------------------------------------------ writes
    def record_audit(
        self,
        action: str,
        obj: Base,
        before: dict[str, Any] | None,
        visible: Sequence[str],
        *,
        after: dict[str, Any] | None = None,
    ) -> None:
        """The one audit call after a write (``after``: the columns by default); then commit
        (or only flush, inside :meth:`all_or_nothing`)."""
        self.session.flush()
        entry = AuditEntry(
            at=self.now(),
            actor=self.user.username,
            actor_nation=self.user.nation,
            action=action,
            object_type=type(obj).__name__.lower(),
            object_id=int(getattr(obj, "id", 0) or 0),
            before=before,
            after=after if after is not None else snapshot(obj),
        )
        entry.set_visible_to(tuple(visible))
        self.session.add(entry)
        if self._batch:
            self.session.flush()
        else:
            self.session.commit()

    def _add(self, obj: Base, visible: Sequence[str]) -> None:
        """Store a new object and audit its creation."""
        self.session.add(obj)
        self.record_audit("create", obj, None, visible)

    def _share(self, obj: Visible, visible_to: Any, noun: str) -> None:
        """Share a new keyed object as asked (the user's own nation included); keys are unique.

        Keys are global (imports and the CLI name objects by key), so a key cannot be given out
        twice. The refusal is the same whether the clash is with a visible or a hidden object and
        names neither the key nor the other object.
        """
        obj.set_visible_to(self._visibility(visible_to))
        model = type(obj)
        key = obj.key  # type: ignore[attr-defined]
        if key and self.session.scalars(select(model).where(model.key == key)).first():  # type: ignore[attr-defined]
            raise ConflictError(f"key: this {noun} key is already in use; choose another")

    def _add_shared(self, obj: V, visible_to: Any, noun: str) -> V:
        """Share a new keyed object as asked (see :meth:`_share`), store it and audit it."""
        assert isinstance(obj, Base)  # every shared object is a table row
        self._share(obj, visible_to, noun)
        self._add(obj, obj.visible_to)
        return obj

    def _edit(self, model: type[V], obj_id: int) -> tuple[V, dict[str, Any]]:
        """Staff only: the visible object to change, and its columns before the change."""
        self._staff()
        obj = self._get(model, obj_id)
        assert isinstance(obj, Base)  # every shared object is a table row
        return obj, snapshot(obj)

    def _updated(self, obj: V, before: dict[str, Any], visible_to: Any) -> V:
        """Finish an update of ``obj``: widen its sharing if ``visible_to`` is given, and audit
        the change for every nation that saw it before or sees it now."""
        assert isinstance(obj, Base)  # every shared object is a table row
        seen_by = obj.visible_to if visible_to is None else self._reshare(obj, visible_to)
        self.record_audit("update", obj, before, seen_by)
        return obj

    def _reshare(self, obj: Visible, visible_to: Any) -> tuple[str, ...]:
        """Change who may see ``obj``; returns the nations that must see the change's audit row.

        Widening is allowed. Narrowing would let one nation hide a record from a partner that
        can see it, so it is refused (the operator, acting for all three, may still do it).
        """
        before = obj.visible_to
        after = self._visibility(visible_to)
        dropped = [n for n in before if n not in after]
        if dropped and self.user.role != "system":
            raise ConflictError(
                f"visible_to: cannot hide this record from {', '.join(dropped)} without their "
                "consent; sharing can only be widened"
            )
        obj.set_visible_to(after)
        # Everyone who could see the record before, and everyone who can see it now.
        return tuple(n for n in NATIONS if n in before or n in after)

    def _staff(self) -> None:
        require_role(self.user, "staff")

    def _visibility(self, value: Any) -> tuple[str, ...]:
        vis = nations("visible_to", value)
        if self.user.role != "system" and self.user.nation not in vis:
            raise ValidationError(
                f"visible_to: must include your own nation ({self.user.nation}), "
                "or you could not see what you create"
            )
        return vis

    # ------------------------------------------------------------------ reads (the access check)
    def _get(self, model: type[V], obj_id: int) -> V:
        obj = self.session.get(model, obj_id)
        if obj is None or not can_view(self.user, obj):
            raise not_found()
        return obj

    def _by_key(self, model: type[V], key: str) -> V:
        obj = self.session.scalars(select(model).where(model.key == key)).first()  # type: ignore[attr-defined]
        if obj is None or not can_view(self.user, obj):
            raise not_found()
        return obj

    def visible_id(self, model: type[V], obj_id: int | None) -> int | None:
        """``obj_id`` if the user may see that object, else None (a hidden link is no link)."""
        if obj_id is None:
            return None
        obj = self.session.get(model, obj_id)
        return obj_id if obj is not None and can_view(self.user, obj) else None

    def _list(self, model: type[V], *order: Any) -> list[V]:
        stmt = select(model).where(visible_filter(self.user, model)).order_by(*order)
        return list(self.session.scalars(stmt))
