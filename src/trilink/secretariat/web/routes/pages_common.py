"""Helpers shared by the page modules: form text in three languages, redirects, filters."""

from collections.abc import Mapping

from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from trilink.secretariat.i18n import LANGS

__all__ = ["back", "i18n_form", "matches", "safe_next", "text_of"]


def i18n_form(form: FormData, name: str, fallback_lang: str) -> dict[str, str]:
    """``name_en``/``name_ko``/``name_ja`` fields (or a single ``name`` field in the reader's
    language) as a translatable value; empty languages are left out."""
    out = {}
    for code in LANGS:
        value = form.get(f"{name}_{code}")
        if isinstance(value, str) and value.strip():
            out[code] = value.strip()
    single = form.get(name)
    if not out and isinstance(single, str) and single.strip():
        out[fallback_lang] = single.strip()
    return out


def text_of(value: Mapping[str, str] | None) -> str:
    """All languages of a field, for searching."""
    return " ".join((value or {}).values()).casefold()


def matches(q: str, *texts: str | Mapping[str, str] | None) -> bool:
    """Whether every word of the query occurs in one of the texts (case-insensitive)."""
    hay = " ".join(t.casefold() if isinstance(t, str) else text_of(t) for t in texts)
    return all(word in hay for word in q.casefold().split())


def safe_next(path: str, default: str = "/") -> str:
    """A same-site path to go back to (never ``//host`` or ``scheme:``)."""
    ok = path.startswith("/") and not path.startswith("//") and "\\" not in path
    return path if ok else default


def back(path: str) -> RedirectResponse:
    """See-other redirect after a form write."""
    return RedirectResponse(path, status_code=303)
