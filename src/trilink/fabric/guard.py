"""The guard: the only exit of a node, and the matching checks on entry.

Outbound (:meth:`Guard.prepare`, :meth:`Guard.relay`): check the markings against each
destination and the agreements in force, strip what must not leave (sensor identities and sites:
the provenance is dropped, track ids are pseudonymised, known sensor names, in any spelling, are
redacted from free text and refused in every other string at any depth), sign, and produce
exactly one subject per destination.

Inbound (:func:`check_inbound`): size, strict decoding, subject versus envelope (origin,
destination, leg, kind), signatures of the origin and every hop, markings and agreements. Every
refusal is a :class:`~trilink.wire.codec.WireError` with a short reason, counted and audited by
the caller.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import random
import re
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

import msgspec
import msgspec.inspect as mi

from trilink import NATIONS, TrilinkError
from trilink.fabric.agreements import AgreementBook
from trilink.fabric.routing import (
    DIRECT_STOP_GRACE_NS,
    direct_agreement,
    plan,
    relay_agreement,
)
from trilink.fabric.subjects import Subject, parse_subject, subject_for
from trilink.wire.codec import WireError, decode, encode, new_msg_id, splice_first_hop
from trilink.wire.messages import (
    CLASSIFICATIONS,
    EVENT_KINDS,
    SCHEMA_VERSION,
    AgreementState,
    Classification,
    Envelope,
    Payload,
    Provenance,
    Status,
    TrackBatch,
    TrackReport,
    Warning,
    payload_kind,
)
from trilink.wire.signing import Keyring, NationKey

__all__ = [
    "FREE_TEXT",
    "REDACTED",
    "AuditSink",
    "Guard",
    "Outbound",
    "Outgoing",
    "Refusal",
    "VerifiedCache",
    "check_inbound",
    "fold",
    "names_any",
    "payload_strings",
    "redact",
]

#: Clocks of partner nodes may differ a little; beyond this a message is from the future.
MAX_FUTURE_NS = 30 * 1_000_000_000
#: Older than this, a message is refused as stale (outage replays stay well inside it).
MAX_AGE_NS = 6 * 3600 * 1_000_000_000

_T = TypeVar("_T")


@dataclass(frozen=True)
class Outgoing:
    """What the node's producer side wants to share, with the originator's markings."""

    payload: Payload
    classification: Classification
    rel_to: tuple[str, ...]
    status: Status
    provenance: Provenance | None = None


@dataclass(frozen=True)
class Outbound:
    """One signed message for one destination on one leg, ready for the fabric."""

    dest: str
    leg: str
    subject: str
    data: bytes
    envelope: Envelope
    agreement: str

    @property
    def is_event(self) -> bool:
        return self.envelope.kind in EVENT_KINDS

    @property
    def dedup_id(self) -> str:
        """``Nats-Msg-Id``: one id per message and final destination, whatever the route."""
        return f"{self.envelope.msg_id}.{self.dest}"


@dataclass(frozen=True)
class Refusal:
    """A message (or a copy for one destination) that did not pass."""

    reason: str
    msg_id: str
    kind: str
    origin: str
    peer: str
    detail: str = ""


class AuditSink(Protocol):
    """Where refusals go (the node's store)."""

    def refused(self, refusal: Refusal, direction: str) -> None: ...


@dataclass
class Guard:
    """A nation's guard: markings, agreements, stripping, signing."""

    nation: str
    key: NationKey
    book: AgreementBook
    clock: Callable[[], int]
    rng: random.Random = field(default_factory=random.Random)
    audit: AuditSink | None = None
    sensitive_terms: tuple[str, ...] = ()
    track_salt: bytes = b""
    refused: Counter[str] = field(default_factory=Counter)
    redactions: int = 0
    _pseudonyms: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.key.nation != self.nation:
            raise TrilinkError(f"guard for {self.nation} given the key of {self.key.nation}")
        if not self.track_salt:
            # Secret, so nobody can test guesses ("RADAR-1/...") against the pseudonyms.
            self.track_salt = hashlib.sha256(
                b"trilink-track-pseudonym\x00" + self.key.private_pem()
            ).digest()

    def _refuse(self, refusal: Refusal) -> None:
        self.refused[refusal.reason] += 1
        if self.audit is not None:
            self.audit.refused(refusal, "out")

    # -- stripping -----------------------------------------------------------------------------
    def _terms(self, provenance: Provenance | None) -> list[str]:
        terms = list(self.sensitive_terms)
        if provenance is not None:
            terms += list(provenance.sensor_ids) + list(provenance.sites)
        return sorted({t for t in terms if t}, key=len, reverse=True)

    def pseudonym(self, track_id: str) -> str:
        """An opaque, stable track id: partners can follow a track but learn nothing from it."""
        cached = self._pseudonyms.get(track_id)
        if cached is not None:
            return cached
        if len(self._pseudonyms) > 100_000:
            self._pseudonyms.clear()
        digest = hmac.new(self.track_salt, track_id.encode(), hashlib.sha256)
        self._pseudonyms[track_id] = out = f"{self.nation}-T{digest.hexdigest()[:12]}"
        return out

    def strip(self, item: Outgoing, msg_id: str = "") -> Payload:
        """The payload as it may leave: no sensor identity or site, in any field at any depth.

        Track ids are pseudonymised; a sensitive term (in any spelling, see :func:`fold`) in free
        text is redacted, in any other string it refuses the message or, inside a batch, only the
        reports that hold it (audited as ``sensor_identity``).
        """
        payload = item.payload
        if isinstance(payload, TrackReport):
            payload = msgspec.structs.replace(payload, track_id=self.pseudonym(payload.track_id))
        elif isinstance(payload, TrackBatch):
            payload = TrackBatch(
                reports=tuple(
                    msgspec.structs.replace(r, track_id=self.pseudonym(r.track_id))
                    for r in payload.reports
                )
            )
        terms = self._folded_terms(item.provenance)
        if not terms:
            return payload
        payload = self._redact(payload, terms)
        if isinstance(payload, TrackBatch):
            kept = tuple(r for r in payload.reports if not names_any(r, terms))
            dropped = len(payload.reports) - len(kept)
            if kept and dropped:
                # One bad report must not cost its batch-mates: they go, it is refused.
                detail = f"{dropped} of {len(payload.reports)} reports dropped"
                self._refuse(Refusal("sensor_identity", msg_id, "tracks", self.nation, "", detail))
                payload = TrackBatch(reports=kept)
            elif not kept:
                raise WireError("sensor_identity", "a sensor identity is in every report")
        elif names_any(payload, terms):
            raise WireError("sensor_identity", "a sensor identity is in an identifier")
        return payload

    def _folded_terms(self, provenance: Provenance | None) -> tuple[str, ...]:
        """The sensitive terms, folded (a term that folds to nothing matches nothing)."""
        return tuple(sorted({f for f in map(fold, self._terms(provenance)) if f}))

    def _redact(self, obj: _T, terms: tuple[str, ...]) -> _T:
        """``obj`` with the terms in its free-text fields (:data:`FREE_TEXT`) redacted."""
        if isinstance(obj, msgspec.Struct):
            changes: dict[str, object] = {}
            for name in _text_fields(type(obj)):
                value = getattr(obj, name)
                if isinstance(value, str):
                    if (type(obj), name) in FREE_TEXT:
                        text, n = redact(value, terms)
                        if n:
                            self.redactions += n
                            changes[name] = text
                elif isinstance(value, msgspec.Struct | tuple):
                    new = self._redact(value, terms)
                    if new is not value:
                        changes[name] = new
            return msgspec.structs.replace(obj, **changes) if changes else obj
        if isinstance(obj, tuple):
            items = tuple(self._redact(v, terms) for v in obj)
            if any(a is not b for a, b in zip(items, obj, strict=True)):
                return items  # type: ignore[return-value]
        return obj

    # -- outbound ------------------------------------------------------------------------------
    def prepare(self, item: Outgoing) -> list[Outbound]:
        """Sign the item once and produce one :class:`Outbound` per releasable destination."""
        now = self.clock()
        kind = payload_kind(item.payload)
        msg_id = new_msg_id(now, self.rng)
        rel_to = tuple(sorted(set(item.rel_to)))
        if (
            not set(rel_to) <= set(NATIONS)
            or item.classification not in CLASSIFICATIONS
            or item.status not in ("actual", "exercise", "test")
        ):
            self._refuse(Refusal("bad_markings", msg_id, kind, self.nation, "", repr(rel_to)))
            return []
        try:
            payload = self.strip(item, msg_id)
        except WireError as exc:
            self._refuse(Refusal(exc.reason, msg_id, kind, self.nation, "", exc.detail))
            return []
        envelope = self.key.sign(
            Envelope(
                schema=SCHEMA_VERSION,
                msg_id=msg_id,
                kind=kind,  # type: ignore[arg-type]
                origin=self.nation,  # type: ignore[arg-type]
                created_ns=now,
                classification=item.classification,
                rel_to=rel_to,  # type: ignore[arg-type]
                status=item.status,
                payload=payload,
            )
        )
        data = encode(envelope)
        try:
            # What we send must pass the checks our partners run (ranges, NaN, size).
            decode(data)
        except WireError as exc:
            self._refuse(Refusal(exc.reason, msg_id, kind, self.nation, "", exc.detail))
            return []
        return self.route(envelope, data)

    def route(
        self, envelope: Envelope, data: bytes | None = None, only: str | None = None
    ) -> list[Outbound]:
        """Route an already signed own envelope to every partner it is releasable to, now."""
        data = encode(envelope) if data is None else data
        out: list[Outbound] = []
        now = self.clock()
        for dest in NATIONS if only is None else (only,):
            if dest == self.nation or dest not in envelope.rel_to:
                continue
            decision = plan(
                self.book,
                self.nation,
                dest,
                envelope.kind,
                envelope.classification,
                envelope.rel_to,
                now,
            )
            if decision.route is None or decision.agreement is None:
                self._refuse(
                    Refusal(decision.reason, envelope.msg_id, envelope.kind, self.nation, dest)
                )
                continue
            leg = "d" if decision.route == "direct" else "h"
            out.append(
                Outbound(
                    dest,
                    leg,
                    subject_for(leg, self.nation, dest, envelope.kind),
                    data,
                    envelope,
                    decision.agreement,
                )
            )
        return out

    def reroute(self, outbound: Outbound) -> Outbound | None:
        """Recompute the route of a queued own message at the moment it is (re)sent."""
        if outbound.leg == "r":
            return outbound if self._relay_ok(outbound.envelope, outbound.dest) else None
        for candidate in self.route(outbound.envelope, outbound.data, only=outbound.dest):
            return candidate
        return None

    def _relay_ok(self, envelope: Envelope, dest: str) -> str | None:
        found = relay_agreement(
            self.book,
            envelope.origin,
            dest,
            envelope.kind,
            envelope.classification,
            envelope.rel_to,
            self.clock(),
            hub=self.nation,
        )
        return None if found is None else found[0]

    def relay(self, envelope: Envelope, dest: str, data: bytes | None = None) -> Outbound | None:
        """As hub: forward a verified envelope to ``dest`` with our signed hop, if allowed.

        ``data``, the bytes the envelope was received as, lets the hop be spliced in.
        """
        agreement = self._relay_ok(envelope, dest)
        if agreement is None:
            reason = "not_releasable" if dest not in envelope.rel_to else "relay_not_allowed"
            self._refuse(Refusal(reason, envelope.msg_id, envelope.kind, envelope.origin, dest))
            return None
        relayed = self.key.add_hop(envelope, dest, self.clock())  # type: ignore[arg-type]
        out = None
        if data is not None and not envelope.hops:
            out = splice_first_hop(data, relayed.hops[-1])
        return Outbound(
            dest,
            "r",
            subject_for("r", envelope.origin, dest, envelope.kind),
            out if out is not None else encode(relayed),
            relayed,
            agreement,
        )


#: Free-text fields: a sensitive term there is redacted; in any other string it refuses.
FREE_TEXT: frozenset[tuple[type, str]] = frozenset(
    {(Warning, "text_en"), (AgreementState, "reason")}
)
#: What a redacted span becomes.
REDACTED = "[sensor]"
#: Made by the guard from a keyed hash: they carry nothing, and a short term could match their
#: hex digits by chance.
_PSEUDONYMS: frozenset[tuple[type, str]] = frozenset({(TrackReport, "track_id")})
_ASCII_DROP = str.maketrans({chr(i): None for i in range(128) if not chr(i).isalnum()})


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    # Decompose, fold case, decompose again (folding can yield decomposable characters): then
    # compatibility forms (fullwidth, ligatures, NFKC) and accented letters meet their plain
    # letters, and marks, spaces, punctuation, dashes and zero-width characters all drop out.
    out: list[str] = []
    for c in unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", ch).casefold()):
        if c.isalnum():
            digit = unicodedata.decimal(c, None)
            out.append(c if digit is None else str(digit))
    return "".join(out)


@functools.lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """``text`` reduced to its case-folded, compatibility-normalised letters and digits.

    Spellings that differ only in case, Unicode compatibility form, accents or separators (any
    run of non-alphanumeric characters, or none) fold alike: "KOR RADAR 7", "kor_radar-7",
    "KOR\u2010RADAR\u20117" and "KOR\u200bRADAR7" all fold to "korradar7".
    """
    if text.isascii():  # the common case, ~20x faster
        return text.lower().translate(_ASCII_DROP)
    return "".join(map(_fold_char, text))


def redact(text: str, terms: tuple[str, ...]) -> tuple[str, int]:
    """``text`` with every span whose fold holds a folded term replaced; and how many spans."""
    chars: list[str] = []
    origin: list[int] = []  # index in ``text`` of each folded character
    for i, ch in enumerate(text):
        for c in _fold_char(ch):
            chars.append(c)
            origin.append(i)
    folded = "".join(chars)
    spans: list[tuple[int, int]] = []
    for term in terms:
        start = folded.find(term)
        while start >= 0:
            end = start + len(term)
            spans.append((origin[start], origin[end - 1] + 1))
            start = folded.find(term, start + 1)
    if not spans:
        return text, 0
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    out: list[str] = []
    pos = 0
    for a, b in merged:
        out += [text[pos:a], REDACTED]
        pos = b
    out.append(text[pos:])
    return "".join(out), len(merged)


def _may_hold_str(t: mi.Type, seen: frozenset[type] = frozenset()) -> bool:
    """Whether a value of msgspec type ``t`` can contain a string anywhere inside."""
    if isinstance(t, mi.StrType | mi.AnyType):
        return True
    if isinstance(t, mi.LiteralType):
        return any(isinstance(v, str) for v in t.values)
    if isinstance(t, mi.Metadata):
        return _may_hold_str(t.type, seen)
    if isinstance(t, mi.UnionType):
        return any(_may_hold_str(u, seen) for u in t.types)
    if isinstance(t, mi.TupleType):
        return any(_may_hold_str(u, seen) for u in t.item_types)
    if isinstance(t, mi.VarTupleType | mi.ListType | mi.SetType | mi.FrozenSetType):
        return _may_hold_str(t.item_type, seen)
    if isinstance(t, mi.DictType):
        return _may_hold_str(t.key_type, seen) or _may_hold_str(t.value_type, seen)
    if isinstance(t, mi.StructType):
        if t.cls in seen:  # recursive type: its strings are found where it starts
            return False
        return any(_may_hold_str(f.type, seen | {t.cls}) for f in t.fields)
    return False


def _structs_in(t: mi.Type) -> Iterator[type]:
    """The struct classes a value of msgspec type ``t`` can directly contain."""
    if isinstance(t, mi.StructType):
        yield t.cls
    elif isinstance(t, mi.Metadata):
        yield from _structs_in(t.type)
    elif isinstance(t, mi.UnionType | mi.TupleType):
        for u in t.types if isinstance(t, mi.UnionType) else t.item_types:
            yield from _structs_in(u)
    elif isinstance(t, mi.VarTupleType | mi.ListType | mi.SetType | mi.FrozenSetType):
        yield from _structs_in(t.item_type)
    elif isinstance(t, mi.DictType):
        yield from _structs_in(t.value_type)


@functools.cache
def _text_fields(cls: type) -> tuple[str, ...]:
    """The fields of struct ``cls`` that are or can contain free text (:data:`FREE_TEXT`)."""
    info = mi.type_info(cls)
    assert isinstance(info, mi.StructType)
    return tuple(
        f.name
        for f in info.fields
        if (cls, f.name) in FREE_TEXT
        or any(c is not cls and _text_fields(c) for c in _structs_in(f.type))
    )


@functools.cache
def _string_fields(cls: type) -> tuple[str, ...]:
    """The fields of struct ``cls`` that can hold a string (from its schema), so that the walk
    never iterates the numbers (a batch holds 64 x 42 of them)."""
    info = mi.type_info(cls)
    assert isinstance(info, mi.StructType)
    return tuple(f.name for f in info.fields if _may_hold_str(f.type))


def payload_strings(obj: object, skip: frozenset[tuple[type, str]] = frozenset()) -> Iterator[str]:
    """Every string in ``obj`` at any depth: struct fields (but ``skip``), sequences, dicts."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, msgspec.Struct):
        for name in _string_fields(type(obj)):
            if (type(obj), name) not in skip:
                yield from payload_strings(getattr(obj, name), skip)
    elif isinstance(obj, tuple | list | set | frozenset):
        for value in obj:
            yield from payload_strings(value, skip)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield from payload_strings(key, skip)
            yield from payload_strings(value, skip)


@functools.lru_cache(maxsize=64)
def _matcher(terms: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, terms)))


@functools.lru_cache(maxsize=16384)
def _hits(text: str, terms: tuple[str, ...]) -> bool:
    # Cached: launch ids, phases and area codes repeat from report to report.
    return _matcher(terms).search(fold(text)) is not None


def names_any(obj: object, terms: tuple[str, ...]) -> bool:
    """True if a string of ``obj`` (the guard's pseudonyms aside) holds a folded term."""
    if isinstance(obj, str):
        return _hits(obj, terms)
    if isinstance(obj, msgspec.Struct):
        cls = type(obj)
        for name in _string_fields(cls):
            if (cls, name) not in _PSEUDONYMS and names_any(getattr(obj, name), terms):
                return True
        return False
    if isinstance(obj, tuple | list | set | frozenset):
        return any(names_any(value, terms) for value in obj)
    if isinstance(obj, dict):
        return any(names_any(k, terms) or names_any(v, terms) for k, v in obj.items())
    return False


class VerifiedCache:
    """A small LRU of byte strings that decoded and verified, with their envelopes."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.hits = 0
        self._items: OrderedDict[bytes, Envelope] = OrderedDict()

    def get(self, data: bytes) -> Envelope | None:
        env = self._items.get(data)
        if env is not None:
            self.hits += 1
            self._items.move_to_end(data)
        return env

    def put(self, data: bytes, env: Envelope) -> None:
        self._items[data] = env
        if len(self._items) > self.size:
            self._items.popitem(last=False)


def check_inbound(
    nation: str,
    subject: str,
    data: bytes,
    keyring: Keyring,
    book: AgreementBook,
    now_ns: int,
    hub_leg_for: str | None = None,
    verified: VerifiedCache | None = None,
) -> tuple[Subject, Envelope]:
    """Everything a receiver checks before it believes a message; raises :class:`WireError`.

    ``hub_leg_for`` is the hub's own nation when it accepts ``h`` legs to relay. ``verified``
    remembers byte strings already decoded and verified (the hub receives the same signed bytes
    as a direct message and as a relay request), so they are not decoded and verified twice;
    every other check still runs.
    """
    subj = parse_subject(subject)
    cached = verified.get(data) if verified is not None else None
    env = cached if cached is not None else decode(data)
    if env.origin != subj.origin:
        raise WireError("wrong_origin", f"{env.origin} on a {subj.origin} subject")
    if env.kind != subj.kind:
        raise WireError("wrong_kind", f"{env.kind} on a {subj.kind} subject")
    if subj.dest != nation and not (subj.leg == "h" and hub_leg_for == nation):
        raise WireError("wrong_destination", subject)
    if subj.dest not in env.rel_to:
        raise WireError("not_releasable", f"{subj.dest} not in REL TO")
    if env.created_ns > now_ns + MAX_FUTURE_NS:
        raise WireError("future", "created in the future")
    if env.created_ns < now_ns - MAX_AGE_NS:
        raise WireError("stale", "older than the replay window")
    expected_hops = {"d": 0, "h": 0, "r": 1}[subj.leg]
    if len(env.hops) != expected_hops:
        raise WireError("bad_hops", f"{len(env.hops)} hops on leg {subj.leg}")
    if cached is None:
        keyring.verify(env)
        if verified is not None:
            verified.put(data, env)
    if subj.leg == "d":
        # In force now, or when the message was made, give or take the time a sender takes to
        # see a suspension (a message in flight when an agreement stops is not cut; the servers
        # stop carrying direct subjects after the same grace).
        if all(
            direct_agreement(book, env.origin, nation, env.kind, env.classification, t) is None
            for t in (now_ns, env.created_ns, env.created_ns - DIRECT_STOP_GRACE_NS)
        ):
            raise WireError("no_agreement", f"no direct agreement {env.origin}-{nation} in force")
    else:
        hub = nation if subj.leg == "h" else env.hops[0].nation
        if subj.leg == "r" and (env.hops[0].to != nation or hub in (env.origin, nation)):
            raise WireError("bad_hops", "hop not addressed to us")
        found = relay_agreement(
            book, env.origin, subj.dest, env.kind, env.classification, env.rel_to, now_ns, hub=hub
        )
        if found is None:
            raise WireError("relay_not_allowed", f"{env.origin}->{subj.dest} via {hub}")
    return subj, env
