"""Export and import: JSON (round-trips keyed objects), CSV (commitments) and iCalendar.

Import goes through the services, so everything imported is validated, access-checked and
audited like a hand-made change. Objects are matched by ``key``: an object whose key already
exists is left alone, so importing the same file twice changes nothing and an import that
stopped at a bad item can be fixed and re-run. Errors name the item (``commitments[3].deadline``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from trilink.secretariat.errors import NotFoundError, SecretariatError, ValidationError
from trilink.secretariat.i18n import pick
from trilink.secretariat.models import Commitment, Meeting, Outcome
from trilink.secretariat.services import Secretariat, snapshot
from trilink.secretariat.validate import check_year, timezone

__all__ = ["FORMAT", "export_csv", "export_data", "import_data"]

FORMAT = "trilink-secretariat/1"


def _vis(obj: Any) -> list[str] | str:
    vis = list(obj.visible_to)
    return "all" if len(vis) == 3 else vis


def export_data(svc: Secretariat) -> dict[str, Any]:
    """Everything the user may see, in the import format."""
    ws_keys = {w.id: w.key for w in svc.list_workstreams()}
    commitments = svc.list_commitments()
    c_keys = {c.id: c.key or f"c-{c.id}" for c in commitments}
    series = svc.series_list()
    s_keys = {s.id: s.key for s in series}
    out: dict[str, Any] = {"format": FORMAT}
    out["workstreams"] = [
        {
            "key": w.key,
            "title": w.title,
            "description": w.description,
            "owners": w.owners,
            "status": w.status,
            "visible_to": _vis(w),
        }
        for w in svc.list_workstreams()
    ]
    out["commitments"] = [
        {
            "key": c_keys[c.id],
            "workstream": ws_keys.get(c.workstream_id) if c.workstream_id else None,
            "parent": c_keys.get(c.parent_id) if c.parent_id else None,
            "title": c.title,
            "description": c.description,
            "owners": c.owners,
            "deadline": c.deadline.isoformat() if c.deadline else None,
            "deadline_note": c.deadline_note,
            "review_date": c.review_date.isoformat() if c.review_date else None,
            "status": c.status,
            "progress": c.progress,
            "rolled_progress": round(svc.rolled_progress(c), 2),
            "weight": c.weight,
            "visible_to": _vis(c),
            "milestones": [
                {
                    "title": m.title,
                    "due": m.due.isoformat() if m.due else None,
                    "done_at": m.done_at.isoformat() if m.done_at else None,
                }
                for m in c.milestones
            ],
            "evidence": [{"url": e.url, "label": e.label} for e in c.evidence],
        }
        for c in commitments
    ]
    out["series"] = [
        {
            "key": s.key,
            "kind": s.kind,
            "title": s.title,
            "rule": s.rule,
            "tz": s.tz,
            "anchor": s.anchor_local,
            "duration_min": s.duration_min,
            "location": s.location,
            "workstream": ws_keys.get(s.workstream_id) if s.workstream_id else None,
            "visible_to": _vis(s),
        }
        for s in series
    ]
    meetings = []
    for m in svc.list_meetings():
        mins = svc.minutes(m.id)
        meetings.append(
            {
                "key": m.key or f"m-{m.id}",
                "series": s_keys.get(m.series_id) if m.series_id else None,
                "title": m.title,
                "start_utc": m.starts_at.isoformat(),
                "end_utc": m.ends_at.isoformat(),
                "tz": m.tz,
                "location": m.location,
                "status": m.status,
                "visible_to": _vis(m),
                "agenda": [
                    {"title": a.title, "presenter": a.presenter, "duration_min": a.duration_min}
                    for a in m.agenda
                ],
                "outcomes": [
                    {
                        "kind": o.kind,
                        "text": o.text,
                        "commitment": c_keys.get(o.commitment_id) if o.commitment_id else None,
                    }
                    for o in m.outcomes
                ],
                "minutes": None
                if mins is None
                else {
                    "state": mins.state,
                    "revision": mins.revision,
                    "body": mins.revisions[-1].body if mins.revisions else {},
                    "approved_by": sorted(
                        {a.nation for a in mins.approvals if a.revision == mins.revision}
                    ),
                },
            }
        )
    out["meetings"] = meetings
    out["exercises"] = [
        {
            "key": e.key,
            "name": e.name,
            "description": e.description,
            "starts_on": e.starts_on.isoformat(),
            "ends_on": e.ends_on.isoformat(),
            "participants": e.participants,
            "domains": e.domains,
            "scenario": e.scenario,
            "status": e.status,
            "visible_to": _vis(e),
            "after_action": e.after_action,
        }
        for e in svc.list_exercises()
    ]
    out["documents"] = [
        {
            "key": d.key,
            "kind": d.kind,
            "title": d.title,
            "issued_on": d.issued_on.isoformat() if d.issued_on else None,
            "source_url": d.source_url,
            "visible_to": _vis(d),
            "versions": [{"body": v.body, "note": v.note} for v in d.versions],
        }
        for d in svc.list_documents()
    ]
    return out


def export_csv(svc: Secretariat, lang: str = "en") -> str:
    """Commitments as CSV (one row each, rolled-up progress included)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(
        ["id", "key", "title", "owners", "deadline", "status", "progress", "visible_to"]
    )
    for c in svc.list_commitments():
        writer.writerow(
            [
                c.id,
                c.key or "",
                _csv_safe(pick(c.title, lang)),
                c.owners,
                c.deadline.isoformat() if c.deadline else "",
                c.status,
                f"{svc.rolled_progress(c):.1f}",
                ",".join(c.visible_to),
            ]
        )
    return buf.getvalue()


