"""Alert texts in English, Korean and Japanese from one catalogue (``messages.toml``).

:func:`render` fills the stage's message with times in the reader's time zone and area names in
the reader's language; an alert whose status is not ``actual`` is marked ([EXERCISE], 【訓練】,
[훈련]; [TEST], 【テスト】, [시험]) at the head of both headline and description, so no excerpt of
it can read as real.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from trilink.warning.areas import AreaLookup
from trilink.warning.model import LANGUAGES, STAGES, Alert, AlertText, Language

__all__ = ["MESSAGE_IDS", "catalogue", "message_id", "render"]

#: every message of the catalogue: the stages, with ``update_none`` (nothing warned any more)
#: and ``impact`` split by where the fall was
MESSAGE_IDS: tuple[str, ...] = (
    "launch",
    "shelter",
    "update",
    "update_none",
    "passed",
    "impact_own",
    "impact_outside",
    "all_clear",
    "cancel",
)
_PARTS = ("headline", "description", "instruction")


class _Strict(dict[str, str]):
    """Format mapping that fails loudly on a placeholder the renderer did not provide."""

    def __missing__(self, key: str) -> str:
        raise KeyError(f"message placeholder {{{key}}} has no value")


@cache
def catalogue() -> dict[str, Any]:
    """The parsed catalogue, checked: every message and name in every language."""
    text = resources.files("trilink.warning").joinpath("messages.toml").read_text("utf-8")
    cat = tomllib.loads(text)
    for mid in MESSAGE_IDS:
        for part in _PARTS:
            entry = cat["msg"][mid][part]
            missing = [lang for lang in LANGUAGES if not entry.get(lang)]
            if missing:
                raise ValueError(f"message {mid}.{part} lacks {missing}")
    for table in ("marks", "nation", "issuer", "where"):
        for key, entry in cat[table].items():
            if any(not entry.get(lang) for lang in LANGUAGES):
                raise ValueError(f"{table}.{key} lacks a language")
    return cat


def message_id(alert: Alert) -> str:
    """The catalogue message an alert is rendered with."""
    if alert.stage == "update" and not alert.areas:
        return "update_none"
    if alert.stage == "impact":
        ip = alert.impact
        own = ip is not None and ip.nation == alert.nation and ip.zone != "high_seas"
        return "impact_own" if own else "impact_outside"
    return alert.stage


def _time(ns: int | None, lang: Language, tz: ZoneInfo, cat: dict[str, Any]) -> str:
    if ns is None:
        return str(cat["format"]["unknown_time"][lang])
    t = dt.datetime.fromtimestamp(ns / 1e9, tz=dt.UTC).astimezone(tz)
    return t.strftime(cat["format"]["time"][lang])


def _area_name(areas: AreaLookup, code: str, lang: Language) -> str:
    try:
        a = areas.area(code)
    except KeyError:
        return code  # an area the index does not name is still warned by its code
    return str(getattr(a, f"name_{lang}"))


def _nation(cat: dict[str, Any], code: str | None, lang: Language) -> str:
    entry = cat["nation"].get(code or "unknown") or cat["nation"]["unknown"]
    return str(entry[lang])


def render(alert: Alert, language: Language, tz: str, areas: AreaLookup) -> AlertText:
    """The alert in ``language`` with times in time zone ``tz`` (e.g. ``Asia/Tokyo``)."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {LANGUAGES}")
    assert alert.stage in STAGES
    cat = catalogue()
    zone = ZoneInfo(tz)
    mid = message_id(alert)
    own = _nation(cat, alert.nation, language)
    names = [_area_name(areas, a.code, language) for a in alert.areas]
    arrivals = [a.arrival_ns for a in alert.areas if a.arrival_ns is not None]
    origin: str | None = None
    if alert.launch_lat_deg is not None and alert.launch_lon_deg is not None:
        _, nation, _ = areas.locate_many(
            np.array([alert.launch_lat_deg]), np.array([alert.launch_lon_deg])
        )
        origin = str(nation[0]) or None
    # the time a stage is about: the launch for a launch notice or warning, the fall for an
    # impact, else when the message is issued
    when: int | None = alert.issued_ns
    if alert.stage in ("launch", "shelter"):
        when = alert.launch_time_ns
    elif alert.stage == "impact" and alert.impact is not None and alert.impact.time_ns:
        when = alert.impact.time_ns
    where = ""
    if alert.impact is not None and mid == "impact_own":
        ip = alert.impact
        area = _area_name(areas, ip.area, language) if ip.area else own
        where = str(cat["where"][ip.zone][language]).format_map(_Strict(area=area, own=own))
    fmt = cat["format"]
    launched = (
        str(fmt["launched_unknown"][language])
        if alert.launch_time_ns is None
        else str(fmt["launched"][language]).format(
            time=_time(alert.launch_time_ns, language, zone, cat)
        )
    )
    values = _Strict(
        time=_time(when, language, zone, cat),
        launched=launched,
        origin=_nation(cat, origin, language),
        areas=str(cat["format"]["list_sep"][language]).join(names),
        arrival=_time(min(arrivals) if arrivals else None, language, zone, cat),
        own=own,
        issuer=str(cat["issuer"].get(alert.nation, {}).get(language, alert.nation)),
        where=where,
    )
    msg = cat["msg"][mid]
    head = str(msg["headline"][language]).format_map(values)
    desc = str(msg["description"][language]).format_map(values)
    instr = str(msg["instruction"][language]).format_map(values)
    if alert.status != "actual":
        mark = str(cat["marks"][alert.status][language])
        head, desc = f"{mark} {head}", f"{mark} {desc}"
    return AlertText(language=language, headline=head, description=desc, instruction=instr)
