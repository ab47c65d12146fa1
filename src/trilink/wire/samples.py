"""Valid sample payloads of every kind (tests, examples, benchmarks)."""

from __future__ import annotations

from trilink.wire.messages import (
    AgreementState,
    AreaProbability,
    Heartbeat,
    ImpactPrediction,
    LaunchEvent,
    Payload,
    TrackBatch,
    TrackReport,
    Warning,
)

__all__ = ["T0", "sample_payload"]

T0 = 1_765_000_000_000_000_000


def sample_payload(kind: str, n: int = 0) -> Payload:
    """A valid payload of ``kind``; ``n`` varies the ids."""
    if kind == "track":
        return TrackReport(
            track_id=f"trk-{n}",
            time_ns=T0 + n,
            position_m=(-3.0e6, 4.0e6, 3.9e6),
            velocity_mps=(100.0, 200.0, 300.0),
            covariance=tuple(100.0 if i == j else 0.0 for i in range(6) for j in range(6)),
            phase="coast",
            quality=0.8,
            launch_id=f"L{n}",
        )
    if kind == "tracks":
        report = sample_payload("track", n)
        assert isinstance(report, TrackReport)
        return TrackBatch(reports=(report,))
    if kind == "launch":
        return LaunchEvent(
            launch_id=f"L{n}", launch_time_ns=T0, lat_deg=39.0, lon_deg=125.7, point_sigma_m=800.0
        )
    if kind == "impact":
        return ImpactPrediction(
            launch_id=f"L{n}",
            update=n,
            lat_deg=40.5,
            lon_deg=134.0,
            major_m=20_000.0,
            minor_m=8_000.0,
            azimuth_deg=80.0,
            impact_time_ns=T0 + 600 * 10**9,
            confidence=0.95,
            areas=(AreaProbability(area="SEA-JP-EEZ", probability=0.7),),
        )
    if kind == "warning":
        return Warning(
            launch_id=f"L{n}", warning_id=f"W{n}", stage="launch", issued_ns=T0, text_en="Launch."
        )
    if kind == "heartbeat":
        return Heartbeat(time_ns=T0)
    if kind == "agreement":
        return AgreementState(name="GSOMIA", status="in_force", since_ns=T0)
    raise ValueError(kind)
