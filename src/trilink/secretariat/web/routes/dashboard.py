"""The start page: what is overdue, due soon and coming up."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from trilink.secretariat.i18n import t
from trilink.secretariat.web.deps import Svc
from trilink.secretariat.web.render import render

__all__ = ["router"]

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def dashboard(request: Request, svc: Svc) -> HTMLResponse:
    return render(
        request,
        "dashboard.html",
        svc.user,
        svc=svc,
        title=t("dashboard", svc.user.lang),
        overdue=svc.list_commitments("overdue"),
        due_soon=svc.list_commitments("due_soon"),
        meetings=svc.list_meetings(after=svc.now())[:10],
    )
