"""Cursor on Target events and stream, read back by real TAK libraries (pytak, takproto)."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import ssl
import time
import warnings
from collections.abc import Callable
from configparser import ConfigParser
from pathlib import Path
from typing import Any

import pytest
import takproto
from lxml import etree
from shapely.geometry import Point, Polygon

from trilink.warning.cot import (
    AREA_TYPE,
    IMPACT_TYPE,
    LAUNCH_TYPE,
    TRACK_TYPE,
    CotPoint,
    CotServer,
    CotTrack,
    alert_events,
    area_event,
    area_events,
    cot_time,
    impact_event,
    launch_event,
    track_event,
)
from trilink.warning.model import ImpactPoint, Status
from trilink.wire.keys import init_nation

from .interchange_samples import AREA_POLYGONS, LAUNCH_NS, S, sample_alert

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # pytak warns that its optional aiohttp is missing
    import pytak


# pytak's TLS client sets ssl.OP_NO_TLSv1*, deprecated by Python but harmless here.
pytestmark = pytest.mark.filterwarnings("ignore:ssl.OP_NO:DeprecationWarning")


class _Rx(pytak.RXWorker):  # type: ignore[misc]
    """pytak's own receive worker: reads one CoT event at a time off the stream."""

    async def handle_data(self, data: bytes) -> None:
        return None


def _track(status: Status = "actual", **kw: Any) -> CotTrack:
    base: dict[str, Any] = {
        "uid": "KOR.T-0001",
        "lat": 40.1,
        "lon": 134.9,
        "hae_m": 550_000.0,
        "ce_m": 350.0,
        "le_m": 500.0,
        "course_deg": 95.5,
        "speed_mps": 3100.0,
        "time_ns": LAUNCH_NS + 300 * S,
        "stale_s": 20.0,
        "origin": "KOR",
        "fused": True,
        "callsign": "T-0001",
        "status": status,
    }
    base.update(kw)
    return CotTrack(**base)


def _proto(event: bytes) -> Any:
    """Through the TAK protocol (protobuf) codec and back, as a TAK server would relay it."""
    msg = takproto.parse_proto(takproto.xml2proto(event.decode()))
    assert msg != -1
    return msg.cotEvent


def _now_ns() -> int:
    return time.time_ns()


