"""The guard checks every string of every payload, at every depth, in any spelling."""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trilink import NATIONS
from trilink.fabric.agreements import AgreementBook
from trilink.fabric.guard import Guard, Outgoing
from trilink.synthetic.messages import T0, sample_payload
from trilink.wire.codec import decode
from trilink.wire.messages import (
    KINDS,
    AgreementState,
    AgreementStatus,
    AreaProbability,
    Heartbeat,
    ImpactPrediction,
    LinkStatus,
    Payload,
    Provenance,
    TrackBatch,
    TrackReport,
    Warning,
)
from trilink.wire.signing import NationKey

KEY = NationKey.generate("KOR")
TERM = "KOR-RADAR-7"
#: Spellings of TERM the guard must catch.
SPELLINGS = (
    "KOR-RADAR-7",
    "KOR RADAR 7",
    "kor_radar-7",
    "Kor.Radar/7",
    "KOR\u2010RADAR\u20117",  # Unicode hyphen, non-breaking hyphen
    "KOR\u200bRADAR7",  # zero-width space, no separator before the digit
    "\uff2b\uff2f\uff32-RADAR-\uff17",  # fullwidth letters and digit (NFKC)
)
#: Fields whose values are fixed vocabularies (Literals): nothing to embed in.
_LITERALS = {"phase", "stage", "status", "missile_class", "peer"}


def guard(terms: tuple[str, ...] = (TERM,)) -> Guard:
    book = AgreementBook(state_dir=None, clock=lambda: T0)
    return Guard("KOR", KEY, book, clock=lambda: T0, rng=random.Random(1), sensitive_terms=terms)


def skeleton(text: str) -> str:
    """An independent fold: NFKC, casefold, only letters and digits kept."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in unicodedata.normalize("NFKC", folded) if c.isalnum())


def strings(obj: Any) -> Iterator[str]:
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, msgspec.Struct):
        for name in obj.__struct_fields__:
            yield from strings(getattr(obj, name))
    elif isinstance(obj, tuple | list):
        for v in obj:
            yield from strings(v)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from strings(k)
            yield from strings(v)


def rich(kind: str) -> Payload:
    """A payload of ``kind`` with nested strings wherever the schema has them."""
    base = sample_payload(kind)
    if isinstance(base, TrackReport):
        return msgspec.structs.replace(base, launch_id="L1")
    if isinstance(base, TrackBatch):
        report = sample_payload("track")
        assert isinstance(report, TrackReport)
        return TrackBatch(
            reports=tuple(
                msgspec.structs.replace(report, track_id=f"trk-{i}", launch_id=f"L{i}")
                for i in range(3)
            )
        )
    if isinstance(base, ImpactPrediction):
        return msgspec.structs.replace(
            base,
            areas=(
                AreaProbability(area="JP-32", probability=0.2),
                AreaProbability(area="KR-11", probability=0.1),
            ),
        )
    if isinstance(base, Warning):
        return msgspec.structs.replace(base, areas=("JP-01", "US-GU"), text_en="Launch detected.")
    if isinstance(base, Heartbeat):
        return msgspec.structs.replace(
            base,
            links=(LinkStatus(peer="USA", up=True),),
            agreements=(
                AgreementStatus(name="TISA", status="in_force"),
                AgreementStatus(name="GSOMIA", status="in_force"),
            ),
        )
    if isinstance(base, AgreementState):
        return msgspec.structs.replace(base, reason="restored by ops")
    return base


def leaves(obj: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Paths of the free string leaves (struct fields by name, tuple items by index)."""
    if isinstance(obj, str):
        yield path
    elif isinstance(obj, msgspec.Struct):
        for name in obj.__struct_fields__:
            if name not in _LITERALS:
                yield from leaves(getattr(obj, name), (*path, name))
    elif isinstance(obj, tuple):
        for i, v in enumerate(obj):
            yield from leaves(v, (*path, i))


def put(obj: Any, path: tuple[Any, ...], value: str) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(obj, tuple):
        return (*obj[:head], put(obj[head], rest, value), *obj[head + 1 :])
    return msgspec.structs.replace(obj, **{head: put(getattr(obj, head), rest, value)})