def _csv_safe(text: str) -> str:
    # Spreadsheet formula injection: a cell starting with = + - @ would run as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _exists(svc: Secretariat, by_key: Callable[[Secretariat, str], Any], key: str) -> bool:
    try:
        by_key(svc, key)
    except NotFoundError:
        return False
    return True


def import_data(svc: Secretariat, data: Any) -> dict[str, int]:
    """Create every object of ``data`` whose key is new; returns counts of created objects.

    All or nothing: the import is one transaction, and any bad item rolls back everything.
    """
    with svc.all_or_nothing():
        return _import_all(svc, data)


def _import_all(svc: Secretariat, data: Any) -> dict[str, int]:
    if not isinstance(data, dict):
        raise ValidationError("import: expected a JSON object")
    fmt = data.get("format", FORMAT)
    if fmt != FORMAT:
        raise ValidationError(f"import: unknown format {str(fmt)[:40]!r} (expected {FORMAT})")
    unknown = set(data) - {"format", "sources", "note", *_IMPORTERS}
    if unknown:
        raise ValidationError(f"import: unknown sections {', '.join(sorted(unknown))}")
    counts = dict.fromkeys(_IMPORTERS, 0)
    for section in _IMPORTERS:
        items = data.get(section, [])
        if not isinstance(items, list):
            raise ValidationError(f"{section}: expected a list")
        for i, item in enumerate(items):
            where = f"{section}[{i}]"
            if not isinstance(item, dict):
                raise ValidationError(f"{where}: expected an object")
            try:
                counts[section] += _import_one(svc, section, item)
            except SecretariatError as exc:
                raise type(exc)(f"{where}.{exc}") from exc
            except (TypeError, KeyError, ValueError, OverflowError) as exc:
                raise ValidationError(f"{where}: missing or malformed field ({exc})") from exc
    return counts


def _import_one(svc: Secretariat, section: str, item: dict[str, Any]) -> int:
    """Create ``item`` unless an object of its section already has its key; 1 if created."""
    by_key, create, key_optional = _IMPORTERS[section]
    key: Any = item.get("key")
    # An item of a section whose key may be left out is looked up only when it has one.
    if (key or not key_optional) and _exists(svc, by_key, key):
        return 0
    create(svc, item, key, item.get("visible_to", "all"))
    return 1


def _ws_id(svc: Secretariat, key: Any) -> int | None:
    return svc.workstream_by_key(key).id if key else None


def _import_workstream(svc: Secretariat, item: dict[str, Any], key: Any, vis: Any) -> None:
    svc.create_workstream(
        key,
        item["title"],
        description=item.get("description"),
        owners=item.get("owners", "all"),
        status=item.get("status", "active"),
        visible_to=vis,
    )


def _import_commitment(svc: Secretariat, item: dict[str, Any], key: Any, vis: Any) -> None:
    c = svc.create_commitment(
        item["title"],
        key=key,
        owners=item["owners"],
        deadline=item.get("deadline"),
        deadline_note=item.get("deadline_note"),
        description=item.get("description"),
        workstream_id=_ws_id(svc, item.get("workstream")),
        parent_id=svc.commitment_by_key(item["parent"]).id if item.get("parent") else None,
        status=item.get("status", "open"),
        progress=item.get("progress", 0),
        weight=item.get("weight", 1),
        review_date=item.get("review_date"),
        visible_to=vis,
    )
    for m in item.get("milestones", []):
        ms = svc.add_milestone(c.id, m["title"], m.get("due"))
        if m.get("done") or m.get("done_at"):
            svc.complete_milestone(ms.id)
    for e in item.get("evidence", []):
        svc.add_evidence(c.id, e["url"], e["label"])


def _import_series(svc: Secretariat, item: dict[str, Any], key: Any, vis: Any) -> None:
    s = svc.create_series(
        key,
        item["kind"],
        item["title"],
        rule=item["rule"],
        tz=item["tz"],
        anchor=item["anchor"],
        duration_min=item.get("duration_min", 120),
        location=item.get("location", ""),
        workstream_id=_ws_id(svc, item.get("workstream")),
        visible_to=vis,
    )
    if item.get("generate_until"):
        svc.generate_meetings(s.id, item["generate_until"])


