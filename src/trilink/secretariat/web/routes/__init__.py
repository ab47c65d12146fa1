"""One router per domain; :data:`ROUTERS` is what the app includes."""

from fastapi import APIRouter

from trilink.secretariat.web.routes import (
    audit,
    auth,
    calendar,
    commitments,
    documents,
    exercises,
    meetings,
    minutes,
    outcomes,
    pages_core,
    pages_docs,
    pages_meetings,
    pages_records,
    workstreams,
)

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = tuple(
    module.router
    for module in (
        # the pages (HTML forms), then one API router per domain; no two share a route
        pages_docs,
        pages_core,
        pages_meetings,
        pages_records,
        auth,
        workstreams,
        commitments,
        meetings,
        minutes,
        outcomes,
        exercises,
        documents,
        audit,
        calendar,
    )
)
