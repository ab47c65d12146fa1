"""Web pages (server-rendered, Jinja2 with autoescape) and the REST API (FastAPI, OpenAPI)."""
