"""The one access check.

Every read goes through :func:`visible_filter` (queries) or :func:`can_view` (single objects);
both say the same thing: a user sees an object only if the user's nation is among the nations the
object is shared with. Roles never widen visibility, not even for admins: a nation's secrets are
the nation's, whatever the role of the foreign user. Roles only gate writes (:func:`require_role`).
Objects without their own flags (agenda items, minutes, outcomes, milestones, versions) are
always reached through their visible parent.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, true

from trilink.secretariat.errors import ForbiddenError
from trilink.secretariat.models import User, Visible

__all__ = ["ROLE_RANK", "can_view", "require_role", "visible_filter"]

#: "system" is the operator's own principal (CLI without ``--as``, seeding); never a stored user.
ROLE_RANK: dict[str, int] = {"viewer": 0, "staff": 1, "approver": 2, "admin": 3, "system": 4}

_FLAG = {"KOR": "vis_kor", "USA": "vis_usa", "JPN": "vis_jpn"}


def can_view(user: User, obj: Visible) -> bool:
    """True if ``user``'s nation may see ``obj``."""
    return user.role == "system" or user.nation in obj.visible_to


def visible_filter(user: User, model: type[Any]) -> ColumnElement[bool]:
    """SQL condition selecting the rows of ``model`` that ``user`` may see."""
    if user.role == "system":
        return true()
    column: ColumnElement[bool] = getattr(model, _FLAG[user.nation]).is_(True)
    return column


def require_role(user: User, role: str) -> None:
    """Refuse unless ``user`` has at least ``role``."""
    if ROLE_RANK[user.role] < ROLE_RANK[role]:
        raise ForbiddenError(f"this needs the {role} role; {user.username} is {user.role}")
