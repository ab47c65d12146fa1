"""Pages: exercises (scenario library or an uploaded scenario, a run's ``timeline.json`` as the
after-action record with a table and a chart) and documents (versions, file uploads)."""

import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile as FormFile

from trilink import TrilinkError
from trilink.scenarios.model import library_names, load_scenario, parse_scenario
from trilink.secretariat.errors import ValidationError
from trilink.secretariat.services import DOCUMENT_KINDS, DOMAINS, EXERCISE_STATUSES
from trilink.secretariat.services.documents import MAX_ATTACHMENT
from trilink.secretariat.web.deps import Svc, check_csrf
from trilink.secretariat.web.render import NATIONS
from trilink.secretariat.web.routes.pages_common import (
    back,
    matches,
    object_page,
    posted,
    section_page,
)

__all__ = ["after_action_chart", "router"]

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
Upload = Annotated[UploadFile | None, File()]


async def _read(upload: FormFile | None, limit: int) -> bytes | None:
    """The uploaded file's bytes (None if no file was chosen)."""
    if upload is None or not upload.filename:
        return None
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(f"{upload.filename}: larger than {limit} bytes")
    return data


# ---------------------------------------------------------------------------- exercises
@router.get("/exercises", response_class=HTMLResponse)
def exercises_page(
    request: Request, svc: Svc, q: str = "", status: str = "", domain: str = ""
) -> HTMLResponse:
    items = [
        e
        for e in svc.list_exercises()
        if matches(q, e.key, e.name, e.description, e.scenario or "")
        and (not status or e.status == status)
        and (not domain or domain in e.domains.split(","))
    ]
    return section_page(
        request,
        svc,
        "exercises",
        items=items,
        q=q,
        status=status,
        domain=domain,
        statuses=EXERCISE_STATUSES,
        domains=DOMAINS,
        library=library_names(),
    )


@router.post("/exercises")
async def exercise_create_form(request: Request, svc: Svc) -> Response:
    form = await posted(request, svc)
    scenario = form.text("scenario").strip() or None
    upload = form.upload("scenario_file")
    if upload is not None:
        raw = await _read(upload, 256 * 1024)
        try:
            text = (raw or b"").decode("utf-8")
            scenario = parse_scenario(text, upload.filename or "scenario").name
        except (TrilinkError, UnicodeDecodeError) as exc:
            raise ValidationError(f"scenario: {exc}") from None
    elif scenario is not None:
        _library_scenario(scenario)
    ex = svc.create_exercise(
        form.text("key"),
        form.i18n("name"),
        starts_on=form.text("starts_on"),
        ends_on=form.text("ends_on"),
        participants=form.nations("participants") or "all",
        domains=form.values("domains"),
        description=form.i18n("description") or None,
        scenario=scenario,
        status=form.text("status", "planned"),
        visible_to=form.nations("vis") or "all",
    )
    return back(f"/exercises/{ex.id}")


def _library_scenario(name: str) -> None:
    """Refuse a scenario name that is not in the library or does not load."""
    if name not in library_names():
        raise ValidationError(f"scenario: {name!r} is not in the scenario library")
    try:
        load_scenario(name)
    except TrilinkError as exc:
        raise ValidationError(f"scenario: {exc}") from None


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def after_action_chart(run: dict[str, Any] | None) -> dict[str, Any] | None:
    """Table rows and chart geometry of a ``timeline.json`` run, or None if it is not one:
    a time axis from launch (0 s) to each nation's first notice and first area warning, and
    bars of areas warned against the areas truly threatened."""
    if not run or not isinstance(run.get("nations"), dict):
        return None
    rows: list[dict[str, Any]] = []
    for n in NATIONS:
        rec = run["nations"].get(n)
        if not isinstance(rec, dict):
            continue
        warned = rec.get("areas_warned") or []
        truth = rec.get("areas_threatened_truth") or []
        impact = rec.get("final_impact")
        rows.append(
            {
                "nation": n,
                "notice": _num(rec.get("first_launch_notice_s")),
                "area": _num(rec.get("first_area_warning_s")),
                "alone": _num(rec.get("first_area_warning_alone_s")),
                "warned": [str(a) for a in warned] if isinstance(warned, list) else [],
                "truth": [str(a) for a in truth] if isinstance(truth, list) else [],
                "impact": impact if isinstance(impact, dict) else None,
                "messages": len(rec.get("messages") or []),
            }
        )
    times = [v for r in rows for v in (r["notice"], r["area"], r["alone"]) if v is not None]
    top = max([*times, 1.0]) * 1.1
    left, width = 90.0, 560.0
    counts = [max(len(r["warned"]), len(r["truth"])) for r in rows]
    most = max([*counts, 1])
    for i, r in enumerate(rows):
        r["y"] = 40 + i * 50
        for name in ("notice", "area", "alone"):
            value = r[name]
            r[f"x_{name}"] = None if value is None else round(left + width * value / top, 1)
        r["w_warned"] = round(200 * len(r["warned"]) / most, 1)
        r["w_truth"] = round(200 * len(r["truth"]) / most, 1)
        r["hits"] = len(set(r["warned"]) & set(r["truth"]))
    ticks = [round(top * k / 5, 1) for k in range(6)]
    return {
        "scenario": str(run.get("scenario", "")),
        "launch_utc": str(run.get("launch_utc", "")),
        "status": str(run.get("status", "")),
        "rows": rows,
        "ticks": [{"x": round(left + width * v / top, 1), "label": f"{v:.0f}"} for v in ticks],
        "left": left,
        "right": left + width,
        "height": 60 + 50 * max(1, len(rows)),
    }


