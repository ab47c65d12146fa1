"""Exercises and their after-action figures: API (the pages are in :mod:`.pages_records`)."""

from typing import Any

from fastapi import APIRouter

from trilink.secretariat.web.deps import API, API_ERRORS, ApiWrite, Svc
from trilink.secretariat.web.schemas.exercises import ExerciseIn, ExerciseOut, ExercisePatch

__all__ = ["router"]

router = APIRouter(tags=["exercises"], responses=API_ERRORS)


@router.get(f"{API}/exercises")
def api_exercises(svc: Svc, lang: str = "en") -> list[ExerciseOut]:
    return [ExerciseOut.of(e, lang) for e in svc.list_exercises()]


@router.post(f"{API}/exercises", status_code=201, dependencies=[ApiWrite])
def api_exercise_create(body: ExerciseIn, svc: Svc) -> ExerciseOut:
    return ExerciseOut.of(svc.create_exercise(**body.model_dump()), "en")


@router.post(f"{API}/exercises/{{e_id}}/run", dependencies=[ApiWrite])
def api_exercise_run(body: dict[str, Any], svc: Svc, e_id: int) -> ExerciseOut:
    """Attach a scenario run's after-action figures (a JSON object)."""
    return ExerciseOut.of(svc.attach_run(e_id, body), "en")


@router.patch(f"{API}/exercises/{{e_id}}", dependencies=[ApiWrite])
def api_exercise_update(body: ExercisePatch, svc: Svc, e_id: int) -> ExerciseOut:
    """Change an exercise; sharing can only be widened."""
    return ExerciseOut.of(svc.update_exercise(e_id, **body.model_dump(exclude_none=True)), "en")
