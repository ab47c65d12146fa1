"""Server-rendered pages: one :func:`render` with the context every template gets."""

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse

from trilink.secretariat.access import ROLE_RANK
from trilink.secretariat.errors import ValidationError
from trilink.secretariat.i18n import label, pick_with_lang, t
from trilink.secretariat.models import AuditEntry, Commitment, Meeting, User
from trilink.secretariat.web.deps import csrf_for, lang_of, web_state

__all__ = ["ZONES", "audit_diff", "int_field", "render"]

#: time zones offered by the meeting form (any IANA zone works through the API)
ZONES = ("Asia/Seoul", "Asia/Tokyo", "America/New_York", "Pacific/Honolulu", "UTC")


def int_field(field: str, value: str) -> int:
    """A whole number from a form field."""
    try:
        return int(value.strip())
    except ValueError:
        raise ValidationError(f"{field}: expected a whole number") from None


def audit_diff(e: AuditEntry) -> str:
    """The changed fields of an audit entry, shortened for a table cell."""
    before = e.before or {}
    after = e.after or {}
    keys = [k for k in after if before.get(k) != after.get(k) and k not in ("updated_at",)]
    parts = []
    for k in keys[:8]:
        old = before.get(k)
        new = after.get(k)
        parts.append(f"{k}: {str(old)[:60] if old is not None else '∅'} → {str(new)[:60]}")
    return "; ".join(parts)


def _local(m: Meeting) -> str:
    start = m.starts_at.astimezone(ZoneInfo(m.tz))
    return f"{start:%Y-%m-%d %H:%M} {m.tz} ({m.starts_at:%Y-%m-%d %H:%M} UTC)"


def render(
    request: Request,
    name: str,
    user: User | None,
    status_code: int = 200,
    **ctx: Any,
) -> HTMLResponse:
    """Render a template; ``ctx`` may pass ``svc`` so pages show rolled-up progress."""
    state = web_state(request)
    lang = lang_of(request, user)
    svc = ctx.get("svc")

    def progress(c: Commitment) -> float:
        return svc.rolled_progress(c) if svc is not None else float(c.progress)

    base = {
        "user": user,
        "lang": lang,
        "t": lambda key: t(key, lang),
        "label": lambda value: label(value, lang),
        "pickw": lambda field: pick_with_lang(field, lang),
        "csrf": csrf_for(request),
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "now": state.clock(),
        "progress": progress,
        "local": _local,
        "diff": audit_diff,
        "error": None,
        "title": "",
        "can_write": user is not None and ROLE_RANK[user.role] >= ROLE_RANK["staff"],
        "can_approve": user is not None and ROLE_RANK[user.role] >= ROLE_RANK["approver"],
    }
    base.update(ctx)
    html = state.templates.get_template(name).render(**base)
    return HTMLResponse(html, status_code=status_code)