def leaked(data: bytes) -> bool:
    """True if any string of the decoded message, folded, holds the term."""
    env = decode(data)
    return any(skeleton(TERM) in skeleton(s) for s in strings(env.payload)) or (
        TERM.lower().encode() in data.lower()
    )


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_free_text_is_redacted_in_any_spelling(spelling: str) -> None:
    g = guard()
    text = f"Seen by {spelling} at dawn."
    warning = msgspec.structs.replace(rich("warning"), text_en=text)  # type: ignore[type-var]
    [out, *_] = g.prepare(Outgoing(warning, "SECRET", ("JPN", "USA"), "exercise"))
    sent = decode(out.data).payload
    assert isinstance(sent, Warning)
    assert sent.text_en == "Seen by [sensor] at dawn."
    assert not leaked(out.data)
    assert g.redactions == 1


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_nested_identifiers_are_refused(spelling: str) -> None:
    g = guard()
    for kind, path in [
        ("track", ("launch_id",)),
        ("impact", ("areas", 0, "area")),
        ("warning", ("areas", 1)),
        ("heartbeat", ("agreements", 0, "name")),
    ]:
        bad = put(rich(kind), path, f"{spelling}-L9")
        assert g.prepare(Outgoing(bad, "SECRET", ("JPN", "USA"), "exercise")) == [], kind
    assert g.refused["sensor_identity"] == 4


def test_batch_drops_only_the_report_naming_a_sensor() -> None:
    """A report inside a batch (the default path for tracks) is checked like one sent alone."""
    g = guard()
    batch = put(rich("tracks"), ("reports", 1, "launch_id"), "KOR-RADAR-7-L9")
    [out, *_] = g.prepare(Outgoing(batch, "SECRET", ("JPN", "USA"), "exercise"))
    sent = decode(out.data).payload
    assert isinstance(sent, TrackBatch)
    assert [r.launch_id for r in sent.reports] == ["L0", "L2"]
    assert not leaked(out.data)
    assert g.refused["sensor_identity"] == 1
    # Every report naming a sensor: nothing is sent at all.
    worse = put(batch, ("reports", 0, "launch_id"), "kor radar 7")
    worse = put(worse, ("reports", 2, "launch_id"), "KOR_RADAR_7")
    assert g.prepare(Outgoing(worse, "SECRET", ("JPN", "USA"), "exercise")) == []


def test_provenance_names_are_caught_in_any_spelling_too() -> None:
    g = guard(terms=())
    prov = Provenance(sensor_ids=("GREEN-PINE-1",), sites=("Site X",))
    warning = msgspec.structs.replace(  # type: ignore[type-var]
        rich("warning"), text_en="green pine 1 at SITE_X."
    )
    [out, *_] = g.prepare(Outgoing(warning, "SECRET", ("USA",), "exercise", prov))
    payload = decode(out.data).payload
    assert isinstance(payload, Warning) and payload.text_en == "[sensor] at [sensor]."
    track = put(rich("track"), ("launch_id",), "GreenPine1")
    assert g.prepare(Outgoing(track, "SECRET", ("USA",), "exercise", prov)) == []


def _variant(parts: list[str], seps: list[str], cases: list[int], wide: bool) -> str:
    out = []
    for i, part in enumerate(parts):
        word = (str.upper, str.lower, str.title)[cases[i % len(cases)]](part)
        if wide:
            word = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in word)
        out.append(word)
        if i < len(parts) - 1:
            out.append(seps[i % len(seps)])
    return "".join(out)


SEPARATORS = st.sampled_from(["-", " ", "_", ".", "/", "\u2010", "\u2011", "\u200b", "", " - "])
TERMS = st.sampled_from(["KOR-RADAR-7", "GREEN-PINE-1", "TPY2 Shariki", "Site-Q/North"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(KINDS),
    term=TERMS,
    seps=st.lists(SEPARATORS, min_size=1, max_size=3),
    cases=st.lists(st.integers(0, 2), min_size=1, max_size=3),
    wide=st.booleans(),
    prefix=st.sampled_from(["", "L", "x-", "at "]),
    suffix=st.sampled_from(["", "-L9", "7", " today"]),
    via_provenance=st.booleans(),
    pick=st.integers(0, 1000),
)
def test_no_sensitive_term_reaches_the_wire(
    kind: str,
    term: str,
    seps: list[str],
    cases: list[int],
    wide: bool,
    prefix: str,
    suffix: str,
    via_provenance: bool,
    pick: int,
) -> None:
    """Any payload kind, a sensitive term in any spelling in any string at any depth."""
    g = guard(terms=() if via_provenance else (term,))
    prov = Provenance(sensor_ids=(term,)) if via_provenance else None
    base = rich(kind)
    # Liveness: the clean payload goes out.
    assert g.prepare(Outgoing(base, "SECRET", NATIONS, "exercise", prov))
    paths = list(leaves(base))
    path = paths[pick % len(paths)]
    spelled = prefix + _variant(re.findall(r"[A-Za-z0-9]+", term), seps, cases, wide) + suffix
    payload = put(base, path, spelled)
    outs = g.prepare(Outgoing(payload, "SECRET", NATIONS, "exercise", prov))
    target = skeleton(term)
    for out in outs:
        env = decode(out.data)
        assert not any(target in skeleton(s) for s in strings(env.payload)), (path, spelled)
        assert term.lower().encode() not in out.data.lower()
    if not outs:
        assert sum(g.refused.values()) >= 1
