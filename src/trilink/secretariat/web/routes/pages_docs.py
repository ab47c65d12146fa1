"""The API docs page, served offline: Swagger UI from the locally installed ``swagger-ui-dist``.

FastAPI's default ``/docs`` loads Swagger UI from a CDN, which the app's script policy blocks and
which an offline network cannot reach. ``make`` installs ``swagger-ui-dist`` from npm into
``node_modules`` (the ``package.json`` stamp); :func:`mount_swagger` serves it under
``/static/swagger`` and ``/docs`` points Swagger UI at those same-origin files.
"""

import base64
import hashlib
import os
import re
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles

__all__ = ["SWAGGER_PREFIX", "mount_swagger", "router", "swagger_dir"]

router = APIRouter()

#: where the Swagger UI files are served
SWAGGER_PREFIX = "/static/swagger"


def swagger_dir() -> Path | None:
    """``node_modules/swagger-ui-dist``: ``$TRILINK_NODE_MODULES``, else the nearest parent of
    this package or of the working directory that has it."""
    env = os.environ.get("TRILINK_NODE_MODULES")
    starts = [Path(env)] if env else []
    here = Path(__file__).resolve()
    for base in [*here.parents, Path.cwd(), *Path.cwd().parents]:
        starts.append(base / "node_modules")
    for modules in starts:
        candidate = modules / "swagger-ui-dist"
        if (candidate / "swagger-ui-bundle.js").is_file():
            return candidate
    return None


def mount_swagger(app: FastAPI) -> None:
    """Serve the installed Swagger UI files (if installed) under :data:`SWAGGER_PREFIX`."""
    found = swagger_dir()
    app.state.swagger_ready = found is not None
    if found is not None:
        app.mount(SWAGGER_PREFIX, StaticFiles(directory=str(found)), name="swagger")


@router.get("/docs", include_in_schema=False)
def api_docs(request: Request) -> Response:
    if not getattr(request.app.state, "swagger_ready", False):
        return PlainTextResponse(
            "API docs: swagger-ui-dist is not installed; run `make install` (npm install) "
            "or read the schema at /api/openapi.json\n",
            status_code=503,
        )
    page = get_swagger_ui_html(
        openapi_url="/api/openapi.json",
        title="trilink secretariat API",
        swagger_js_url=f"{SWAGGER_PREFIX}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER_PREFIX}/swagger-ui.css",
        swagger_favicon_url=f"{SWAGGER_PREFIX}/favicon-32x32.png",
    )
    html = bytes(page.body).decode()
    # Allow exactly the one inline start-up script (by hash) besides same-origin files.
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    ]
    policy = (
        f"default-src 'self'; script-src 'self' {' '.join(hashes)}; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
        "frame-ancestors 'none'"
    )
    return HTMLResponse(html, headers={"Content-Security-Policy": policy})
