"""Each launch's timeline as the node knows it: the launch, each nation's first notice and
first area warning, and the outcome (the node's last announced impact, all clear or cancel).

The node's own moments come from its alerts; its partners' from the warnings they issued to
their own publics and told the node of (a nation warns only its own public, so a partner's
warning never becomes an alert here, only a line of the timeline).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel

from trilink.warning.model import Alert
from trilink.web.view import LaunchRow, PartnerWarningRow

__all__ = ["LaunchTimeline", "TimelineEntry", "timeline"]

What = Literal["launch", "first_notice", "first_area_warning", "impact", "all_clear", "cancel"]
Outcome = Literal["pending", "impact", "all_clear", "cancel"]


class TimelineEntry(BaseModel):
    """One moment of a launch's timeline."""

    what: What
    #: the nation that saw the launch or issued the alert
    nation: str
    t_ns: int
    #: seconds after the launch; None while the launch time is unknown
    after_launch_s: float | None
    alert_id: str | None = None
    stage: str | None = None
    #: warned area codes (first area warning)
    areas: list[str] = []
    #: where the announced impact fell: zone, coastal state, area (impact)
    zone: str | None = None
    impact_nation: str | None = None
    area: str | None = None


class LaunchTimeline(BaseModel):
    """A launch and the moments that matter to it, oldest first."""

    launch_id: str
    launch_t_ns: int | None
    entries: list[TimelineEntry]
    #: ``pending`` until an impact is announced or the launch is closed
    outcome: Outcome


def _entry(
    what: What, nation: str, t_ns: int, t0: int | None, a: Alert | None = None
) -> TimelineEntry:
    e = TimelineEntry(
        what=what,
        nation=nation,
        t_ns=t_ns,
        after_launch_s=None if t0 is None else round((t_ns - t0) / 1e9, 1),
    )
    if a is not None:
        e.alert_id, e.stage = a.alert_id, a.stage
        if what == "first_area_warning":
            e.areas = [x.code for x in a.areas]
        if what == "impact" and a.impact is not None:
            e.zone, e.impact_nation, e.area = a.impact.zone, a.impact.nation, a.impact.area
    return e


def _partner_entries(warnings: list[PartnerWarningRow], t0: int | None) -> list[TimelineEntry]:
    """Each partner's first notice and first area warning of one launch."""
    out = []
    for n in dict.fromkeys(w.nation for w in warnings):
        mine = sorted((w for w in warnings if w.nation == n), key=lambda w: w.issued_ns)
        firsts: list[tuple[What, PartnerWarningRow]] = [("first_notice", mine[0])]
        warned = next((w for w in mine if w.areas), None)
        if warned is not None:
            firsts.append(("first_area_warning", warned))
        for what, w in firsts:
            e = _entry(what, n, w.issued_ns, t0)
            e.alert_id, e.stage = w.warning_id, w.stage
            if what == "first_area_warning":
                e.areas = list(w.areas)
            out.append(e)
    return out


def timeline(
    nation: str,
    alerts: Iterable[Alert],
    launches: Iterable[LaunchRow],
    partners: Iterable[PartnerWarningRow] = (),
) -> list[LaunchTimeline]:
    """Per launch (oldest first): the launch, each nation's first notice and first area
    warning (own alerts and ``partners``' warnings), the last announced impact and the all
    clear or cancel, each when it happened."""
    by_launch: dict[str, list[Alert]] = {}
    for a in alerts:
        by_launch.setdefault(a.launch_id, []).append(a)
    theirs: dict[str, list[PartnerWarningRow]] = {}
    for w in partners:
        if w.nation != nation:
            theirs.setdefault(w.launch_id, []).append(w)
    rows = {la.launch_id: la for la in launches}
    out = []
    for lid in dict.fromkeys([*rows, *by_launch, *theirs]):
        mine = sorted(by_launch.get(lid, []), key=lambda a: (a.issued_ns, a.seq))
        row = rows.get(lid)
        t0 = row.t_ns if row is not None else None
        if t0 is None:
            t0 = next((a.launch_time_ns for a in mine if a.launch_time_ns is not None), None)
        entries: list[TimelineEntry] = []
        if t0 is not None:
            seen_by = nation if row is None or row.source == "own" else row.source
            entries.append(_entry("launch", seen_by, t0, t0))
        if mine:
            entries.append(_entry("first_notice", nation, mine[0].issued_ns, t0, mine[0]))
        warned = next((a for a in mine if a.areas), None)
        if warned is not None:
            entries.append(_entry("first_area_warning", nation, warned.issued_ns, t0, warned))
        entries += _partner_entries(theirs.get(lid, []), t0)
        impact = next((a for a in reversed(mine) if a.stage == "impact"), None)
        outcome: Outcome = "pending"
        if impact is not None:
            entries.append(_entry("impact", nation, impact.issued_ns, t0, impact))
            outcome = "impact"
        closed = next((a for a in reversed(mine) if a.stage in ("all_clear", "cancel")), None)
        if closed is not None:
            outcome = "cancel" if closed.stage == "cancel" else "all_clear"
            entries.append(_entry(outcome, nation, closed.issued_ns, t0, closed))
        entries.sort(key=lambda e: (e.what != "launch", e.t_ns))
        out.append(LaunchTimeline(launch_id=lid, launch_t_ns=t0, entries=entries, outcome=outcome))
    out.sort(key=lambda lt: (lt.entries[0].t_ns if lt.entries else 0, lt.launch_id))
    return out