@router.get("/exercises/{e_id}", response_class=HTMLResponse)
def exercise_page(request: Request, svc: Svc, e_id: int) -> HTMLResponse:
    ex = svc.exercise(e_id)
    return object_page(
        request,
        svc,
        "exercise",
        ex.id,
        ex.name,
        history=True,
        e=ex,
        aar=after_action_chart(ex.after_action),
        statuses=EXERCISE_STATUSES,
        domains=DOMAINS,
        library=library_names(),
    )


@router.post("/exercises/{e_id}/edit")
async def exercise_edit_form(request: Request, svc: Svc, e_id: int) -> Response:
    form = await posted(request, svc)
    ex = svc.exercise(e_id)
    scenario = form.text("scenario").strip()
    if scenario and scenario != ex.scenario:  # a stored (uploaded) scenario may stay as it is
        _library_scenario(scenario)
    svc.update_exercise(
        e_id,
        name=form.i18n("name"),
        description=form.i18n("description"),
        participants=form.nations("participants"),
        domains=form.values("domains"),
        scenario=scenario,
        visible_to=form.nations("vis"),
        **form.texts("starts_on", "ends_on", "status"),
    )
    return back(f"/exercises/{e_id}")


@router.post("/exercises/{e_id}/run")
async def exercise_run_form(
    request: Request, svc: Svc, e_id: int, run_file: Upload = None, csrf: Text = ""
) -> Response:
    check_csrf(request, csrf)
    raw = await _read(run_file, 4 * 1024 * 1024)
    if raw is None:
        raise ValidationError("timeline.json: choose a file")
    try:
        run = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(f"timeline.json: not JSON ({exc})") from None
    if not isinstance(run, dict) or not isinstance(run.get("nations"), dict):
        raise ValidationError("timeline.json: expected a scenario run's timeline (with nations)")
    svc.attach_run(e_id, run)
    return back(f"/exercises/{e_id}")


# ---------------------------------------------------------------------------- documents
@router.get("/documents", response_class=HTMLResponse)
def documents_page(request: Request, svc: Svc, q: str = "", kind: str = "") -> HTMLResponse:
    items = [
        d
        for d in svc.list_documents()
        if matches(q, d.key, d.title, *(v.body for v in d.versions[-1:]))
        and (not kind or d.kind == kind)
    ]
    return section_page(
        request, svc, "documents", items=items, q=q, kind=kind, kinds=DOCUMENT_KINDS
    )


@router.post("/documents")
async def document_create_form(request: Request, svc: Svc) -> Response:
    form = await posted(request, svc)
    d = svc.create_document(
        form.text("key"),
        form.text("kind"),
        form.i18n("title"),
        body=form.i18n("body"),
        issued_on=form.text("issued_on").strip() or None,
        source_url=form.text("source_url").strip() or None,
        note=form.text("note"),
        visible_to=form.nations("vis") or "all",
    )
    upload = form.upload("file")
    if upload is not None:
        await _attach(svc, d.versions[-1].id, upload)
    return back(f"/documents/{d.id}")


async def _attach(svc: Any, version_id: int, upload: FormFile) -> None:
    data = await _read(upload, MAX_ATTACHMENT)
    name = (upload.filename or "attachment.bin").replace("\\", "/").rsplit("/", 1)[-1]
    svc.add_attachment(
        version_id, name, upload.content_type or "application/octet-stream", data or b""
    )


@router.get("/documents/{d_id}", response_class=HTMLResponse)
def document_page(request: Request, svc: Svc, d_id: int) -> HTMLResponse:
    d = svc.document(d_id)
    return object_page(
        request, svc, "document", d.id, d.title, history=True, d=d, kinds=DOCUMENT_KINDS
    )


@router.post("/documents/{d_id}/edit")
async def document_edit_form(request: Request, svc: Svc, d_id: int) -> Response:
    form = await posted(request, svc)
    svc.update_document(
        d_id,
        kind=form.text("kind"),
        title=form.i18n("title"),
        issued_on=form.text("issued_on").strip(),
        source_url=form.text("source_url").strip(),
        visible_to=form.nations("vis"),
    )
    return back(f"/documents/{d_id}")


@router.post("/documents/{d_id}/versions")
async def version_form(request: Request, svc: Svc, d_id: int) -> Response:
    form = await posted(request, svc)
    v = svc.add_version(d_id, form.i18n("body"), form.text("note"))
    upload = form.upload("file")
    if upload is not None:
        await _attach(svc, v.id, upload)
    return back(f"/documents/{d_id}")


@router.post("/documents/{d_id}/versions/{v_id}/attachments")
async def attachment_form(
    request: Request, svc: Svc, d_id: int, v_id: int, file: Upload = None, csrf: Text = ""
) -> Response:
    check_csrf(request, csrf)
    d = svc.document(d_id)
    if v_id not in {v.id for v in d.versions}:
        raise ValidationError("version: not a version of this document")
    if file is None or not file.filename:
        raise ValidationError("file: choose a file")
    await _attach(svc, v_id, file)
    return back(f"/documents/{d_id}")
