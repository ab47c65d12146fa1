"""Agreements as data: loading, state changes, audit, routing decisions and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trilink import TrilinkError
from trilink.cli import main
from trilink.fabric.agreements import AgreementBook, load_agreement
from trilink.fabric.routing import DIRECT_SETTLE_NS, plan
from trilink.synthetic.messages import T0


def book_at(tmp_path: Path) -> AgreementBook:
    return AgreementBook(state_dir=tmp_path, clock=lambda: T0)


def test_packaged_agreements(tmp_path: Path) -> None:
    book = book_at(tmp_path)
    assert set(book.agreements) == {"TISA", "GSOMIA"}
    tisa = book.get("tisa")
    assert tisa.relay_allowed and tisa.hub == "USA"
    assert tisa.allows_direct("KOR", "USA") and not tisa.allows_direct("KOR", "JPN")
    assert book.get("GSOMIA").allows_direct("JPN", "KOR")
    assert book.in_force("TISA") and book.in_force("GSOMIA")
    # Before signature it was not in force.
    assert not book.in_force("GSOMIA", at_ns=1_400_000_000 * 10**9)


def test_routing_follows_state(tmp_path: Path) -> None:
    book = book_at(tmp_path)
    rel = ("JPN", "KOR", "USA")
    assert plan(book, "KOR", "JPN", "launch", "SECRET", rel, T0).route == "direct"
    assert plan(book, "KOR", "USA", "launch", "SECRET", rel, T0).route == "direct"
    other = book_at(tmp_path)  # a second watcher, as a running node would be
    book.set_state("GSOMIA", "suspended", by="test", reason="politics")
    assert other.refresh() is True
    d = plan(other, "KOR", "JPN", "launch", "SECRET", rel, T0)
    assert (d.route, d.agreement) == ("hub", "TISA")
    # Not marked REL JPN: nowhere.
    assert plan(other, "KOR", "JPN", "launch", "SECRET", ("USA",), T0).reason == "not_releasable"
    # Marked REL JPN but not the hub: no consent to relay.
    d = plan(other, "KOR", "JPN", "launch", "SECRET", ("JPN",), T0)
    assert (d.route, d.reason) == (None, "relay_not_consented")
    book.set_state("TISA", "suspended")
    assert plan(book, "KOR", "JPN", "launch", "SECRET", rel, T0).reason == "no_agreement"
    book.set_state("GSOMIA", "in_force")
    # Direct only once the restored agreement has settled (the servers carry it by then).
    assert plan(book, "KOR", "JPN", "launch", "SECRET", rel, T0).reason == "no_agreement"
    settled = T0 + DIRECT_SETTLE_NS
    assert plan(book, "KOR", "JPN", "launch", "SECRET", rel, settled).route == "direct"
    log = book.audit_log()
    assert [(e["agreement"], e["to"]) for e in log] == [
        ("GSOMIA", "suspended"),
        ("TISA", "suspended"),
        ("GSOMIA", "in_force"),
    ]
    assert log[0]["by"] == "test" and log[0]["reason"] == "politics"


def test_terminated_is_final(tmp_path: Path) -> None:
    book = book_at(tmp_path)
    book.set_state("GSOMIA", "terminated")
    with pytest.raises(TrilinkError, match="terminated"):
        book.set_state("GSOMIA", "in_force")


def test_bad_agreement_files(tmp_path: Path) -> None:
    bad = tmp_path / "x.toml"
    bad.write_text('name = "X"\nparties = ["KOR", "PRK"]\ncategories = []\n[status]\n')
    with pytest.raises(TrilinkError, match="parties"):
        load_agreement(bad)
    bad.write_text("name = ")
    with pytest.raises(TrilinkError, match="cannot read"):
        load_agreement(bad)
    (tmp_path / "x.toml").unlink()
    (tmp_path / "state.json").write_text("{not json")
    with pytest.raises(TrilinkError, match="bad agreement state"):
        AgreementBook(state_dir=tmp_path)


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = str(tmp_path)
    main(["agreements", "suspend", "gsomia", "--dir", d, "--by", "ops", "--reason", "r"])
    main(["agreements", "show", "GSOMIA", "--dir", d, "--json", "--audit"])
    out = capsys.readouterr().out
    data = json.loads(out[out.index("{") :])
    assert data["agreements"][0]["state"] == "suspended"
    assert data["audit"][0]["by"] == "ops"
    main(["agreements", "restore", "GSOMIA", "--dir", d])
    main(["agreements", "show", "--dir", d])
    assert "GSOMIA   in_force" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["agreements", "suspend", "NOPE", "--dir", d])
    assert "unknown agreement" in capsys.readouterr().err
