"""Guard: markings, agreements, stripping, signing; inbound checks; the no-leak property."""

from __future__ import annotations

import random
import re

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trilink import NATIONS
from trilink.fabric.agreements import AgreementBook, AgreementStateRecord
from trilink.fabric.guard import Guard, Outgoing, Refusal, check_inbound
from trilink.fabric.routing import direct_agreement, relay_agreement
from trilink.fabric.subjects import subject_for
from trilink.synthetic.messages import T0, sample_payload
from trilink.wire.codec import WireError, encode
from trilink.wire.messages import KINDS, Provenance, Warning
from trilink.wire.signing import Keyring, NationKey

KEYS = {n: NationKey.generate(n) for n in NATIONS}
RING = Keyring({n: k.public for n, k in KEYS.items()})


class Sink:
    def __init__(self) -> None:
        self.rows: list[tuple[Refusal, str]] = []

    def refused(self, refusal: Refusal, direction: str) -> None:
        self.rows.append((refusal, direction))


def make_book(states: dict[str, str] | None = None) -> AgreementBook:
    book = AgreementBook(state_dir=None, clock=lambda: T0)
    for name, state in (states or {}).items():
        book.overrides[name] = AgreementStateRecord(state, 0)  # type: ignore[arg-type]
    return book


def guards(book: AgreementBook, sink: Sink | None = None) -> dict[str, Guard]:
    return {
        n: Guard(n, KEYS[n], book, clock=lambda: T0, rng=random.Random(1), audit=sink)
        for n in NATIONS
    }


def item(kind: str = "launch", rel_to: tuple[str, ...] = NATIONS, **kw: object) -> Outgoing:
    return Outgoing(
        payload=sample_payload(kind),
        classification="SECRET",
        rel_to=rel_to,
        status="exercise",
        **kw,  # type: ignore[arg-type]
    )


def test_direct_and_hub_routes() -> None:
    book = make_book()
    out = guards(book)["KOR"].prepare(item())
    assert {(o.dest, o.leg) for o in out} == {("JPN", "d"), ("USA", "d")}
    assert len({o.envelope.msg_id for o in out}) == 1
    book.overrides["GSOMIA"] = AgreementStateRecord("suspended", 0)
    out = guards(book)["KOR"].prepare(item())
    assert {(o.dest, o.leg) for o in out} == {("JPN", "h"), ("USA", "d")}
    assert out[0].subject.startswith("tl.")


def test_refusals_are_counted_and_audited() -> None:
    sink = Sink()
    book = make_book({"GSOMIA": "suspended"})
    g = guards(book, sink)["KOR"]
    out = g.prepare(item(rel_to=("JPN",)))  # relay needs consent to the hub too
    assert out == []
    assert g.refused["relay_not_consented"] == 1
    assert sink.rows[0][0].peer == "JPN" and sink.rows[0][1] == "out"
    assert g.prepare(item(rel_to=("PRK",))) == []
    assert g.refused["bad_markings"] == 1


def test_sensor_identity_is_stripped() -> None:
    g = guards(make_book())["KOR"]
    g.sensitive_terms = ("GREEN-PINE-1",)
    prov = Provenance(sensor_ids=("GREEN-PINE-1", "KDX-3"), sites=("Site-X",))
    warning = Warning(
        launch_id="L1",
        warning_id="W1",
        stage="launch",
        issued_ns=T0,
        text_en="Detected by green-pine-1 from Site-X; launch.",
    )
    out = g.prepare(Outgoing(warning, "SECRET", ("JPN", "USA"), "exercise", provenance=prov))
    assert out
    data = out[0].data.lower()
    for term in (b"green-pine", b"kdx-3", b"site-x"):
        assert term not in data
    assert b"[sensor]" in data
    track = g.prepare(Outgoing(sample_payload("track"), "SECRET", ("USA",), "actual", prov))
    assert b"trk-0" not in track[0].data
    # Pseudonyms are stable across restarts (a new guard with the same key, empty cache), opaque,
    # distinct per track, and keyed by a secret: another key gives other pseudonyms.
    alias = g.pseudonym("trk-0")
    restarted = Guard("KOR", KEYS["KOR"], make_book(), clock=lambda: T0)
    assert restarted.pseudonym("trk-0") == alias
    assert re.fullmatch(r"KOR-T[0-9a-f]{12}", alias) and "trk" not in alias.lower()
    assert restarted.pseudonym("trk-1") != alias
    other = Guard("KOR", NationKey.generate("KOR"), make_book(), clock=lambda: T0)
    assert other.pseudonym("trk-0") != alias
    # A sensor name in an identifier cannot be redacted: the message is refused.
    bad = msgspec.structs.replace(warning, warning_id="KDX-3-W")
    assert g.prepare(Outgoing(bad, "SECRET", ("USA",), "actual", prov)) == []
    assert g.refused["sensor_identity"] == 1


