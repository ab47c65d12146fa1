"""Server-rendered pages: one :func:`render` with the context every template gets."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Request
from fastapi.responses import HTMLResponse

from trilink.secretariat.access import ROLE_RANK
from trilink.secretariat.errors import ValidationError
from trilink.secretariat.i18n import label, pick_with_lang, t
from trilink.secretariat.models import AuditEntry, Commitment, Meeting, User
from trilink.secretariat.web.deps import csrf_for, lang_of, web_state

__all__ = [
    "NATIONS",
    "TZ_COOKIE",
    "ZONES",
    "audit_diff",
    "deadline_input",
    "fmt_when",
    "int_field",
    "nation_list",
    "reader_zone",
    "render",
]

#: time zones offered by the meeting form (any IANA zone works through the API)
ZONES = ("Asia/Seoul", "Asia/Tokyo", "America/New_York", "Pacific/Honolulu", "UTC")
#: the parties, in the order the forms show their checkboxes
NATIONS = ("KOR", "USA", "JPN")
#: cookie holding the reader's time zone preference (``username|IANA name``)
TZ_COOKIE = "trilink_tz"
_HOME_ZONE = {"KOR": "Asia/Seoul", "USA": "America/New_York", "JPN": "Asia/Tokyo"}


def _zone_ok(name: str) -> bool:
    if not name or len(name) > 64 or ".." in name or name.startswith("/"):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def reader_zone(request: Request, user: User | None) -> str:
    """The zone times are shown in: the reader's preference, else their nation's capital."""
    who, _, chosen = request.cookies.get(TZ_COOKIE, "").partition("|")
    if user is not None and who == user.username and _zone_ok(chosen):
        return chosen
    return _HOME_ZONE.get(user.nation, "UTC") if user is not None else "UTC"


def fmt_when(value: dt.datetime | None, zone: str) -> str:
    """An instant in the reader's zone, e.g. ``2025-03-01 09:00 JST (+09:00)``."""
    if value is None:
        return "-"
    local = value.astimezone(ZoneInfo(zone))
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} ({offset[:3]}:{offset[3:]})"


def nation_list(values: list[str]) -> str:
    """Checkbox values (or comma-separated text) as the services' ``"KOR,USA"`` form."""
    out: list[str] = []
    for v in values:
        out.extend(p.strip().upper() for p in v.split(",") if p.strip())
    return ",".join(dict.fromkeys(out))


def deadline_input(text: str, local: str = "", zone: str = "") -> str | None:
    """A deadline from the form: local date-time plus its zone (kept as that instant, with the
    zone's offset), else the free text the services accept (``2025-12-31``, ``year end``...)."""
    if local.strip():
        if not _zone_ok(zone):
            raise ValidationError("deadline time zone: choose a time zone")
        try:
            wall = dt.datetime.fromisoformat(local.strip())
        except ValueError:
            raise ValidationError("deadline: expected a local date and time") from None
        if wall.tzinfo is not None:
            raise ValidationError("deadline: give local time without an offset, plus its zone")
        return wall.replace(tzinfo=ZoneInfo(zone)).isoformat()
    return text.strip() or None


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


def _unread(svc: Any, request: Request) -> int:
    from trilink.secretariat.web.notices import unread_count

    return unread_count(svc, request) if svc is not None else 0


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
    zone = reader_zone(request, user)

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
        "zone": zone,
        "when": lambda value: fmt_when(value, zone),
        "nations": NATIONS,
        "zones": ZONES,
        "unread": _unread(svc, request),
        "diff": audit_diff,
        "error": None,
        "title": "",
        "can_write": user is not None and ROLE_RANK[user.role] >= ROLE_RANK["staff"],
        "can_approve": user is not None and ROLE_RANK[user.role] >= ROLE_RANK["approver"],
    }
    base.update(ctx)
    html = state.templates.get_template(name).render(**base)
    return HTMLResponse(html, status_code=status_code)
