"""The CLI's last line of defence: no traceback reaches the operator, whatever fails."""

from __future__ import annotations

import pytest

from trilink.cli import main
from trilink.geo.areas import AreaIndex


def _boom(*_args: object, **_kw: object) -> AreaIndex:
    raise RuntimeError("boom\nsecond line")


def _disk(*_args: object, **_kw: object) -> AreaIndex:
    raise PermissionError(13, "Permission denied", "/data/areas.gpkg")


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        (_boom, "internal error (RuntimeError: boom second line); rerun with TRILINK_DEBUG=1"),
        (_disk, "[Errno 13] Permission denied: '/data/areas.gpkg'"),
    ],
)
def test_a_fault_inside_a_command_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fault: object, said: str
) -> None:
    monkeypatch.delenv("TRILINK_DEBUG", raising=False)
    monkeypatch.setattr(AreaIndex, "default", fault)
    with pytest.raises(SystemExit) as exc:
        main(["areas", "at", "40", "130", "--json"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("trilink: error: ") and said in err[0], err


def test_with_trilink_debug_the_traceback_is_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRILINK_DEBUG", "1")
    monkeypatch.setattr(AreaIndex, "default", _boom)
    with pytest.raises(RuntimeError, match="boom"):
        main(["areas", "at", "40", "130", "--json"])
