"""Pages: meeting series, meetings (agenda, outcomes, minutes with revisions, approval by each
nation, lock) and turning decisions into commitments."""

from fastapi import APIRouter

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
