"""Agreements as data: parties, categories, relay rules and state, loaded from TOML.

The base text of each agreement is a TOML file (packaged ones: TISA, GSOMIA). Its *state* changes
with politics at run time: ``suspend``/``restore``/``terminate`` write a small JSON state file next
to an append-only JSON Lines audit log, and every :class:`AgreementBook` watching the same
directory picks the change up on its next :meth:`AgreementBook.refresh` (no restart).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from trilink import NATIONS, TrilinkError
from trilink.wire.messages import CATEGORY, CLASSIFICATIONS

__all__ = [
    "STATES",
    "Agreement",
    "AgreementBook",
    "AgreementStateRecord",
    "load_agreement",
    "packaged_agreements",
]

State = Literal["in_force", "suspended", "terminated"]
STATES: tuple[str, ...] = ("in_force", "suspended", "terminated")
STATE_FILE = "state.json"
AUDIT_FILE = "audit.jsonl"


def _date_ns(value: Any, where: str) -> int:
    if isinstance(value, dt.datetime):
        d = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    elif isinstance(value, dt.date):
        d = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    else:
        raise TrilinkError(f"{where}: expected a TOML date, got {value!r}")
    return int(d.timestamp()) * 1_000_000_000


@dataclass(frozen=True)
class AgreementStateRecord:
    """An agreement's state from a given instant, and who changed it why."""

    state: State
    since_ns: int
    by: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Agreement:
    """One agreement's text as data."""

    name: str
    title: str
    parties: frozenset[str]
    direct: frozenset[frozenset[str]]
    categories: frozenset[str]
    max_classification: str
    relay_allowed: bool
    hub: str | None
    consent: str
    base_state: AgreementStateRecord
    source: str = ""

    def allows_direct(self, a: str, b: str) -> bool:
        return frozenset((a, b)) in self.direct

    def covers(self, kind: str, classification: str) -> bool:
        return CATEGORY.get(kind, kind) in self.categories and CLASSIFICATIONS.index(
            classification
        ) <= CLASSIFICATIONS.index(self.max_classification)


def load_agreement(path: Path) -> Agreement:
    """Parse and validate one agreement TOML file."""
    where = str(path)
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TrilinkError(f"{where}: cannot read agreement: {exc}") from None
    return _parse(raw, where)


def _parse(raw: dict[str, Any], where: str) -> Agreement:
    def need(key: str, table: dict[str, Any] = raw) -> Any:
        if key not in table:
            raise TrilinkError(f"{where}: missing {key!r}")
        return table[key]

    name = str(need("name"))
    parties = frozenset(str(p) for p in need("parties"))
    if not parties <= set(NATIONS) or len(parties) < 2:
        raise TrilinkError(f"{where}: parties must be two or more of {NATIONS}")
    direct_pairs = []
    for pair in raw.get("direct", []):
        pset = frozenset(str(p) for p in pair)
        if len(pset) != 2 or not pset <= parties:
            raise TrilinkError(f"{where}: direct pair {pair!r} must be two distinct parties")
        direct_pairs.append(pset)
    categories = frozenset(str(c) for c in need("categories"))
    known = set(CATEGORY.values())
    if not categories <= known:
        raise TrilinkError(f"{where}: unknown categories {sorted(categories - known)}")
    max_cls = str(raw.get("max_classification", "UNCLASSIFIED"))
    if max_cls not in CLASSIFICATIONS:
        raise TrilinkError(f"{where}: unknown classification {max_cls!r}")
    relay = raw.get("relay", {})
    relay_allowed = bool(relay.get("allowed", False))
    hub = relay.get("hub")
    consent = str(relay.get("consent", "originator_rel_to"))
    if relay_allowed and (hub not in parties):
        raise TrilinkError(f"{where}: relay hub must be a party")
    if consent != "originator_rel_to":
        raise TrilinkError(f"{where}: unsupported relay consent {consent!r}")
    status = need("status")
    state = str(need("state", status))
    if state not in STATES:
        raise TrilinkError(f"{where}: unknown state {state!r}")
    return Agreement(
        name=name,
        title=str(raw.get("title", name)),
        parties=parties,
        direct=frozenset(direct_pairs),
        categories=categories,
        max_classification=max_cls,
        relay_allowed=relay_allowed,
        hub=str(hub) if relay_allowed else None,
        consent=consent,
        base_state=AgreementStateRecord(state, _date_ns(need("since", status), where)),  # type: ignore[arg-type]
        source=str(raw.get("source", "")),
    )


