"""A running node and its warning desk as a :class:`trilink.web.view.NodeView`.

Reads are made on the caller's thread: the app's handlers are ``async`` and share the node's
event loop, so they never see the node half-way through an update. Operator actions are written
to the node's audit log. A manual cancel or all clear is recorded and shown like the desk's own
alerts; the alert engine itself is not told, so it keeps deciding from the picture.
"""

from __future__ import annotations

import math
from typing import Any

from trilink.fabric.routing import direct_agreement
from trilink.geo.geodesy import geodesic_inverse
from trilink.node.node import Node
from trilink.node.store import AuditRow
from trilink.node.warnings import BOOSTER_RANGE_SHARE, WarningDesk
from trilink.warning.model import Alert, Stage, Status
from trilink.web.view import (
    AgreementRow,
    AuditEntry,
    EventRow,
    LaunchRow,
    LinkRow,
    Origin,
    PartnerWarningRow,
    PredictionRow,
    TrackPoint,
    TrackRow,
    ViewError,
)
from trilink.wire.messages import CLASSIFICATIONS

__all__ = ["LiveNodeView"]

#: points of history kept per object in a snapshot: the page needs the shape, not every tick
MAX_HISTORY = 200


class LiveNodeView:
    """``node`` (its store, fusion, agreements, links) and ``desk`` (its alerts and objects)."""

    def __init__(self, node: Node, desk: WarningDesk) -> None:
        self.node = node
        self.desk = desk
        self._version = 0
        self._seen: tuple[Any, ...] | None = None
        self._acks: dict[str, list[str]] = {}
        self._manual = 0

    @property
    def nation(self) -> str:
        return self.node.nation

    @property
    def status(self) -> Status:
        return self.desk.status

    def version(self) -> int:
        node, desk = self.node, self.desk
        links = tuple(ls.up for ls in node.link_status())
        seen = (
            len(desk.alerts),
            desk.now_ns,
            node.fused.t,
            node.book.version,
            sum(node.counters.values()),
            sum(node.refused_in.values()),
            links,
            self._manual,
        )
        if seen != self._seen:
            self._seen = seen
            self._version += 1
        return self._version

    # -- picture ----------------------------------------------------------------------------
    def _roles(self) -> dict[str, str]:
        """Object id -> rv / booster, as the desk tells them apart (share of the longest range)."""
        ranges: dict[str, dict[str, float]] = {}
        for oid, o in self.desk.objects.items():
            la = self.desk.launches.get(o.launch_id or "")
            if la is None or o.prediction is None:
                continue
            d = float(
                geodesic_inverse(la.lat, la.lon, o.prediction.impact_lat, o.prediction.impact_lon)[
                    2
                ]
            )
            ranges.setdefault(la.view.launch_id, {})[oid] = d
        roles: dict[str, str] = {}
        for group in ranges.values():
            longest = max(group.values(), default=0.0)
            for oid, d in group.items():
                roles[oid] = "rv" if d >= BOOSTER_RANGE_SHARE * longest else "booster"
        return roles

    def tracks(self) -> list[TrackRow]:
        nations: dict[str, set[str]] = {}
        for src, oid in self.desk._object_of_source.items():
            who = src.split(":", 1)[0]
            nations.setdefault(oid, set()).add(self.nation if who == "own" else who)
        roles = self._roles()
        out = []
        for oid, hist in self.desk.history.items():
            if not hist:
                continue
            ns = sorted(nations.get(oid, {self.nation}))
            origin: Origin = "fused" if len(ns) > 1 else "own" if ns == [self.nation] else "partner"
            step = max(1, len(hist) // MAX_HISTORY)
            pts = hist[::step]
            if pts[-1] is not hist[-1]:
                pts = [*pts, hist[-1]]
            o = self.desk.objects.get(oid)
            out.append(
                TrackRow(
                    object_id=oid,
                    origin=origin,
                    nations=ns,
                    role=roles.get(oid, "unknown"),  # type: ignore[arg-type]
                    launch_id=o.launch_id if o else None,
                    history=[
                        TrackPoint(t_ns=round(t * 1e9), lat_deg=lat, lon_deg=lon, alt_m=alt)
                        for t, lat, lon, alt in pts
                    ],
                )
            )
        return out

    def launches(self) -> list[LaunchRow]:
        return [
            LaunchRow(
                launch_id=lid,
                t_ns=round(la.t * 1e9),
                lat_deg=la.lat,
                lon_deg=la.lon,
                sigma_m=la.sigma_m,
                missile_class=la.view.missile_class,
                source="own" if la.view.source == "own" else lid.split("-", 1)[0],
            )
            for lid, la in self.desk.launches.items()
            # a launch known only from its tracks has no point or time yet: nothing to draw
            if math.isfinite(la.t) and math.isfinite(la.lat) and math.isfinite(la.lon)
        ]

    def predictions(self) -> list[PredictionRow]:
        last = self.desk.last_predictions()
        return [
            PredictionRow(
                object_id=oid,
                lat_deg=lat,
                lon_deg=lon,
                impact_t_ns=round(t * 1e9),
                major_m=major,
                minor_m=minor,
                azimuth_deg=az,
                ground_track=nominal[:: max(1, len(nominal) // 100)],
            )
            for oid, (
                lat,
                lon,
                t,
                major,
                minor,
                az,
                nominal,
            ) in last.items()
        ]

    def alerts(self) -> list[Alert]:
        return list(self.desk.alerts)

    def partner_warnings(self) -> list[PartnerWarningRow]:
        return [
            PartnerWarningRow(
                nation=pw.nation,
                launch_id=pw.launch_id,
                warning_id=pw.warning.warning_id,
                stage=pw.warning.stage,
                issued_ns=pw.warning.issued_ns,
                areas=list(pw.warning.areas),
            )
            for pw in self.desk.partner_warnings()
        ]

    # -- fabric -----------------------------------------------------------------------------
    def events(self) -> list[EventRow]:
        return [
            EventRow(msg_id=m, origin=o, kind=k, launch_id=lid, route=r)
            for m, o, k, lid, r in self.node.store.events()
        ]

    def links(self) -> list[LinkRow]:
        now = self.node.clock()
        out = []
        for ls in self.node.link_status():
            # Direct when some agreement in force lets the two exchange tracks at all.
            direct = direct_agreement(
                self.node.book, self.nation, ls.peer, "track", CLASSIFICATIONS[0], now
            )
            out.append(
                LinkRow(
                    peer=ls.peer,
                    up=ls.up,
                    route="direct" if direct else "via_hub",
                    last_rx_ns=ls.last_rx_ns,
                )
            )
        return out

    def agreements(self) -> list[AgreementRow]:
        book = self.node.book
        out = []
        for name in sorted(book.agreements):
            a, rec = book.agreements[name], book.state(name)
            out.append(
                AgreementRow(
                    name=name,
                    title=a.title,
                    parties=sorted(a.parties),
                    state=rec.state,
                    since_ns=rec.since_ns,
                    by=rec.by,
                    reason=rec.reason,
                )
            )
        return out

    def set_agreement(self, name: str, state: str, by: str, reason: str) -> AgreementRow:
        if state not in ("in_force", "suspended"):
            raise ViewError(f"an agreement can be suspended or restored, not set {state!r}")
        if name not in self.node.book.agreements:
            raise ViewError(f"unknown agreement {name!r}")
        try:
            self.node.book.set_state(name, state, by=by, reason=reason)
        except Exception as exc:  # the book's refusal (terminated, no state dir) goes to the user
            raise ViewError(str(exc)) from exc
        self._audit("agreement", by, reason, f"{name} -> {state}")
        return next(a for a in self.agreements() if a.name == name)

    def counters(self) -> dict[str, int]:
        rows = self.node.store.db.execute(
            "SELECT direction, CASE WHEN direction LIKE 'refused%' THEN reason ELSE kind END, "
            "COUNT(*) FROM audit GROUP BY 1, 2"
        )
        out: dict[str, int] = {}
        names = {"out": "sent", "in": "received"}
        for direction, what, n in rows:
            key = f"{names.get(direction, direction)}:{what or '-'}"
            out[key] = out.get(key, 0) + int(n)
        for k, v in self.node.counters.items():
            out[f"node:{k}"] = int(v)
        return out

    def audit(self, limit: int) -> list[AuditEntry]:
        self.node.store.flush()
        rows = self.node.store.db.execute(
            "SELECT at_ns, direction, kind, origin, peer, route, reason, detail FROM audit "
            "ORDER BY id DESC LIMIT ?",
            (max(0, int(limit)),),
        )
        return [
            AuditEntry(
                at_ns=r[0],
                direction=r[1],
                kind=r[2] or "",
                origin=r[3] or "",
                peer=r[4] or "",
                route=r[5] or "",
                reason=r[6] or "",
                detail=r[7] or "",
            )
            for r in rows
        ]

    # -- operator actions -------------------------------------------------------------------
    def _audit(self, kind: str, user: str, reason: str, detail: str) -> None:
        self.node.store.audit(
            AuditRow(
                at_ns=self.node.clock(),
                direction="operator",
                kind=kind,
                origin=user,
                reason=reason,
                detail=detail,
            ),
            now=True,
        )
        self._manual += 1

    def acknowledged(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in self._acks.items()}

    def acknowledge(self, alert_id: str, user: str) -> None:
        if not any(a.alert_id == alert_id for a in self.desk.alerts):
            raise ViewError(f"unknown alert {alert_id!r}")
        users = self._acks.setdefault(alert_id, [])
        if user not in users:
            users.append(user)
            self._audit("acknowledge", user, "", alert_id)

    def _close(self, launch_id: str, user: str, stage: Stage) -> Alert:
        mine = [a for a in self.desk.alerts if a.launch_id == launch_id]
        if not mine:
            raise ViewError(f"no alert was issued for launch {launch_id!r}")
        last = mine[-1]
        if last.stage in ("cancel", "all_clear"):
            raise ViewError(f"launch {launch_id} is already closed ({last.stage})")
        st = self.desk.engine._launches.get(launch_id)
        if st is None:
            raise ViewError(f"the alert engine does not know launch {launch_id!r}")
        # Issued through the engine so ids and references stay one sequence, and closed there
        # so the engine does not warn again for a launch an operator ended.
        alert = self.desk.engine._alert(
            launch_id, st, stage, references=tuple(st.ids) if stage == "cancel" else None
        )
        st.active.clear()
        st.closed = True
        self.desk.alerts.append(alert)
        self._audit(stage, user, "manual", alert.alert_id)
        return alert

    def issue_cancel(self, launch_id: str, user: str) -> Alert:
        return self._close(launch_id, user, "cancel")

    def issue_all_clear(self, launch_id: str, user: str) -> Alert:
        return self._close(launch_id, user, "all_clear")