async def _wait(cond: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


async def _pytak_client(url: str, **settings: str) -> tuple[_Rx, asyncio.StreamWriter]:
    parser = ConfigParser()
    parser["pytak"] = {"COT_URL": url, **settings}
    config = parser["pytak"]
    reader, writer = await pytak.protocol_factory(config)
    return _Rx(asyncio.Queue(), config, reader), writer


async def _read(rx: _Rx, n: int, timeout: float = 5.0) -> list[Any]:
    out = []
    for _ in range(n):
        data = await asyncio.wait_for(rx.readcot(), timeout)
        assert data, "stream closed"
        out.append(_proto(data))
    return out


@pytest.mark.parametrize("status", ["actual", "exercise", "test"])
def test_track_event_decodes_with_takproto(status: Status) -> None:
    ev = _proto(track_event(_track(status)))
    assert ev.type == TRACK_TYPE
    assert ev.uid == "KOR.T-0001"
    assert ev.how == "m-f"
    assert (ev.lat, ev.lon, ev.hae) == pytest.approx((40.1, 134.9, 550_000.0))
    assert (ev.ce, ev.le) == (350.0, 500.0)
    assert ev.sendTime == ev.startTime == (LAUNCH_NS + 300 * S) // 1_000_000
    assert ev.staleTime == ev.sendTime + 20_000
    assert ev.detail.track.course == pytest.approx(95.5)
    assert ev.detail.track.speed == pytest.approx(3100.0)
    callsign, remarks = ev.detail.contact.callsign, ev.detail.xmlDetail
    if status == "actual":
        assert ev.opex == ""
        assert callsign == "T-0001"
        assert "EXERCISE" not in remarks and "TEST" not in remarks
    else:
        word = status.upper()
        assert ev.opex == {"exercise": "e", "test": "s"}[status]
        assert callsign.startswith(word + " ")
        assert f"<remarks>{word} " in remarks
    assert f'status="{status}"' in remarks


def test_single_source_track_is_marked_passed_not_fused() -> None:
    ev = _proto(track_event(_track(fused=False, origin="JPN")))
    assert ev.how == "m-p"
    assert 'fused="false"' in ev.detail.xmlDetail
    assert 'origin="JPN"' in ev.detail.xmlDetail


@pytest.mark.parametrize("status", ["actual", "exercise"])
def test_launch_and_impact_events_from_an_alert(status: Status) -> None:
    alert = sample_alert("shelter", status)
    launch = _proto(launch_event(alert))
    assert launch.type == LAUNCH_TYPE
    assert launch.uid == "trilink.JPN.L20170829.launch"
    assert (launch.lat, launch.lon) == pytest.approx((39.03, 125.75))
    assert launch.sendTime == LAUNCH_NS // 1_000_000
    assert (launch.opex == "e") == (status == "exercise")

    raw = impact_event(alert)
    impact = _proto(raw)
    assert impact.type == IMPACT_TYPE
    assert impact.uid == "trilink.JPN.L20170829.T-0001.impact"
    assert (impact.lat, impact.lon) == pytest.approx((41.2, 146.5))
    ellipse = etree.fromstring(raw).find("detail/shape/ellipse")
    assert ellipse is not None
    assert float(ellipse.get("major", "")) == 60_000.0
    assert float(ellipse.get("minor", "")) == 20_000.0
    assert float(ellipse.get("angle", "")) == 75.0
    assert ("EXERCISE" in impact.detail.contact.callsign) == (status == "exercise")


def test_impact_event_from_a_bare_point_needs_a_uid() -> None:
    point = ImpactPoint(lat_deg=38.0, lon_deg=133.0, time_ns=LAUNCH_NS, major_m=5e3, minor_m=2e3)
    with pytest.raises(ValueError, match="uid"):
        impact_event(point)
    ev = _proto(impact_event(point, uid="imp-1", status="test"))
    assert ev.uid == "imp-1"
    assert ev.opex == "s"
    assert ev.detail.contact.callsign.startswith("TEST ")


def test_area_event_is_a_closed_lat_lon_polygon() -> None:
    alert = sample_alert("shelter", "exercise")
    events = area_events(alert, AREA_POLYGONS)
    assert len(events) == 3  # Hokkaido outline + island, Aomori
    root = etree.fromstring(events[0])
    assert root.get("type") == AREA_TYPE
    assert root.get("uid") == "trilink.JPN.L20170829.area.JP-01.0"
    links = [tuple(map(float, (l.get("point") or "").split(","))) for l in root.iter("link")]
    assert 4 <= len(links) <= 101
    assert links[0] == links[-1]
    ring = Polygon([(lon, lat) for lat, lon in links])
    source = AREA_POLYGONS["JP-01"].geoms[0]
    assert ring.symmetric_difference(source).area < 0.01 * source.area
    all_events = [etree.fromstring(e) for e in alert_events(alert, AREA_POLYGONS)]
    assert [e.get("type") for e in all_events] == [LAUNCH_TYPE, IMPACT_TYPE] + [AREA_TYPE] * 3
    assert {e.get("opex") for e in all_events} == {"e"}
    ev = _proto(events[0])
    assert ev.opex == "e"
    assert 'probability="0.620"' in ev.detail.xmlDetail
    assert "EXERCISE Warned area" in ev.detail.xmlDetail


def test_bad_input_raises_value_error() -> None:
    with pytest.raises(ValueError, match="finite"):
        track_event(_track(lat=float("nan")))
    with pytest.raises(ValueError, match="speed_mps"):
        track_event(_track(speed_mps=float("inf")))
    with pytest.raises(ValueError, match="latitude"):
        launch_event(CotPoint(uid="p", lat=95.0, lon=0.0, time_ns=0))
    with pytest.raises(ValueError, match="no impact"):
        impact_event(sample_alert("launch"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # shapely, building the NaN ring
        nan_ring = Polygon([(140.0, 40.0), (141.0, 40.0), (141.0, float("nan")), (140.0, 40.0)])
    with pytest.raises(ValueError, match="non-finite"):
        area_event("JP-01", nan_ring, time_ns=0)
    with pytest.raises(ValueError, match="probability"):
        area_event("JP-01", Point(140, 40).buffer(1), time_ns=0, probability=1.5)


def test_cot_time_is_utc_milliseconds() -> None:
    assert cot_time(LAUNCH_NS + 123_999_999) == "2017-08-28T20:58:00.123Z"


async def test_stream_fans_out_to_pytak_clients_in_order() -> None:
    async with CotServer(queue_size=64) as server:
        url = f"tcp://127.0.0.1:{server.port}"
        (rx1, w1), (rx2, w2) = await _pytak_client(url), await _pytak_client(url)
        await _wait(lambda: len(server.clients) == 2)
        now = _now_ns()
        events = [track_event(_track(uid=f"T{i}", time_ns=now, lat=40 + i)) for i in range(5)]
        assert await server.send_many(events) == 2
        for rx in (rx1, rx2):
            got = await _read(rx, 5)
            assert [e.uid for e in got] == [f"T{i}" for i in range(5)]
            assert [e.lat for e in got] == pytest.approx([40, 41, 42, 43, 44])
        # Whatever a client sends (its own position, pings) is drained, not echoed.
        w1.write(pytak.hello_event())
        await w1.drain()
        await server.send(track_event(_track(uid="after", time_ns=now)))
        assert [e.uid for e in await _read(rx1, 1)] == ["after"]
        assert [e.uid for e in await _read(rx2, 1)] == ["after"]
        assert server.dropped == 0
        w1.close()
        await _wait(lambda: len(server.clients) == 1)
        w2.close()


async def test_late_client_gets_the_current_picture() -> None:
    async with CotServer() as server:
        now = _now_ns()
        await server.send(track_event(_track(uid="T1", time_ns=now, lat=40.0)))
        await server.send(track_event(_track(uid="T1", time_ns=now, lat=41.0)))  # newer
        await server.send(track_event(_track(uid="gone", time_ns=now - 3600 * S)))  # stale
        rx, writer = await _pytak_client(f"tcp://127.0.0.1:{server.port}")
        (event,) = await _read(rx, 1)
        assert (event.uid, event.lat) == ("T1", 41.0)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(rx.readcot(), 0.3)
        writer.close()


async def test_slow_client_loses_its_oldest_events_and_never_blocks_others() -> None:
    async with CotServer(queue_size=32) as server:
        # A client that never reads, with the smallest receive buffer the kernel allows.
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        raw.setblocking(False)
        await asyncio.get_running_loop().sock_connect(raw, ("127.0.0.1", server.port))
        rx, writer = await _pytak_client(f"tcp://127.0.0.1:{server.port}")
        await _wait(lambda: len(server.clients) == 2)

        seen: list[bytes] = []

        async def consume() -> None:
            while True:
                data = await rx.readcot()
                if not data:
                    return
                seen.append(data)
                if b'uid="last"' in data:
                    return

        consumer = asyncio.create_task(consume())
        now = _now_ns()
        pad = "x" * 8000  # ~8 KB events: 2,000 of them far exceed the socket buffers
        started = time.monotonic()
        for i in range(2000):
            await server.send(
                launch_event(CotPoint(uid=f"p{i % 50}", lat=40, lon=130, time_ns=now, remarks=pad))
            )
            await asyncio.sleep(0)  # a live feed: other tasks run between events
        await server.send(launch_event(CotPoint(uid="last", lat=40, lon=130, time_ns=now)))
        send_time = time.monotonic() - started
        await asyncio.wait_for(consumer, 20.0)

        assert b'uid="last"' in seen[-1]
        assert send_time < 10.0  # send never waited on the stuck client
        slow = max(server.clients, key=lambda c: c.dropped)
        assert slow.dropped > 1000
        assert slow.queued <= 32
        assert server.dropped >= slow.dropped
        fast = min(server.clients, key=lambda c: c.dropped)
        assert (fast.dropped, len(seen)) == (0, 2001)  # the reading client got every event
        raw.close()
        writer.close()


def _server_tls(tmp: Path) -> tuple[ssl.SSLContext, dict[str, str]]:
    files = init_nation(tmp, "KOR")
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(files.ca_cert))
    ctx.load_cert_chain(files.server_cert, files.server_key)
    ctx.verify_mode = ssl.CERT_REQUIRED  # TAK streams are mutual TLS
    # The nation's server certificate also carries clientAuth, so it serves as the client's.
    client = {
        "PYTAK_TLS_CLIENT_CERT": str(files.server_cert),
        "PYTAK_TLS_CLIENT_KEY": str(files.server_key),
        "PYTAK_TLS_CLIENT_CAFILE": str(files.ca_cert),
    }
    return ctx, client


async def test_tls_stream_to_a_pytak_client(tmp_path: Path) -> None:
    ctx, client = _server_tls(tmp_path)
    async with CotServer(ssl_context=ctx) as server:
        rx, writer = await _pytak_client(f"tls://127.0.0.1:{server.port}", **client)
        await _wait(lambda: len(server.clients) == 1)
        alert = sample_alert("shelter", "exercise")
        await server.send_many([launch_event(alert), impact_event(alert)])
        launch, impact = await _read(rx, 2)
        assert (launch.type, impact.type) == (LAUNCH_TYPE, IMPACT_TYPE)
        assert launch.opex == impact.opex == "e"
        writer.close()


async def test_tls_stream_refuses_a_client_without_a_certificate(tmp_path: Path) -> None:
    ctx, client = _server_tls(tmp_path)
    async with CotServer(ssl_context=ctx) as server:
        await server.send(
            launch_event(dataclasses.replace(sample_alert("launch"), launch_time_ns=_now_ns()))
        )
        anonymous = ssl.create_default_context(cafile=client["PYTAK_TLS_CLIENT_CAFILE"])
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port, ssl=anonymous)
        except (ssl.SSLError, ConnectionError):
            return  # refused during the handshake (TLS 1.2)
        # TLS 1.3 finishes the client's side first; the server's refusal arrives on read.
        try:
            data = await asyncio.wait_for(reader.read(4096), 5.0)
        except (ssl.SSLError, ConnectionError):
            data = b""
        assert data == b""
        assert server.clients == []
        writer.close()


async def test_send_rejects_what_is_not_a_cot_event() -> None:
    async with CotServer() as server:
        with pytest.raises(ValueError, match="not a CoT event"):
            await server.send(b"<alert/>")
        with pytest.raises(ValueError, match="not a CoT event"):
            await server.send(b"garbage")
