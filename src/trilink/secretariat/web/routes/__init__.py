"""One router per domain; :data:`ROUTERS` is what the app includes."""

from fastapi import APIRouter

from trilink.secretariat.web.routes import (
    audit,
    auth,
    calendar,
    commitments,
    dashboard,
    documents,
    exercises,
    meetings,
    minutes,
    outcomes,
    workstreams,
)

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = tuple(
    module.router
    for module in (
        auth,
        dashboard,
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