def test_inbound_checks() -> None:
    book = make_book()
    g = guards(book)
    [to_jpn, _] = sorted(g["KOR"].prepare(item()), key=lambda o: o.dest)
    subj, env = check_inbound("JPN", to_jpn.subject, to_jpn.data, RING, book, T0)
    assert env.origin == "KOR" and subj.leg == "d"

    def reason(nation: str, subject: str, data: bytes, ring: Keyring = RING) -> str:
        with pytest.raises(WireError) as err:
            check_inbound(nation, subject, data, ring, book, T0)
        return err.value.reason

    assert reason("JPN", subject_for("d", "USA", "JPN", "launch"), to_jpn.data) == "wrong_origin"
    assert reason("USA", to_jpn.subject, to_jpn.data) == "wrong_destination"
    assert reason("JPN", "tl.x.KOR.JPN.ev.launch", to_jpn.data) == "bad_subject"
    assert reason("JPN", to_jpn.subject, b"\x00" * 70_000) == "oversize"
    forged = encode(msgspec.structs.replace(env, signature=b"\x01" * 64))
    assert reason("JPN", to_jpn.subject, forged) == "bad_signature"
    assert reason("JPN", to_jpn.subject, to_jpn.data, Keyring({})) == "unknown_key"
    # Direct leg while GSOMIA is suspended: refused by the receiver too.
    book.overrides["GSOMIA"] = AgreementStateRecord("suspended", 0)
    assert reason("JPN", to_jpn.subject, to_jpn.data) == "no_agreement"


STATES = st.sampled_from(["in_force", "suspended", "terminated"])
SUBSETS = st.lists(st.sampled_from(NATIONS), unique=True, max_size=3).map(tuple)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    origin=st.sampled_from(NATIONS),
    kind=st.sampled_from(KINDS),
    cls=st.sampled_from(["UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET"]),
    rel_to=SUBSETS,
    tisa=STATES,
    gsomia=STATES,
    rogue_legs=st.lists(
        st.tuples(st.sampled_from(["d", "h", "r"]), st.sampled_from(NATIONS)), max_size=4
    ),
)
def test_no_message_reaches_a_nation_outside_rel_to_or_agreements(
    origin: str,
    kind: str,
    cls: str,
    rel_to: tuple[str, ...],
    tisa: str,
    gsomia: str,
    rogue_legs: list[tuple[str, str]],
) -> None:
    """End to end through guard, hub relay and receivers, with a misbehaving sender too."""
    book = make_book({"TISA": tisa, "GSOMIA": gsomia})
    g = guards(book)
    outgoing = Outgoing(sample_payload(kind), cls, rel_to, "test")  # type: ignore[arg-type]
    outs = g[origin].prepare(outgoing)
    honest = {o.dest for o in outs}
    wire = [(o.subject, o.data) for o in outs]
    # A misbehaving origin publishes the same signed bytes on subjects of its choosing.
    if wire:
        for leg, dest in rogue_legs:
            if dest != origin:
                wire.append((subject_for(leg, origin, dest, kind), wire[0][1]))
    delivered: set[str] = set()
    for subject, data in wire:
        parts = subject.split(".")
        leg, dest = parts[1], parts[3]
        if leg == "h":
            try:
                _, env = check_inbound("USA", subject, data, RING, book, T0, hub_leg_for="USA")
            except WireError:
                continue
            relayed = g["USA"].relay(env, dest)
            if relayed is None:
                continue
            subject, data = relayed.subject, relayed.data
        try:
            _, env = check_inbound(dest, subject, data, RING, book, T0)
        except WireError:
            continue
        delivered.add(dest)
        assert dest in env.rel_to
        assert direct_agreement(book, origin, dest, kind, cls, T0) or relay_agreement(
            book, origin, dest, kind, cls, env.rel_to, T0
        )
    # Liveness: everything the honest guard sent was delivered.
    assert honest <= delivered
    assert delivered <= set(rel_to) - {origin}


def test_reroute_at_send_time() -> None:
    book = make_book()
    g = guards(book)["KOR"]
    [to_jpn] = [o for o in g.prepare(item()) if o.dest == "JPN"]
    assert to_jpn.leg == "d"
    book.overrides["GSOMIA"] = AgreementStateRecord("suspended", 0)
    again = g.reroute(to_jpn)
    assert again is not None and again.leg == "h" and again.dedup_id == to_jpn.dedup_id
    book.overrides["TISA"] = AgreementStateRecord("suspended", 0)
    assert g.reroute(to_jpn) is None
    assert sum(g.refused.values()) == 1  # only the one destination asked about
