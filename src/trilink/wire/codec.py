"""Strict encoding and decoding of envelopes, canonical signing bytes and message ids.

Decoding never raises anything but :class:`WireError`, whose ``reason`` is a short stable code
used for counting and auditing refusals.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable

import msgspec

from trilink import TrilinkError
from trilink.wire.messages import Envelope, Hop

__all__ = [
    "MAX_ENVELOPE_BYTES",
    "WireError",
    "canonical_bytes",
    "decode",
    "encode",
    "hop_bytes",
    "new_msg_id",
    "splice_first_hop",
]

#: Anything larger is refused before it is parsed (a track report is ~1 KiB).
MAX_ENVELOPE_BYTES = 64 * 1024

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Envelope, strict=True)


class WireError(TrilinkError):
    """A message that must be refused; ``reason`` is a short code such as ``oversize``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def encode(envelope: Envelope | msgspec.Struct) -> bytes:
    """Encode an envelope (or any wire struct) as JSON, fields in declaration order."""
    return _encoder.encode(envelope)


def decode(data: bytes) -> Envelope:
    """Decode wire bytes strictly; refuse oversize, malformed, out-of-range or unknown content."""
    if len(data) > MAX_ENVELOPE_BYTES:
        raise WireError("oversize", f"{len(data)} bytes > {MAX_ENVELOPE_BYTES}")
    try:
        return _decoder.decode(data)
    except msgspec.ValidationError as exc:
        raise WireError("invalid", str(exc)) from None
    except msgspec.DecodeError as exc:
        raise WireError("malformed", str(exc)) from None


def canonical_bytes(envelope: Envelope) -> bytes:
    """The bytes the origin signs: the envelope without hops and signature."""
    return b"trilink-env\x00" + _encoder.encode(
        msgspec.structs.replace(envelope, hops=(), signature=b"")
    )


def hop_bytes(envelope: Envelope, index: int, hop: Hop) -> bytes:
    """The bytes hop ``index`` signs: origin signature, earlier hop signatures and the hop itself.

    Binding the origin signature ties the hop to exactly one unaltered envelope.
    """
    earlier = b"".join(h.signature for h in envelope.hops[:index])
    return (
        b"trilink-hop\x00"
        + envelope.signature
        + earlier
        + _encoder.encode(msgspec.structs.replace(hop, signature=b""))
    )


def splice_first_hop(data: bytes, hop: Hop) -> bytes | None:
    """``data`` (an encoded envelope without hops) with ``hop`` added, without re-encoding.

    Relays forward large track batches; splicing the hop in keeps the origin's bytes untouched
    and saves re-encoding them. Inside JSON strings quotes are escaped, so the unescaped
    ``"hops":[],"signature":`` can only be the envelope's own key. ``None`` if not applicable.
    """
    marker = b'"hops":[],"signature":'
    at = data.rfind(marker)
    if at < 0:
        return None
    return (
        data[:at]
        + b'"hops":['
        + _encoder.encode(hop)
        + b'],"signature":'
        + data[at + len(marker) :]
    )


def new_msg_id(now_ns: int, rand: Callable[[int], bytes] | random.Random | None = None) -> str:
    """A UUIDv7 string from a clock reading and a randomness source (seedable for determinism)."""
    if isinstance(rand, random.Random):
        rb = rand.randbytes(10)
    elif rand is None:
        rb = os.urandom(10)
    else:
        rb = rand(10)
    ms = (now_ns // 1_000_000) & ((1 << 48) - 1)
    value = (ms << 80) | int.from_bytes(rb, "big")
    value &= ~(0xF << 76)
    value |= 0x7 << 76
    value &= ~(0x3 << 62)
    value |= 0x2 << 62
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