def packaged_agreements() -> list[Agreement]:
    """The agreements shipped with trilink (TISA, GSOMIA)."""
    base = resources.files("trilink.fabric") / "data" / "agreements"
    out = []
    for entry in sorted(base.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            out.append(_parse(tomllib.loads(entry.read_text(encoding="utf-8")), entry.name))
    return out


def _wall_ns() -> int:
    return int(dt.datetime.now(dt.UTC).timestamp() * 1e9)


@dataclass
class AgreementBook:
    """The agreements a node or operator sees, with run-time state kept in ``state_dir``.

    ``state_dir`` may be ``None`` for a read-only, in-memory book (tests, property checks).
    Agreement TOML files found in ``state_dir`` replace packaged ones of the same name.
    """

    state_dir: Path | None = None
    clock: Callable[[], int] = _wall_ns
    agreements: dict[str, Agreement] = field(default_factory=dict)
    overrides: dict[str, AgreementStateRecord] = field(default_factory=dict)
    #: The state each agreement had before its current one (as this book saw it change), so
    #: that a message created while an agreement was in force is still judged under it.
    previous: dict[str, AgreementStateRecord] = field(default_factory=dict)
    _stamp: tuple[int, int] | None = None
    version: int = 0

    def __post_init__(self) -> None:
        if not self.agreements:
            for agreement in packaged_agreements():
                self.agreements[agreement.name] = agreement
            if self.state_dir is not None and self.state_dir.is_dir():
                for path in sorted(self.state_dir.glob("*.toml")):
                    agreement = load_agreement(path)
                    self.agreements[agreement.name] = agreement
        self.refresh(force=True)

    # -- state ---------------------------------------------------------------------------------
    def _state_path(self) -> Path | None:
        return None if self.state_dir is None else self.state_dir / STATE_FILE

    def refresh(self, force: bool = False) -> bool:
        """Re-read the state file if it changed; True when the state changed."""
        path = self._state_path()
        if path is None:
            return False
        try:
            st = path.stat()
            stamp: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp == self._stamp and not force:
            return False
        self._stamp = stamp
        overrides: dict[str, AgreementStateRecord] = {}
        if stamp is not None:
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
                for name, rec in raw.items():
                    if rec["state"] not in STATES:
                        raise ValueError(f"unknown state {rec['state']!r}")
                    overrides[name] = AgreementStateRecord(
                        rec["state"], int(rec["since_ns"]), rec.get("by", ""), rec.get("reason", "")
                    )
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise TrilinkError(f"{path}: bad agreement state file: {exc}") from None
        changed = overrides != self.overrides
        for name, rec in overrides.items():
            base = self.agreements[name].base_state if name in self.agreements else None
            before = self.overrides.get(name, base)
            if before is not None and before != rec:
                self.previous[name] = before
        self.overrides = overrides
        if changed:
            self.version += 1
        return changed

    def get(self, name: str) -> Agreement:
        for key, agreement in self.agreements.items():
            if key.lower() == name.lower():
                return agreement
        raise TrilinkError(
            f"unknown agreement {name!r}; known: {', '.join(sorted(self.agreements))}"
        )

    def state(self, name: str) -> AgreementStateRecord:
        agreement = self.get(name)
        return self.overrides.get(agreement.name, agreement.base_state)

    def in_force(self, name: str, at_ns: int | None = None) -> bool:
        """Whether ``name`` is in force at ``at_ns`` (now by default).

        Before the current state began, the previous state this book saw answers: a message
        created just before a suspension is judged under the agreement in force then.
        """
        agreement = self.get(name)
        rec = self.state(name)
        at = self.clock() if at_ns is None else at_ns
        if rec.since_ns <= at:
            return rec.state == "in_force"
        prev = self.previous.get(agreement.name)
        return prev is not None and prev.state == "in_force" and prev.since_ns <= at

    def in_force_list(self, at_ns: int | None = None) -> list[Agreement]:
        return [a for a in self.agreements.values() if self.in_force(a.name, at_ns)]

    def set_state(
        self, name: str, state: str, by: str = "", reason: str = ""
    ) -> AgreementStateRecord:
        """Change an agreement's state now; written to the state file and the audit log."""
        if state not in STATES:
            raise TrilinkError(f"unknown state {state!r}")
        if self.state_dir is None:
            raise TrilinkError("this agreement book has no state directory")
        agreement = self.get(name)
        current = self.state(agreement.name)
        if current.state == "terminated" and state != "terminated":
            raise TrilinkError(f"{agreement.name} is terminated; it cannot be {state}")
        rec = AgreementStateRecord(state, self.clock(), by, reason)  # type: ignore[arg-type]
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.previous[agreement.name] = current
        self.overrides[agreement.name] = rec
        data = {
            n: {"state": r.state, "since_ns": r.since_ns, "by": r.by, "reason": r.reason}
            for n, r in sorted(self.overrides.items())
        }
        path = self.state_dir / STATE_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
        os.replace(tmp, path)  # atomic, so a node never reads half a file
        with (self.state_dir / AUDIT_FILE).open("a", encoding="utf-8") as fh:
            fh.write(
                json.dumps(
                    {
                        "at_ns": rec.since_ns,
                        "agreement": agreement.name,
                        "from": current.state,
                        "to": state,
                        "by": by,
                        "reason": reason,
                    }
                )
                + "\n"
            )
        self.refresh(force=True)
        return rec

    def audit_log(self) -> list[dict[str, Any]]:
        if self.state_dir is None or not (self.state_dir / AUDIT_FILE).exists():
            return []
        lines = (self.state_dir / AUDIT_FILE).read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def describe(self, names: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Plain data for ``trilink agreements show``."""
        rows = []
        wanted = [self.get(n).name for n in names] if names else sorted(self.agreements)
        for name in wanted:
            a = self.agreements[name]
            rec = self.state(name)
            rows.append(
                {
                    "name": a.name,
                    "title": a.title,
                    "parties": sorted(a.parties),
                    "direct": sorted(sorted(p) for p in a.direct),
                    "categories": sorted(a.categories),
                    "max_classification": a.max_classification,
                    "relay": {"allowed": a.relay_allowed, "hub": a.hub, "consent": a.consent}
                    if a.relay_allowed
                    else {"allowed": False},
                    "state": rec.state,
                    "since": dt.datetime.fromtimestamp(rec.since_ns / 1e9, dt.UTC).isoformat(),
                    "changed_by": rec.by,
                    "reason": rec.reason,
                    "in_force": self.in_force(name),
                }
            )
        return rows
