"""A node's SQLite store: audit log, outbound event spool, seen ids, received events and tracks.

One file per node (WAL mode). The spool (``outbox``) is committed before an event is considered
queued, so events survive a node restart and the node's own server being unreachable. High-rate
rows (track audits, the state path's seen ids) are buffered and committed in batches by
:meth:`Store.flush`.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, fields
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from trilink.wire.messages import Envelope

__all__ = ["AuditRow", "QueuedEvent", "Store"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY,
  at_ns INTEGER NOT NULL,
  direction TEXT NOT NULL,  -- sent, received, refused_out, refused_in, duplicate, relayed
  msg_id TEXT, kind TEXT, origin TEXT, peer TEXT, route TEXT,
  reason TEXT, detail TEXT
);
CREATE INDEX IF NOT EXISTS audit_dir ON audit(direction);
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  dest TEXT NOT NULL, leg TEXT NOT NULL, subject TEXT NOT NULL, dedup_id TEXT NOT NULL,
  msg_id TEXT NOT NULL, kind TEXT NOT NULL, data BLOB NOT NULL, queued_ns INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_dest ON outbox(dest, seq);
CREATE TABLE IF NOT EXISTS seen (
  key TEXT PRIMARY KEY, at_ns INTEGER NOT NULL
);
-- Replay window of the state path (tracks, heartbeats, agreement states): message ids (and the
-- hub's "relay:<id>.<dest>") by the envelope's creation time; older than the freshness window
-- a message is refused as stale anyway, so rows past it are pruned.
CREATE TABLE IF NOT EXISTS seen_state (
  key TEXT PRIMARY KEY, created_ns INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS seen_state_created ON seen_state(created_ns);
CREATE TABLE IF NOT EXISTS events (
  msg_id TEXT PRIMARY KEY, origin TEXT NOT NULL, kind TEXT NOT NULL, launch_id TEXT,
  status TEXT NOT NULL, created_ns INTEGER NOT NULL, received_ns INTEGER NOT NULL,
  route TEXT NOT NULL, envelope BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS tracks (
  origin TEXT NOT NULL, track_id TEXT NOT NULL, time_ns INTEGER NOT NULL,
  received_ns INTEGER NOT NULL, envelope BLOB NOT NULL, PRIMARY KEY (origin, track_id)
);
CREATE TABLE IF NOT EXISTS own_tracks (
  track_id TEXT PRIMARY KEY, time_ns INTEGER NOT NULL, sensors TEXT NOT NULL
);
"""


class AuditFields(TypedDict, total=False):
    """An :class:`AuditRow`'s fields after its time and direction (typed keyword arguments)."""

    msg_id: str
    kind: str
    origin: str
    peer: str
    route: str
    reason: str
    detail: str


@dataclass(frozen=True, kw_only=True)
class AuditRow:
    """One audit log entry (keyword-only: nine string-like fields are easy to misplace)."""

    at_ns: int
    direction: str
    msg_id: str = ""
    kind: str = ""
    origin: str = ""
    peer: str = ""
    route: str = ""
    reason: str = ""
    detail: str = ""

    @classmethod
    def of(
        cls,
        env: Envelope,
        at_ns: int,
        direction: str,
        *,
        peer: str = "",
        route: str = "",
        reason: str = "",
        detail: str = "",
    ) -> AuditRow:
        """The entry about one message: its id, kind and origin from its envelope."""
        return cls(
            at_ns=at_ns,
            direction=direction,
            msg_id=env.msg_id,
            kind=env.kind,
            origin=env.origin,
            peer=peer,
            route=route,
            reason=reason,
            detail=detail,
        )


@dataclass(frozen=True)
class QueuedEvent:
    """An event waiting in the spool for one destination."""

    seq: int
    dest: str
    leg: str
    subject: str
    dedup_id: str
    msg_id: str
    kind: str
    data: bytes


#: Column names equal field names, in field order, so rows convert by name both ways.
_AUDIT_COLUMNS = tuple(f.name for f in fields(AuditRow))
_AUDIT_INSERT = (
    f"INSERT INTO audit({', '.join(_AUDIT_COLUMNS)}) VALUES ({','.join('?' * len(_AUDIT_COLUMNS))})"
)
_AUDIT_VALUES = attrgetter(*_AUDIT_COLUMNS[:-1])
assert _AUDIT_COLUMNS[-1] == "detail"
_QUEUED_COLUMNS = tuple(f.name for f in fields(QueuedEvent))


