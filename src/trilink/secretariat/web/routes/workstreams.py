"""Workstreams: API (the pages are in :mod:`.pages_core`)."""

from fastapi import APIRouter

from trilink.secretariat.web.deps import API, API_ERRORS, ApiWrite, Svc
from trilink.secretariat.web.schemas.workstreams import WorkstreamIn, WorkstreamOut, WorkstreamPatch

__all__ = ["router"]

router = APIRouter(tags=["workstreams"], responses=API_ERRORS)


@router.get(f"{API}/workstreams")
def api_workstreams(svc: Svc, lang: str = "en") -> list[WorkstreamOut]:
    return [WorkstreamOut.of(w, lang) for w in svc.list_workstreams()]


@router.post(f"{API}/workstreams", status_code=201, dependencies=[ApiWrite])
def api_workstream_create(body: WorkstreamIn, svc: Svc) -> WorkstreamOut:
    return WorkstreamOut.of(svc.create_workstream(**body.model_dump()), "en")


@router.get(f"{API}/workstreams/{{w_id}}")
def api_workstream(svc: Svc, w_id: int, lang: str = "en") -> WorkstreamOut:
    return WorkstreamOut.of(svc.workstream(w_id), lang)


@router.patch(f"{API}/workstreams/{{w_id}}", dependencies=[ApiWrite])
def api_workstream_update(body: WorkstreamPatch, svc: Svc, w_id: int) -> WorkstreamOut:
    """Change a workstream; sharing can only be widened."""
    return WorkstreamOut.of(svc.update_workstream(w_id, **body.model_dump(exclude_none=True)), "en")
