"""The per-user iCalendar feed (the token in the path is the credential)."""

from fastapi import APIRouter, Response

from trilink.secretariat.i18n import LANGS
from trilink.secretariat.ical import build_calendar
from trilink.secretariat.services import Secretariat
from trilink.secretariat.web.deps import SessionDep, StateDep

__all__ = ["router"]

router = APIRouter()


@router.get("/calendar/{token}.ics", include_in_schema=False)
def calendar(session: SessionDep, state: StateDep, token: str, lang: str | None = None) -> Response:
    user = Secretariat.calendar_user(session, token)
    if user is None:
        return Response("unknown calendar token\n", status_code=404, media_type="text/plain")
    svc = Secretariat(session, user, state.clock)
    data = build_calendar(svc, lang if lang in LANGS else user.lang)
    return Response(data, media_type="text/calendar; charset=utf-8")
