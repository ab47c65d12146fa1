"""Cursor on Target (CoT 2.0 XML) events for TAK clients, and a TCP/TLS stream that serves them.

Events: missile tracks, launch points, predicted impact ellipses and warned areas. Every event
carries its status: exercise and test events have ``opex`` set (CoT's operations/exercise/
simulation flag), a callsign and remarks prefixed ``EXERCISE``/``TEST`` and a ``<trilink>``
detail, so a TAK operator can never take one for a real track.

CoT types (MIL-STD-2525 function codes written as CoT atoms; TAK clients fall back along the
``-`` hierarchy when they have no icon for the full type):

* tracks ``a-h-A-W-M-S-S``: hostile (h), air (A), weapon (W), missile in flight (M), surface
  launched (S), surface-to-surface (S) -- a land- or sea-launched ballistic missile aimed at
  the ground. Submarine-launched objects use ``a-h-A-W-M-U`` (subsurface launched).
* launch points ``a-h-G-E-W-M``: hostile ground equipment, missile launcher: where the launcher
  was, as estimated by back-propagating the track.
* impact ellipses ``u-d-c-e`` (drawing, circle family, ellipse) with ``<shape><ellipse>``.
* warned areas ``u-d-f`` (drawing, freeform polygon) with one ``<link point>`` per vertex.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import math
import ssl
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from lxml import etree
from shapely.geometry import MultiPolygon, Polygon

from trilink.warning.model import Alert, ImpactPoint, Status, impact_of
from trilink.warning.shapes import check_lat_lon, polygon_parts, simplified_ring

__all__ = [
    "AREA_TYPE",
    "IMPACT_TYPE",
    "LAUNCH_TYPE",
    "SLBM_TRACK_TYPE",
    "MAX_AREA_POINTS",
    "TRACK_TYPE",
    "UNKNOWN_ERROR_M",
    "ClientStats",
    "CotPoint",
    "CotServer",
    "CotTrack",
    "alert_events",
    "area_event",
    "area_events",
    "cot_time",
    "impact_event",
    "launch_event",
    "track_event",
]

TRACK_TYPE: Final = "a-h-A-W-M-S-S"
SLBM_TRACK_TYPE: Final = "a-h-A-W-M-U"
LAUNCH_TYPE: Final = "a-h-G-E-W-M"
IMPACT_TYPE: Final = "u-d-c-e"
AREA_TYPE: Final = "u-d-f"
#: CoT's value for an unknown circular/linear error.
UNKNOWN_ERROR_M: Final = 9_999_999.0
#: TAK clients draw shapes of more than a few hundred vertices slowly; areas are simplified.
MAX_AREA_POINTS: Final = 100

# "m-f": machine-generated, fused from several sensors; "m-p": machine-generated, passed on
# from another system (one partner's sensor track relayed as is).
_HOW_FUSED: Final = "m-f"
_HOW_PASSED: Final = "m-p"
# CoT opex: "o" operations, "e" exercise, "s" simulation (the closest to a system test).
_OPEX: Final[dict[Status, str | None]] = {"actual": None, "exercise": "e", "test": "s"}
_PREFIX: Final[dict[Status, str]] = {"actual": "", "exercise": "EXERCISE ", "test": "TEST "}
# ARGB as signed 32-bit ints, as TAK stores colours.
_RED: Final = -65536  # 0xFFFF0000
_RED_FILL: Final = 0x40FF0000  # 25 % opaque red
_ORANGE: Final = -23296  # 0xFFFFA500
_ORANGE_FILL: Final = 0x40FFA500

_log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class CotTrack:
    """A missile track as TAK shows it."""

    uid: str
    lat: float
    lon: float
    hae_m: float
    time_ns: int
    ce_m: float = UNKNOWN_ERROR_M
    le_m: float = UNKNOWN_ERROR_M
    course_deg: float = 0.0
    speed_mps: float = 0.0
    #: seconds after ``time_ns`` a client should drop the track if nothing newer came
    stale_s: float = 30.0
    #: the nation (ISO alpha-3) whose sensors or fusion produced it
    origin: str = ""
    fused: bool = False
    callsign: str = ""
    status: Status = "actual"
    missile_class: str = "unknown"
    cot_type: str = TRACK_TYPE


@dataclass(frozen=True, kw_only=True)
class CotPoint:
    """A point event (a launch point) that is not a moving track."""

    uid: str
    lat: float
    lon: float
    time_ns: int
    hae_m: float = 0.0
    ce_m: float = UNKNOWN_ERROR_M
    le_m: float = UNKNOWN_ERROR_M
    stale_s: float = 3600.0
    callsign: str = ""
    remarks: str = ""
    status: Status = "actual"
    cot_type: str = LAUNCH_TYPE


def cot_time(time_ns: int) -> str:
    """CoT timestamp: UTC, millisecond precision, ``Z`` suffix."""
    seconds, ms = divmod(time_ns // 1_000_000, 1000)
    t = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms:03d}Z"


def _check_finite(what: str, **values: float) -> None:
    for name, v in values.items():
        if not math.isfinite(v):
            raise ValueError(f"{what}: {name} must be finite, got {v}")


def _event(
    *,
    uid: str,
    cot_type: str,
    how: str,
    time_ns: int,
    stale_s: float,
    lat: float,
    lon: float,
    hae_m: float,
    ce_m: float,
    le_m: float,
    status: Status,
) -> tuple[etree._Element, etree._Element]:
    if not uid:
        raise ValueError("a CoT event needs a uid")
    if status not in _OPEX:
        raise ValueError(f"{uid}: unknown status {status!r}")
    check_lat_lon(lat, lon, uid)
    _check_finite(uid, hae_m=hae_m, ce_m=ce_m, le_m=le_m, stale_s=stale_s)
    if stale_s <= 0:
        raise ValueError(f"{uid}: stale_s must be positive, got {stale_s}")
    stamp = cot_time(time_ns)
    ev = etree.Element("event")
    ev.set("version", "2.0")
    ev.set("uid", uid)
    ev.set("type", cot_type)
    ev.set("how", how)
    ev.set("time", stamp)
    ev.set("start", stamp)
    ev.set("stale", cot_time(time_ns + round(stale_s * 1e9)))
    opex = _OPEX[status]
    if opex is not None:
        ev.set("opex", opex)
    pt = etree.SubElement(ev, "point")
    pt.set("lat", f"{lat:.7f}")
    pt.set("lon", f"{lon:.7f}")
    pt.set("hae", f"{hae_m:.1f}")
    pt.set("ce", f"{min(ce_m, UNKNOWN_ERROR_M):.1f}")
    pt.set("le", f"{min(le_m, UNKNOWN_ERROR_M):.1f}")
    return ev, etree.SubElement(ev, "detail")


def _common_detail(
    detail: etree._Element, *, callsign: str, remarks: str, status: Status, **extra: str
) -> None:
    prefix = _PREFIX[status]
    contact = etree.SubElement(detail, "contact")
    contact.set("callsign", prefix + callsign)
    rem = etree.SubElement(detail, "remarks")
    rem.text = prefix + remarks if remarks else prefix.strip()
    # Machine-readable status (and provenance) for consumers that do not read remarks.
    tl = etree.SubElement(detail, "trilink")
    tl.set("status", status)
    for k, v in extra.items():
        tl.set(k, v)


def _bytes(ev: etree._Element) -> bytes:
    out: bytes = etree.tostring(ev, xml_declaration=True, encoding="UTF-8")
    return out


def track_event(track: CotTrack) -> bytes:
    """A missile track (position, course, speed) as a CoT event."""
    _check_finite(track.uid, course_deg=track.course_deg, speed_mps=track.speed_mps)
    ev, detail = _event(
        uid=track.uid,
        cot_type=track.cot_type,
        how=_HOW_FUSED if track.fused else _HOW_PASSED,
        time_ns=track.time_ns,
        stale_s=track.stale_s,
        lat=track.lat,
        lon=track.lon,
        hae_m=track.hae_m,
        ce_m=track.ce_m,
        le_m=track.le_m,
        status=track.status,
    )
    tr = etree.SubElement(detail, "track")
    tr.set("course", f"{track.course_deg % 360.0:.2f}")
    tr.set("speed", f"{max(track.speed_mps, 0.0):.1f}")  # CoT track speed is m/s
    source = "fused" if track.fused else "single source"
    _common_detail(
        detail,
        callsign=track.callsign or track.uid,
        remarks=(
            f"{track.missile_class} missile track, {source}, origin {track.origin or 'unknown'}, "
            f"alt {track.hae_m / 1000.0:.1f} km, {track.speed_mps:.0f} m/s"
        ),
        status=track.status,
        origin=track.origin,
        fused="true" if track.fused else "false",
        missile_class=track.missile_class,
    )
    return _bytes(ev)


def launch_event(source: Alert | CotPoint, *, stale_s: float = 3600.0) -> bytes:
    """The estimated launch point of an alert's launch (or a given point) as a CoT event."""
    if isinstance(source, Alert):
        if source.launch_lat_deg is None or source.launch_lon_deg is None:
            raise ValueError(f"{source.alert_id}: alert has no launch point")
        point = CotPoint(
            uid=f"trilink.{source.nation}.{source.launch_id}.launch",
            lat=source.launch_lat_deg,
            lon=source.launch_lon_deg,
            time_ns=source.launch_time_ns
            if source.launch_time_ns is not None
            else source.issued_ns,
            stale_s=stale_s,
            callsign=f"LAUNCH {source.launch_id}",
            remarks=f"{source.missile_class} launch {source.launch_id}, reported by "
            f"{source.nation}",
            status=source.status,
        )
    else:
        point = source
    ev, detail = _event(
        uid=point.uid,
        cot_type=point.cot_type,
        how=_HOW_FUSED,
        time_ns=point.time_ns,
        stale_s=point.stale_s,
        lat=point.lat,
        lon=point.lon,
        hae_m=point.hae_m,
        ce_m=point.ce_m,
        le_m=point.le_m,
        status=point.status,
    )
    _common_detail(
        detail,
        callsign=point.callsign or point.uid,
        remarks=point.remarks,
        status=point.status,
    )
    return _bytes(ev)


