"""Property-based requests from the app's own OpenAPI document (schemathesis).

Every operation, logged in as an administrator with the CSRF token: no answer is a server
error, and every answer that claims success matches the schema the document promises.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import response_schema_conformance

from trilink.web.app import create_app
from trilink.web.fake import FakeNodeView

from .conftest import Served, login, start_server

__all__: list[str] = []

# The document only: the app answering the requests is a real server (fixture below).
schema = schemathesis.openapi.from_dict(create_app(FakeNodeView(), []).openapi()).exclude(
    # An endless stream, and the end of the very session the checks run under.
    path_regex=r"^/(api/v1/stream|logout)$"
)


@pytest.fixture(scope="module")
def admin() -> Iterator[tuple[Served, dict[str, str]]]:
    served, stop = start_server()
    with httpx.Client(base_url=served.url) as c:
        csrf = login(c, "admin")
        headers = {
            "x-csrf-token": csrf,
            "cookie": "; ".join(f"{k}={v}" for k, v in c.cookies.items()),
        }
    yield served, headers
    stop()


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_operation_fails_or_breaks_its_schema(
    case: schemathesis.Case, admin: tuple[Served, dict[str, str]]
) -> None:
    served, headers = admin
    response = case.call(base_url=served.url, headers=headers)
    assert response.status_code < 500, (case.method, case.path, response.status_code)
    if response.status_code < 300 and "json" in response.headers.get("content-type", [""])[0]:
        case.validate_response(response, checks=[response_schema_conformance])
