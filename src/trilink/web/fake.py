"""A deterministic node for tests and previews: one launch, its objects and a warning of JP-01."""

from __future__ import annotations

import threading
from dataclasses import replace

from trilink.warning.model import Alert, AreaThreat, ImpactPoint, Stage, Status
from trilink.web.view import (
    AgreementRow,
    AuditEntry,
    EventRow,
    LaunchRow,
    LinkRow,
    PartnerWarningRow,
    PredictionRow,
    TrackPoint,
    TrackRow,
    ViewError,
)

__all__ = ["FAKE_T0_NS", "FakeNodeView"]

#: 2026-03-01T00:00:00Z: the sample launch time
FAKE_T0_NS = 1_772_323_200 * 1_000_000_000
_S = 1_000_000_000

_LAUNCH = (39.03, 125.75)  # near Pyongyang
_IMPACT = (42.20, 139.10)  # Sea of Japan, west of Hokkaido
#: the areas the sample shelter alert warns, per issuing nation (each warns only its own)
_WARNED = {"JPN": ("JP-01", "JP-02"), "KOR": ("KR-51", "KR-47"), "USA": ("US-GU", "US-MP")}


def _arc(
    start: tuple[float, float], end: tuple[float, float], n: int, apogee_m: float, t0: int, dt: int
) -> list[TrackPoint]:
    """A straight-in-degrees path with a parabolic height: enough for a picture."""
    out = []
    for i in range(n):
        f = i / (n - 1)
        out.append(
            TrackPoint(
                t_ns=t0 + i * dt,
                lat_deg=start[0] + f * (end[0] - start[0]),
                lon_deg=start[1] + f * (end[1] - start[1]),
                alt_m=4 * apogee_m * f * (1 - f),
            )
        )
    return out