def _import_meeting(svc: Secretariat, item: dict[str, Any], key: Any, vis: Any) -> None:
    m = _create_meeting(svc, item, key, vis)
    for a in item.get("agenda", []):
        svc.add_agenda_item(
            m.id,
            a["title"],
            presenter=a.get("presenter", ""),
            duration_min=a.get("duration_min", 15),
        )
    for o in item.get("outcomes", []):
        out = svc.add_outcome(
            m.id, o["kind"], o["text"], owners=o.get("owners"), deadline=o.get("deadline")
        )
        if o.get("commitment") and o["kind"] == "decision":
            _link(svc, out, svc.commitment_by_key(o["commitment"]))
    minutes = item.get("minutes")
    if isinstance(minutes, dict) and minutes.get("body"):
        svc.write_minutes(m.id, minutes["body"])


def _import_exercise(svc: Secretariat, item: dict[str, Any], key: Any, vis: Any) -> None:
    ex = svc.create_exercise(
        key,
        item["name"],
        description=item.get("description"),
        starts_on=item["starts_on"],
        ends_on=item["ends_on"],
        participants=item.get("participants", "all"),
        domains=item.get("domains", ""),
        scenario=item.get("scenario"),
        status=item.get("status", "planned"),
        visible_to=vis,
    )
    if item.get("after_action"):
        svc.attach_run(ex.id, item["after_action"])


def _import_document(svc: Secretariat, item: dict[str, Any], key: Any, vis: Any) -> None:
    versions = item.get("versions") or [{"body": item.get("body"), "note": item.get("note", "")}]
    doc = svc.create_document(
        key,
        item["kind"],
        item["title"],
        body=versions[0]["body"],
        note=versions[0].get("note", ""),
        issued_on=item.get("issued_on"),
        source_url=item.get("source_url"),
        visible_to=vis,
    )
    for v in versions[1:]:
        svc.add_version(doc.id, v["body"], v.get("note", ""))


_Importer = Callable[[Secretariat, dict[str, Any], Any, Any], None]

#: each section's look-up by key, its importer, and whether its key may be left out; in import
#: order (a commitment or series names its workstream, a meeting its series, by key)
_IMPORTERS: dict[str, tuple[Callable[[Secretariat, str], Any], _Importer, bool]] = {
    "workstreams": (Secretariat.workstream_by_key, _import_workstream, False),
    "commitments": (Secretariat.commitment_by_key, _import_commitment, True),
    "series": (Secretariat.series_by_key, _import_series, False),
    "meetings": (Secretariat.meeting_by_key, _import_meeting, True),
    "exercises": (Secretariat.exercise_by_key, _import_exercise, False),
    "documents": (Secretariat.document_by_key, _import_document, False),
}


def _create_meeting(svc: Secretariat, item: dict[str, Any], key: Any, vis: Any) -> Meeting:
    series_id = svc.series_by_key(item["series"]).id if item.get("series") else None
    if "start" in item:
        start = item["start"]
        duration = item.get("duration_min", 120)
    else:  # exported form: UTC instants
        zone = timezone("tz", item["tz"])
        s_utc = _instant("start_utc", item["start_utc"])
        e_utc = _instant("end_utc", item["end_utc"])
        start = s_utc.astimezone(zone).replace(tzinfo=None).isoformat(timespec="minutes")
        duration = int((e_utc - s_utc).total_seconds() // 60)
    return svc.create_meeting(
        item["title"],
        key=key,
        start=start,
        tz=item["tz"],
        duration_min=duration,
        location=item.get("location", ""),
        status=item.get("status", "scheduled"),
        series_id=series_id,
        visible_to=vis,
    )


def _instant(field: str, value: Any) -> dt.datetime:
    """An exported UTC instant (ISO with an offset, years 1900 to 2200)."""
    if not isinstance(value, str) or len(value) > 40:
        raise ValidationError(f"{field}: expected an ISO date and time with an offset")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{field}: {value[:40]!r} is not an ISO date and time") from None
    if parsed.tzinfo is None:
        raise ValidationError(f"{field}: needs a time zone offset")
    check_year(field, parsed.year)
    return parsed


def _link(svc: Secretariat, outcome: Outcome, commitment: Commitment) -> None:
    """Tie an imported decision to an existing commitment (two writes, two audit entries)."""
    _, meeting = svc.outcome(outcome.id)
    before = snapshot(outcome)
    outcome.commitment_id = commitment.id
    svc.record_audit("link", outcome, before, meeting.visible_to)
    before_c = snapshot(commitment)
    commitment.source_outcome_id = outcome.id
    svc.record_audit("link", commitment, before_c, commitment.visible_to)