def _audit_values(row: AuditRow) -> tuple[Any, ...]:
    """The row's values in column order, the detail cut to what the log keeps."""
    return (*_AUDIT_VALUES(row), row.detail[:500])


class Store:
    """The node's SQLite database."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        # WAL checkpoints fsync; done by the writer they stall the node's event loop for tens of
        # milliseconds, so a background thread checkpoints on its own connection instead.
        self.db.execute("PRAGMA wal_autocheckpoint=0")
        self._stop = threading.Event()
        self._checkpointer = threading.Thread(
            target=self._checkpoint_loop, name=f"checkpoint:{self.path}", daemon=True
        )
        self._checkpointer.start()
        self._audit_buf: list[tuple[Any, ...]] = []
        self._track_buf: dict[tuple[str, str], tuple[Any, ...]] = {}
        self._own_buf: dict[str, tuple[Any, ...]] = {}
        #: State-path ids seen but not yet written (written with the next flush).
        self._seen_buf: dict[str, int] = {}

    def _checkpoint_loop(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            while not self._stop.wait(1.0):
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            conn.close()

    def close(self) -> None:
        self.flush()
        self._stop.set()
        self._checkpointer.join(5.0)
        self.db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes so that they all happen or none does (e.g. seen + saved + audited)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- audit ---------------------------------------------------------------------------------
    def audit_now(self, row: AuditRow) -> None:
        """Write one audit row immediately (inside the caller's transaction, if any)."""
        self.db.execute(_AUDIT_INSERT, _audit_values(row))

    def is_seen(self, key: str) -> bool:
        return self.db.execute("SELECT 1 FROM seen WHERE key = ?", (key,)).fetchone() is not None

    def audit(self, row: AuditRow, now: bool = False) -> None:
        self._audit_buf.append(_audit_values(row))
        if now:
            self.flush()

    def flush(self) -> None:
        """Commit buffered audit rows and track updates in one transaction."""
        if not (self._audit_buf or self._track_buf or self._own_buf or self._seen_buf):
            return
        seen, self._seen_buf = list(self._seen_buf.items()), {}
        audit, self._audit_buf = self._audit_buf, []
        tracks, self._track_buf = list(self._track_buf.values()), {}
        own, self._own_buf = list(self._own_buf.values()), {}
        with self.transaction():
            self.db.executemany(
                "INSERT OR IGNORE INTO seen_state(key, created_ns) VALUES (?, ?)", seen
            )
            self.db.executemany(_AUDIT_INSERT, audit)
            self.db.executemany(
                "INSERT INTO tracks(origin, track_id, time_ns, received_ns, envelope) "
                "VALUES (?,?,?,?,?) ON CONFLICT(origin, track_id) DO UPDATE SET "
                "time_ns=excluded.time_ns, received_ns=excluded.received_ns, "
                "envelope=excluded.envelope WHERE excluded.time_ns > tracks.time_ns",
                tracks,
            )
            self.db.executemany(
                "INSERT INTO own_tracks(track_id, time_ns, sensors) VALUES (?,?,?) "
                "ON CONFLICT(track_id) DO UPDATE SET time_ns=excluded.time_ns, "
                "sensors=excluded.sensors",
                own,
            )

    def audit_rows(self, direction: str | None = None) -> list[AuditRow]:
        self.flush()
        sql = f"SELECT {', '.join(_AUDIT_COLUMNS)} FROM audit"
        args: tuple[Any, ...] = ()
        if direction is not None:
            sql += " WHERE direction = ?"
            args = (direction,)
        return [
            AuditRow(**dict(zip(_AUDIT_COLUMNS, r, strict=True)))
            for r in self.db.execute(sql + " ORDER BY id", args)
        ]

    def audit_counts(self) -> dict[str, int]:
        self.flush()
        return dict(self.db.execute("SELECT direction, COUNT(*) FROM audit GROUP BY direction"))

    # -- spool ---------------------------------------------------------------------------------
    def enqueue(
        self,
        dest: str,
        leg: str,
        subject: str,
        dedup_id: str,
        msg_id: str,
        kind: str,
        data: bytes,
        now_ns: int,
    ) -> None:
        self.db.execute(
            "INSERT INTO outbox(dest, leg, subject, dedup_id, msg_id, kind, data, queued_ns) "
            "VALUES (?,?,?,?,?,?,?,?)",
            (dest, leg, subject, dedup_id, msg_id, kind, data, now_ns),
        )

    def head(self, dest: str) -> QueuedEvent | None:
        row = self.db.execute(
            f"SELECT {', '.join(_QUEUED_COLUMNS)} FROM outbox WHERE dest = ? ORDER BY seq LIMIT 1",
            (dest,),
        ).fetchone()
        return None if row is None else QueuedEvent(**dict(zip(_QUEUED_COLUMNS, row, strict=True)))

    def dequeue(self, seq: int) -> None:
        self.db.execute("DELETE FROM outbox WHERE seq = ?", (seq,))

    def spooled(self, dest: str | None = None) -> int:
        if dest is None:
            (n,) = self.db.execute("SELECT COUNT(*) FROM outbox").fetchone()
        else:
            (n,) = self.db.execute("SELECT COUNT(*) FROM outbox WHERE dest = ?", (dest,)).fetchone()
        return int(n)

    # -- received ------------------------------------------------------------------------------
    def mark_seen(self, key: str, now_ns: int) -> bool:
        """Record ``key``; False if it was already seen (a duplicate or a replay)."""
        cur = self.db.execute("INSERT OR IGNORE INTO seen(key, at_ns) VALUES (?, ?)", (key, now_ns))
        return cur.rowcount == 1

    def mark_state_seen(self, key: str, created_ns: int) -> bool:
        """Record a state-path ``key``; False if already seen, in this run or an earlier one.

        Written with the next :meth:`flush` (the node flushes every 0.2 s and on stop), so the
        hot path costs one indexed lookup and no commit.
        """
        if (
            key in self._seen_buf
            or self.db.execute("SELECT 1 FROM seen_state WHERE key = ?", (key,)).fetchone()
        ):
            return False
        self._seen_buf[key] = created_ns
        return True

    def prune_state_seen(self, before_ns: int) -> int:
        """Forget state-path ids created before ``before_ns``; how many were removed."""
        self.flush()
        cur = self.db.execute("DELETE FROM seen_state WHERE created_ns < ?", (before_ns,))
        return cur.rowcount

    def state_seen_count(self) -> int:
        self.flush()
        (n,) = self.db.execute("SELECT COUNT(*) FROM seen_state").fetchone()
        return int(n)

    def save_event(
        self,
        msg_id: str,
        origin: str,
        kind: str,
        launch_id: str | None,
        status: str,
        created_ns: int,
        received_ns: int,
        route: str,
        envelope: bytes,
    ) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO events(msg_id, origin, kind, launch_id, status, created_ns, "
            "received_ns, route, envelope) VALUES (?,?,?,?,?,?,?,?,?)",
            (msg_id, origin, kind, launch_id, status, created_ns, received_ns, route, envelope),
        )

    def events(self, origin: str | None = None) -> list[tuple[str, str, str, str | None, str]]:
        """``(msg_id, origin, kind, launch_id, route)`` in arrival order."""
        sql = "SELECT msg_id, origin, kind, launch_id, route FROM events"
        args: tuple[Any, ...] = ()
        if origin:
            sql += " WHERE origin = ?"
            args = (origin,)
        return list(self.db.execute(sql + " ORDER BY rowid", args))

    def event_envelopes(self) -> list[tuple[str, str, bytes]]:
        """``(origin, route, envelope bytes)`` of every received event, in arrival order."""
        return list(self.db.execute("SELECT origin, route, envelope FROM events ORDER BY rowid"))

    def save_track(
        self, origin: str, track_id: str, time_ns: int, received_ns: int, envelope: bytes
    ) -> None:
        key = (origin, track_id)
        old = self._track_buf.get(key)
        if old is None or time_ns > old[2]:
            self._track_buf[key] = (origin, track_id, time_ns, received_ns, envelope)

    def tracks(self) -> list[tuple[str, str, int]]:
        self.flush()
        return list(self.db.execute("SELECT origin, track_id, time_ns FROM tracks ORDER BY 1, 2"))

    def save_own_track(self, track_id: str, time_ns: int, sensors: str) -> None:
        """Own tracks keep their sensor identities; this table never leaves the node."""
        self._own_buf[track_id] = (track_id, time_ns, sensors)