class FakeNodeView:
    """Sample data of ``nation`` (default JPN) under ``status``; actions change it in memory.

    ``t0_ns`` is the launch time (default :data:`FAKE_T0_NS`); give a recent one to see the
    countdown to arrival run.
    """

    def __init__(
        self, nation: str = "JPN", status: Status = "exercise", *, t0_ns: int = FAKE_T0_NS
    ) -> None:
        self._nation = nation
        self._status: Status = status
        self._lock = threading.Lock()
        self._version = 1
        t0 = t0_ns
        rv_path = _arc(_LAUNCH, (41.0, 134.5), 12, 900_000.0, t0 + 60 * _S, 20 * _S)
        self._tracks = [
            TrackRow(
                object_id="F1",
                origin="fused",
                nations=[nation, "KOR"] if nation != "KOR" else ["KOR", "USA"],
                role="rv",
                launch_id="L1",
                history=rv_path,
            ),
            TrackRow(
                object_id="F2",
                origin="partner",
                nations=["KOR" if nation != "KOR" else "USA"],
                role="booster",
                launch_id="L1",
                history=_arc(_LAUNCH, (39.6, 128.2), 6, 150_000.0, t0 + 60 * _S, 20 * _S),
            ),
        ]
        self._launches = [
            LaunchRow(
                launch_id="L1",
                t_ns=t0,
                lat_deg=_LAUNCH[0],
                lon_deg=_LAUNCH[1],
                sigma_m=8_000.0,
                missile_class="IRBM",
                source="own",
            )
        ]
        nominal = [
            (41.0 + f * (_IMPACT[0] - 41.0), 134.5 + f * (_IMPACT[1] - 134.5))
            for f in (i / 10 for i in range(11))
        ]
        self._predictions = [
            PredictionRow(
                object_id="F1",
                lat_deg=_IMPACT[0],
                lon_deg=_IMPACT[1],
                impact_t_ns=t0 + 600 * _S,
                major_m=60_000.0,
                minor_m=25_000.0,
                azimuth_deg=70.0,
                ground_track=nominal,
            )
        ]
        codes = _WARNED.get(nation, _WARNED["JPN"])
        first = Alert(
            alert_id=f"{nation}-L1-0",
            nation=nation,
            launch_id="L1",
            seq=0,
            stage="launch",
            status=status,
            issued_ns=t0 + 70 * _S,
            launch_time_ns=t0,
            launch_lat_deg=_LAUNCH[0],
            launch_lon_deg=_LAUNCH[1],
            missile_class="IRBM",
        )
        second = replace(
            first,
            alert_id=f"{nation}-L1-1",
            seq=1,
            stage="shelter",
            issued_ns=t0 + 130 * _S,
            references=(first.alert_id,),
            areas=(
                AreaThreat(
                    code=codes[0], probability=0.42, kind="impact", arrival_ns=t0 + 590 * _S
                ),
                AreaThreat(
                    code=codes[1], probability=0.08, kind="overflight", arrival_ns=t0 + 610 * _S
                ),
            ),
            object_id="F1",
            impact=ImpactPoint(
                lat_deg=_IMPACT[0],
                lon_deg=_IMPACT[1],
                time_ns=t0 + 600 * _S,
                major_m=60_000.0,
                minor_m=25_000.0,
                azimuth_deg=70.0,
                zone="eez",
                nation="JPN",
            ),
        )
        self._alerts: list[Alert] = [first, second]
        self._acks: dict[str, list[str]] = {}
        others = [n for n in ("JPN", "KOR", "USA") if n != nation]
        self._links = [
            LinkRow(peer=others[0], up=True, route="direct", last_rx_ns=t0 + 140 * _S),
            LinkRow(peer=others[1], up=False, route="via_hub", last_rx_ns=t0 - 3600 * _S),
        ]
        self._agreements = {
            "trilateral-2023": AgreementRow(
                name="trilateral-2023",
                title="Trilateral real-time missile warning data sharing",
                parties=["JPN", "KOR", "USA"],
                state="in_force",
            ),
            "gsomia": AgreementRow(
                name="gsomia",
                title="ROK-Japan General Security of Military Information Agreement",
                parties=["JPN", "KOR"],
                state="in_force",
            ),
        }
        # the partners' own warnings: the first told its public of the launch, the second too
        self._partner_warnings = [
            PartnerWarningRow(
                nation=n,
                launch_id="L1",
                warning_id=f"{n}-L1-0",
                stage="launch",
                issued_ns=t0 + after_s * _S,
            )
            for n, after_s in ((others[0], 55), (others[1], 75))
        ]
        self._events = [
            EventRow(
                msg_id="m-1", origin=others[0], kind="launch", launch_id="K-7", route="direct"
            ),
            EventRow(
                msg_id="m-2", origin=others[1], kind="impact", launch_id="U-3", route="via:USA"
            ),
        ]
        self._counters = {
            "sent:track": 120,
            "sent:launch": 1,
            "received:track": 96,
            "received:launch": 1,
            "refused:signature": 2,
        }
        self._audit: list[AuditEntry] = [
            AuditEntry(at_ns=t0 + 61 * _S, direction="out", kind="launch", peer=others[0]),
            AuditEntry(
                at_ns=t0 + 62 * _S, direction="in", kind="launch", origin=others[0], route="direct"
            ),
            AuditEntry(
                at_ns=t0 + 63 * _S,
                direction="refused_in",
                kind="track",
                origin=others[1],
                reason="signature",
            ),
        ]

    # -- reads ------------------------------------------------------------------------------
    @property
    def nation(self) -> str:
        return self._nation

    @property
    def status(self) -> Status:
        return self._status

    def version(self) -> int:
        return self._version

    def tracks(self) -> list[TrackRow]:
        return [t.model_copy(deep=True) for t in self._tracks]

    def launches(self) -> list[LaunchRow]:
        return list(self._launches)

    def predictions(self) -> list[PredictionRow]:
        return list(self._predictions)

    def alerts(self) -> list[Alert]:
        return list(self._alerts)

    def events(self) -> list[EventRow]:
        return list(self._events)

    def partner_warnings(self) -> list[PartnerWarningRow]:
        return list(self._partner_warnings)

    def links(self) -> list[LinkRow]:
        return list(self._links)

    def agreements(self) -> list[AgreementRow]:
        return list(self._agreements.values())

    def counters(self) -> dict[str, int]:
        return dict(self._counters)

    def audit(self, limit: int) -> list[AuditEntry]:
        return list(reversed(self._audit))[: max(0, limit)]

    def acknowledged(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in self._acks.items()}

    # -- changes ----------------------------------------------------------------------------
    def _changed(self, entry: AuditEntry) -> None:
        self._audit.append(entry)
        self._version += 1

    def _now(self) -> int:
        return self._alerts[-1].issued_ns + _S

    def move(self, seconds: float = 20.0) -> None:
        """Extend the RV's history by one point (a stand-in for a new fused picture)."""
        with self._lock:
            track = self._tracks[0]
            last = track.history[-1]
            track.history.append(
                TrackPoint(
                    t_ns=last.t_ns + round(seconds * _S),
                    lat_deg=last.lat_deg + 0.1,
                    lon_deg=last.lon_deg + 0.4,
                    alt_m=max(0.0, last.alt_m - 50_000.0),
                )
            )
            self._version += 1

    def issue(self, alert: Alert) -> None:
        """Add ``alert`` as if the node's desk had just issued it (a new launch or an update)."""
        with self._lock:
            self._alerts.append(alert)
            self._version += 1

    def set_agreement(self, name: str, state: str, by: str, reason: str) -> AgreementRow:
        with self._lock:
            row = self._agreements.get(name)
            if row is None:
                raise ViewError(f"unknown agreement {name!r}")
            if state not in ("in_force", "suspended"):
                raise ViewError(f"an agreement can be suspended or restored, not set {state!r}")
            if row.state == "terminated":
                raise ViewError(f"{name} is terminated")
            new = row.model_copy(
                update={"state": state, "since_ns": self._now(), "by": by, "reason": reason}
            )
            self._agreements[name] = new
            self._changed(
                AuditEntry(
                    at_ns=new.since_ns,
                    direction="admin",
                    kind="agreement",
                    origin=by,
                    reason=reason,
                    detail=f"{name}: {row.state} -> {state}",
                )
            )
            return new

    def acknowledge(self, alert_id: str, user: str) -> None:
        with self._lock:
            if not any(a.alert_id == alert_id for a in self._alerts):
                raise ViewError(f"unknown alert {alert_id!r}")
            users = self._acks.setdefault(alert_id, [])
            if user not in users:
                users.append(user)
                self._changed(
                    AuditEntry(
                        at_ns=self._now(),
                        direction="operator",
                        kind="acknowledge",
                        origin=user,
                        detail=alert_id,
                    )
                )

    def _close(self, launch_id: str, user: str, stage: Stage) -> Alert:
        with self._lock:
            mine = [a for a in self._alerts if a.launch_id == launch_id]
            if not mine:
                raise ViewError(f"no alert was issued for launch {launch_id!r}")
            last = mine[-1]
            if last.stage in ("cancel", "all_clear"):
                raise ViewError(f"launch {launch_id} is already closed ({last.stage})")
            alert = replace(
                last,
                alert_id=f"{self._nation}-{launch_id}-{last.seq + 1}",
                seq=last.seq + 1,
                stage=stage,
                issued_ns=self._now(),
                references=tuple(a.alert_id for a in mine)
                if stage == "cancel"
                else (last.alert_id,),
                areas=(),
                impact=None,
            )
            self._alerts.append(alert)
            self._changed(
                AuditEntry(
                    at_ns=alert.issued_ns,
                    direction="operator",
                    kind=stage,
                    origin=user,
                    detail=alert.alert_id,
                )
            )
            return alert

    def issue_cancel(self, launch_id: str, user: str) -> Alert:
        return self._close(launch_id, user, "cancel")

    def issue_all_clear(self, launch_id: str, user: str) -> Alert:
        return self._close(launch_id, user, "all_clear")
