"""Shared helpers for scenario tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from trilink.scenarios.model import library_names, resolve_scenario

GOOD_NAME = "2017-08-29-hwasong12"


@pytest.fixture
def good_text() -> str:
    return resolve_scenario(GOOD_NAME)[1]


@pytest.fixture
def write_toml(tmp_path: Path):  # type: ignore[no-untyped-def]
    def write(text: str, name: str = "bad.toml") -> Path:
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        return p

    return write


ALL_NAMES = library_names()