def impact_event(
    source: Alert | ImpactPoint,
    *,
    uid: str | None = None,
    status: Status | None = None,
    time_ns: int | None = None,
    stale_s: float = 1800.0,
    callsign: str | None = None,
) -> bytes:
    """A predicted (or observed) impact point with its 95 % ellipse as a CoT drawn ellipse.

    From an :class:`Alert` the uid, status and time come from the alert (one uid per nation,
    launch and object, so each update replaces the previous ellipse in TAK); from a bare
    :class:`ImpactPoint` ``uid`` is required and ``status`` defaults to actual.
    """
    if isinstance(source, Alert):
        impact, key = impact_of(source)
        uid = uid or f"trilink.{key}.impact"
        status = status or source.status
        time_ns = time_ns if time_ns is not None else source.issued_ns
        callsign = callsign or f"IMPACT {source.launch_id}"
        stage = source.stage
    else:
        impact = source
        if not uid:
            raise ValueError("impact_event of a bare ImpactPoint needs a uid")
        status = status or "actual"
        time_ns = time_ns if time_ns is not None else impact.time_ns
        callsign = callsign or "IMPACT"
        stage = "impact"
    _check_finite(uid, major_m=impact.major_m, minor_m=impact.minor_m, az=impact.azimuth_deg)
    ev, detail = _event(
        uid=uid,
        cot_type=IMPACT_TYPE,
        how=_HOW_FUSED,
        time_ns=time_ns,
        stale_s=stale_s,
        lat=impact.lat_deg,
        lon=impact.lon_deg,
        hae_m=0.0,
        ce_m=impact.major_m if impact.major_m > 0 else UNKNOWN_ERROR_M,
        le_m=UNKNOWN_ERROR_M,
        status=status,
    )
    shape = etree.SubElement(detail, "shape")
    el = etree.SubElement(shape, "ellipse")
    # Semi-axes in metres; angle of the major axis clockwise from true north.
    el.set("major", f"{max(impact.major_m, 0.0):.1f}")
    el.set("minor", f"{max(impact.minor_m, 0.0):.1f}")
    el.set("angle", f"{impact.azimuth_deg % 360.0:.1f}")
    _style(detail, _RED, _RED_FILL)
    when = cot_time(impact.time_ns)
    where = impact.area or impact.nation
    zone = impact.zone.replace("_", " ") + (f" ({where})" if where else "")
    _common_detail(
        detail,
        callsign=callsign,
        remarks=(
            f"{'Impact' if stage == 'impact' else 'Predicted impact'} {when}, {zone}, "
            f"95 % ellipse {impact.major_m / 1000.0:.1f} x "
            f"{impact.minor_m / 1000.0:.1f} km"
        ),
        status=status,
        zone=impact.zone,
    )
    return _bytes(ev)


