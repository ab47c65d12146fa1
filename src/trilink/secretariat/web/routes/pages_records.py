"""Pages: exercises (scenario library, after-action run) and documents (versions, uploads)."""

from fastapi import APIRouter

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
