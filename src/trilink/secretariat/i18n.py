"""Content in English, Korean and Japanese, per field, with a fallback order; UI strings from the
package's message catalogue (``messages.toml``).

A translatable field is a mapping ``{"en": ..., "ko": ..., "ja": ...}``; any subset may be
present. Reading picks the requested language, then the fallback order (English first, because it
is the cooperation's working language, then Korean, then Japanese) and reports which language was
used so the UI can mark untranslated text.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib import resources

__all__ = ["FALLBACK", "LANGS", "UI", "VALUES", "catalogue", "label", "pick", "pick_with_lang", "t"]

LANGS: tuple[str, ...] = ("en", "ko", "ja")
FALLBACK: tuple[str, ...] = ("en", "ko", "ja")


def pick_with_lang(text: Mapping[str, str] | None, lang: str) -> tuple[str, str]:
    """The text in ``lang`` or its first fallback, and the language actually used."""
    if not text:
        return "", lang
    for code in (lang, *FALLBACK):
        value = text.get(code)
        if value:
            return value, code
    return "", lang


def pick(text: Mapping[str, str] | None, lang: str) -> str:
    """The text in ``lang`` or its first fallback."""
    return pick_with_lang(text, lang)[0]


Table = dict[str, dict[str, str]]


def catalogue(text: str) -> tuple[Table, Table]:
    """The ``[ui]`` and ``[values]`` tables of a message catalogue, checked: every key in every
    language."""
    cat: dict[str, Table] = tomllib.loads(text)
    for table in ("ui", "values"):
        for key, entry in cat[table].items():
            missing = [lang for lang in LANGS if not entry.get(lang)]
            if missing:
                raise ValueError(f"{table}.{key} lacks {missing}")
    return cat["ui"], cat["values"]


#: UI strings and the labels of coded values (statuses, kinds, domains, views; codes stay English
#: in data and API), read once from the package's message catalogue.
UI, VALUES = catalogue(
    resources.files("trilink.secretariat").joinpath("messages.toml").read_text("utf-8")
)


def t(key: str, lang: str) -> str:
    """A UI string in ``lang`` (falls back like content; unknown keys show the key)."""
    entry = UI.get(key)
    if entry is None:
        return key
    return pick(entry, lang) or key


def label(value: str, lang: str) -> str:
    """The label of a coded value in ``lang`` (unknown codes are shown as they are)."""
    entry = VALUES.get(value)
    return pick(entry, lang) if entry else value