def _style(detail: etree._Element, stroke: int, fill: int) -> None:
    etree.SubElement(detail, "strokeColor").set("value", str(stroke))
    etree.SubElement(detail, "strokeWeight").set("value", "3.0")
    etree.SubElement(detail, "fillColor").set("value", str(_signed32(fill)))
    etree.SubElement(detail, "labels_on").set("value", "true")


def _signed32(v: int) -> int:
    return v - (1 << 32) if v >= 1 << 31 else v


def area_event(
    code: str,
    polygon: Polygon,
    *,
    time_ns: int | None = None,
    uid: str | None = None,
    name: str | None = None,
    probability: float | None = None,
    kind: str | None = None,
    status: Status = "actual",
    stale_s: float = 1800.0,
) -> bytes:
    """A warned area (one polygon) as a CoT freeform shape, at ``time_ns`` (default now).

    The event's point is a point inside the polygon, where TAK puts the label.
    """
    parts = polygon_parts(polygon, f"area {code}")
    if len(parts) != 1:
        raise ValueError(f"area {code}: expected one polygon, use area_events for several")
    if probability is not None and not (math.isfinite(probability) and 0 <= probability <= 1):
        raise ValueError(f"area {code}: probability {probability} is not in [0, 1]")
    ring = simplified_ring(parts[0], MAX_AREA_POINTS, decimals=6)
    centre = parts[0].representative_point()
    ev, detail = _event(
        uid=uid or f"trilink.area.{code}",
        cot_type=AREA_TYPE,
        how=_HOW_FUSED,
        time_ns=time.time_ns() if time_ns is None else time_ns,
        stale_s=stale_s,
        lat=centre.y,
        lon=centre.x,
        hae_m=0.0,
        ce_m=UNKNOWN_ERROR_M,
        le_m=UNKNOWN_ERROR_M,
        status=status,
    )
    for lon, lat in ring:  # closed: the first vertex is repeated last
        etree.SubElement(detail, "link").set("point", f"{lat:.6f},{lon:.6f}")
    impact = kind == "impact"
    _style(detail, _RED if impact else _ORANGE, _RED_FILL if impact else _ORANGE_FILL)
    words = [f"Warned area {name or code} ({code})"]
    if kind:
        words.append(kind)
    if probability is not None:
        words.append(f"p={probability:.2f}")
    extra = {"code": code}
    if probability is not None:
        extra["probability"] = f"{probability:.3f}"
    if kind:
        extra["kind"] = kind
    _common_detail(
        detail,
        callsign=name or code,
        remarks=", ".join(words),
        status=status,
        **extra,
    )
    return _bytes(ev)


