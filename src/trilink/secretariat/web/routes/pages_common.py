"""Helpers shared by the page modules: posted forms, form text in three languages, the pages of
a menu section or of one record, redirects, filters."""

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData
from starlette.datastructures import UploadFile as FormFile

from trilink.secretariat.i18n import LANGS, pick, t
from trilink.secretariat.services import Secretariat
from trilink.secretariat.web.deps import check_csrf
from trilink.secretariat.web.notices import followed
from trilink.secretariat.web.render import deadline_input, int_field, nation_list, render

__all__ = [
    "PageForm",
    "back",
    "i18n_form",
    "matches",
    "object_page",
    "page",
    "posted",
    "safe_next",
    "section_page",
    "text_of",
]


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


def page(request: Request, svc: Secretariat, name: str, **ctx: Any) -> HTMLResponse:
    """Render the page template ``name`` for the acting user (progress rolled up by ``svc``)."""
    return render(request, name, svc.user, svc=svc, **ctx)


def section_page(request: Request, svc: Secretariat, name: str, **ctx: Any) -> HTMLResponse:
    """A page of the menu: the template ``<name>.html``, titled with the UI text ``name``."""
    return page(request, svc, f"{name}.html", title=t(name, svc.user.lang), **ctx)


def object_page(
    request: Request,
    svc: Secretariat,
    kind: str,
    obj_id: int,
    title: Mapping[str, str],
    *,
    history: bool = False,
    **ctx: Any,
) -> HTMLResponse:
    """The page of the record ``kind`` ``obj_id``, which the reader may follow: the template
    ``<kind>.html``, titled with ``title`` in the reader's language; ``history`` adds the record's
    audit entries."""
    if history:
        ctx["entries"] = svc.audit(object_type=kind, object_id=obj_id)
    following = (kind, obj_id) in followed(request)
    return page(
        request, svc, f"{kind}.html", following=following, title=pick(title, svc.user.lang), **ctx
    )


def back(path: str) -> RedirectResponse:
    """See-other redirect after a form write."""
    return RedirectResponse(path, status_code=303)


class PageForm:
    """A posted page form whose CSRF token was checked: its fields as the services take them."""

    def __init__(self, form: FormData, lang: str) -> None:
        self.form = form
        self.lang = lang  # the language of a single-language text field

    def __contains__(self, name: str) -> bool:
        return name in self.form

    def text(self, name: str, default: str = "") -> str:
        return str(self.form.get(name, default))

    def texts(self, *names: str) -> dict[str, str]:
        """The named text fields, as keyword arguments for a service call."""
        return {name: self.text(name) for name in names}

    def values(self, name: str) -> list[str]:
        """Every value of a repeated field (checkboxes, multiple selects)."""
        return [str(v) for v in self.form.getlist(name)]

    def i18n(self, name: str) -> dict[str, str]:
        return i18n_form(self.form, name, self.lang)

    def nations(self, name: str) -> str:
        """Checked nations as ``"KOR,USA"`` (empty if none)."""
        return nation_list(self.values(name))

    def ref(self, name: str) -> int | None:
        """The id chosen in a select whose empty choice means none."""
        value = self.text(name)
        return int(value) if value.isdigit() else None

    def integer(self, name: str, default: str = "") -> int:
        return int_field(name, self.text(name, default))

    def instant(self, name: str) -> str | None:
        """A deadline or due time: local wall time ``<name>_local`` in zone ``<name>_tz``, else
        the text typed into ``<name>``."""
        return deadline_input(self.text(name), self.text(f"{name}_local"), self.text(f"{name}_tz"))

    def upload(self, name: str) -> FormFile | None:
        """The file chosen in a file field (None if none was)."""
        value = self.form.get(name)
        return value if isinstance(value, FormFile) and value.filename else None


async def posted(request: Request, svc: Secretariat) -> PageForm:
    """The request's form, refused unless it carries the session's CSRF token."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    return PageForm(form, svc.user.lang)
