"""Shared by the web tests: an app with its users, logins through the API or the login form, a
real uvicorn server in a thread, and Debian's chromium for the browser tests."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from trilink.cli import main
from trilink.secretariat.db import Database
from trilink.secretariat.services import Secretariat, system_user
from trilink.secretariat.web.app import create_app
from web.conftest import CHROMIUM as CHROMIUM
from web.conftest import CHROMIUM_ARGS as WEB_CHROMIUM_ARGS
from web.conftest import needs_chromium as needs_chromium

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

PASSWORD = "correct horse"
NATIONS = ("KOR", "USA", "JPN")
#: The web tests' chromium flags, and two more that keep the secretariat's pages offline.
CHROMIUM_ARGS = [*WEB_CHROMIUM_ARGS, "--disable-quic", "--disable-sync"]

#: A user to create: (user name, nation, role) or (user name, nation, role, display name).
UserSpec = tuple[str, str, str] | tuple[str, str, str, str]


def per_nation(*roles: str) -> list[UserSpec]:
    """``kor_<role>``, ..., ``jpn_<role>``: each nation with each role (nation by nation)."""
    return [(f"{n.lower()}_{role}", n, role) for n in NATIONS for role in roles]


@contextmanager
def app_with_users(
    db_url: str, clock: Any, users: Iterable[UserSpec]
) -> Iterator[tuple[FastAPI, Database]]:
    """The app on a fresh database with ``users`` (password :data:`PASSWORD`), and a handle on
    that database (disposed of on leaving)."""
    app = create_app(db_url, clock=clock)
    db = Database(db_url)
    try:
        with db.session() as s:
            root = Secretariat(s, system_user(), clock)
            for name, nation, role, *display in users:
                root.create_user(name, nation, role, PASSWORD, display_name="".join(display))
        yield app, db
    finally:
        db.dispose()


def api_login(
    app: Any, username: str, password: str = PASSWORD
) -> tuple[TestClient, dict[str, str]]:
    """A client logged in through the API, and the CSRF header its writes send."""
    client = TestClient(app)
    r = client.post("/api/v1/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return client, {"X-CSRF-Token": r.json()["csrf"]}


def api_create(client: TestClient, headers: dict[str, str], path: str, /, **fields: Any) -> Any:
    """POST ``fields`` as JSON to the API's ``path`` with the CSRF ``headers``: the answer's JSON
    (its status is not checked)."""
    return client.post(path, json=fields, headers=headers).json()


def api_meeting(
    client: TestClient, headers: dict[str, str], title: Any, start: str, tz: str, **more: Any
) -> Any:
    """A meeting made through the API (:func:`api_create`), starting at ``start`` in ``tz``."""
    return api_create(client, headers, "/api/v1/meetings", title=title, start=start, tz=tz, **more)


def page_login(app: Any, username: str) -> tuple[TestClient, str]:
    """A browser-like client logged in through the login form, and its CSRF token."""
    client = TestClient(app)
    r = client.post("/login", data={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    match = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/settings").text)
    assert match
    return client, match.group(1)


def page_meeting(
    client: TestClient, csrf: str, title: str, start: str, vis: list[str], tz: str = "Asia/Seoul"
) -> httpx.Response:
    """A meeting made through the meetings page's form (English title, start in ``tz``, shared
    with the nations ``vis``): the answer, which shows the new meeting's page."""
    form = {"csrf": csrf, "title_en": title, "start": start, "tz": tz, "vis": vis}
    return client.post("/meetings", data=form)


@contextmanager
def serve(app: Any, **config: Any) -> Iterator[str]:
    """``app`` on a real uvicorn server on a free loopback port (``config``: more uvicorn
    settings, such as ``ssl_certfile``); yields its base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **config)
    srv = uvicorn.Server(settings)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    try:
        while not srv.started:
            assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        scheme = "https" if "ssl_certfile" in config else "http"
        yield f"{scheme}://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


def fill_form(page: Page, form: str, **fields: str) -> Locator:
    """Fill the fields (by name) of the form with the CSS selector ``form``: a select's option is
    chosen, any other field typed into. The form, to go on with."""
    located = page.locator(form)
    for name, value in fields.items():
        field = located.locator(f"[name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    return located


def submit(page: Page, form: str, **fields: str) -> None:
    """Fill the form's fields (:func:`fill_form`) and press its submit button."""
    fill_form(page, form, **fields).locator("button[type=submit]").click()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """``trilink secretariat *args``: what it printed."""
    main(["secretariat", *args])
    return capsys.readouterr().out


def fail(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """``trilink secretariat *args``, which must fail with exit code 2 and a one-line error."""
    with pytest.raises(SystemExit) as exc:
        main(["secretariat", *args])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("trilink: error: ") and err.count("\n") == 1, err
    return err