def area_events(
    alert: Alert,
    area_polygons: Mapping[str, Polygon | MultiPolygon],
    *,
    area_names: Mapping[str, str] | None = None,
    stale_s: float = 1800.0,
) -> list[bytes]:
    """One CoT shape per polygon of every warned area of ``alert`` that has a geometry.

    uids are stable per nation, launch, area and part, so updates replace earlier shapes.
    """
    out: list[bytes] = []
    for area in alert.areas:
        geom = area_polygons.get(area.code)
        if geom is None:
            continue
        for i, part in enumerate(polygon_parts(geom, f"area {area.code}")):
            out.append(
                area_event(
                    area.code,
                    part,
                    time_ns=alert.issued_ns,
                    uid=f"trilink.{alert.nation}.{alert.launch_id}.area.{area.code}.{i}",
                    name=(area_names or {}).get(area.code),
                    probability=area.probability,
                    kind=area.kind,
                    status=alert.status,
                    stale_s=stale_s,
                )
            )
    return out


def alert_events(
    alert: Alert,
    area_polygons: Mapping[str, Polygon | MultiPolygon] | None = None,
    *,
    area_names: Mapping[str, str] | None = None,
) -> list[bytes]:
    """Everything of one alert a TAK client should draw: launch point, impact, warned areas."""
    out: list[bytes] = []
    if alert.launch_lat_deg is not None and alert.launch_lon_deg is not None:
        out.append(launch_event(alert))
    if alert.impact is not None:
        out.append(impact_event(alert))
    out.extend(area_events(alert, area_polygons or {}, area_names=area_names))
    return out


@dataclass
class ClientStats:
    """Counters of one connected TAK client."""

    peer: str
    sent: int = 0
    dropped: int = 0
    queued: int = 0


@dataclass(eq=False)
class _Client:
    stats: ClientStats
    writer: asyncio.StreamWriter
    queue: deque[bytes]
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


