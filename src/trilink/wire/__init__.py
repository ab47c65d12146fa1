"""trilink.wire: message schema, markings, codec and Ed25519 signing."""

from trilink.wire.codec import MAX_ENVELOPE_BYTES, WireError, decode, encode, new_msg_id
from trilink.wire.messages import (
    EVENT_KINDS,
    SCHEMA_VERSION,
    STATE_KINDS,
    Envelope,
    Heartbeat,
    ImpactPrediction,
    LaunchEvent,
    Provenance,
    TrackReport,
    Warning,
)
from trilink.wire.signing import Keyring, NationKey

__all__ = [
    "EVENT_KINDS",
    "MAX_ENVELOPE_BYTES",
    "SCHEMA_VERSION",
    "STATE_KINDS",
    "Envelope",
    "Heartbeat",
    "ImpactPrediction",
    "Keyring",
    "LaunchEvent",
    "NationKey",
    "Provenance",
    "TrackReport",
    "Warning",
    "WireError",
    "decode",
    "encode",
    "new_msg_id",
]