class CotServer:
    """A CoT streaming server (plain TCP or TLS) that TAK clients connect to.

    ATAK/WinTAK/iTAK add it as a streaming server ("TCP", or "SSL" with a client certificate
    and the trust store of ``ssl_context``'s CA); events are CoT XML, one after another.

    :meth:`send` queues one event for every connected client and returns at once. Each client
    has its own bounded queue and writer task: a client that reads slowly loses its oldest
    queued events (counted in :attr:`dropped`) and never delays the others. Whatever a client
    sends (its own position, pings) is read and discarded so its socket never blocks.
    New clients first get the latest unexpired event of every uid, so they see the current
    picture without waiting for the next update.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        ssl_context: ssl.SSLContext | None = None,
        queue_size: int = 256,
        replay: bool = True,
    ) -> None:
        if queue_size < 1:
            raise ValueError("queue_size must be at least 1")
        self._host = host
        self._port = port
        self._ssl = ssl_context
        self._queue_size = queue_size
        self._replay = replay
        self._server: asyncio.Server | None = None
        self._clients: set[_Client] = set()
        self._latest: dict[str, tuple[float, bytes]] = {}
        self._dropped_gone = 0
        self._handlers: set[asyncio.Task[object]] = set()

    async def start(self) -> None:
        """Listen; the bound port is :attr:`port` (useful with ``port=0``)."""
        self._server = await asyncio.start_server(
            self._handle, self._host, self._port, ssl=self._ssl
        )

    @property
    def port(self) -> int:
        """The bound TCP port."""
        if self._server is None:
            raise RuntimeError("CotServer is not started")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    @property
    def clients(self) -> list[ClientStats]:
        """Counters of the connected clients."""
        out = []
        for c in self._clients:
            c.stats.queued = len(c.queue)
            out.append(c.stats)
        return out

    @property
    def dropped(self) -> int:
        """Events dropped for slow clients, since start (disconnected clients included)."""
        return self._dropped_gone + sum(c.stats.dropped for c in self._clients)

    async def send(self, event: bytes) -> int:
        """Queue one CoT event for every client; returns how many clients it was queued for."""
        uid, stale = _uid_and_stale(event)
        if self._replay:
            now = dt.datetime.now(dt.UTC).timestamp()
            self._latest[uid] = (stale, event)
            for k in [k for k, (s, _) in self._latest.items() if s < now]:
                del self._latest[k]
        for client in self._clients:
            self._enqueue(client, event)
        return len(self._clients)

    async def send_many(self, events: Sequence[bytes]) -> int:
        """:meth:`send` each event in order."""
        n = 0
        for e in events:
            n = await self.send(e)
        return n

    def _enqueue(self, client: _Client, event: bytes) -> None:
        if len(client.queue) >= self._queue_size:
            client.queue.popleft()
            client.stats.dropped += 1
        client.queue.append(event)
        client.wake.set()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        handler = asyncio.current_task()
        if handler is not None:  # kept so close() can end it (3.11's server does not)
            self._handlers.add(handler)
            handler.add_done_callback(self._handlers.discard)
        client = _Client(
            stats=ClientStats(peer=str(peer)),
            writer=writer,
            queue=deque(),
        )
        if self._replay:
            now = dt.datetime.now(dt.UTC).timestamp()
            for stale, event in self._latest.values():
                if stale >= now:
                    self._enqueue(client, event)
        self._clients.add(client)
        _log.info("TAK client connected: %s", peer)
        writing = asyncio.create_task(self._write_loop(client))
        client.tasks.append(writing)
        try:
            # Drain what the client sends; EOF or an error means it has gone.
            while await reader.read(65536):
                pass
        except (ConnectionError, ssl.SSLError, OSError):
            pass
        finally:
            await self._drop_client(client)

    async def _write_loop(self, client: _Client) -> None:
        try:
            while True:
                await client.wake.wait()
                client.wake.clear()
                while client.queue:
                    event = client.queue.popleft()
                    client.writer.write(event)
                    client.stats.sent += 1
                    # Only this client's task waits here; others keep writing.
                    await client.writer.drain()
        except (ConnectionError, ssl.SSLError, OSError):
            client.writer.close()

    async def _drop_client(self, client: _Client) -> None:
        if client not in self._clients:
            return
        self._clients.discard(client)
        self._dropped_gone += client.stats.dropped
        for t in client.tasks:
            t.cancel()
        for t in client.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        client.writer.close()
        with contextlib.suppress(ConnectionError, ssl.SSLError, OSError):
            await client.writer.wait_closed()
        _log.info("TAK client gone: %s", client.stats.peer)

    async def close(self) -> None:
        """Stop listening and disconnect every client."""
        if self._server is not None:
            self._server.close()
        for client in list(self._clients):
            client.writer.close()
            await self._drop_client(client)
        handlers = list(self._handlers)
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> CotServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def _uid_and_stale(event: bytes) -> tuple[str, float]:
    try:
        root = etree.fromstring(event)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not a CoT event: {exc}") from exc
    uid, stale = root.get("uid"), root.get("stale")
    if root.tag != "event" or not uid or not stale:
        raise ValueError("not a CoT event: need <event> with uid and stale")
    when = dt.datetime.fromisoformat(stale.replace("Z", "+00:00"))
    return uid, when.timestamp()
