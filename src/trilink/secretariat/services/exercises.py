"""Exercises and their after-action figures."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from trilink.secretariat.errors import ValidationError
from trilink.secretariat.models import Exercise
from trilink.secretariat.services.base import ServiceBase, snapshot
from trilink.secretariat.validate import (
    MAX_BODY,
    check_choice,
    check_key,
    check_text,
    i18n_field,
    nations,
    parse_date,
)

__all__ = ["DOMAINS", "EXERCISE_STATUSES", "ExerciseServices"]

DOMAINS = ("air_missile_defence", "maritime", "cyber", "space")
EXERCISE_STATUSES = ("planned", "conducted", "cancelled")


class ExerciseServices(ServiceBase):
    """Exercises."""

    def create_exercise(
        self,
        key: str,
        name: Any,
        *,
        starts_on: Any,
        ends_on: Any,
        participants: Any = "all",
        domains: Iterable[str] | str = (),
        description: Any = None,
        scenario: str | None = None,
        status: str = "planned",
        visible_to: Any = "all",
    ) -> Exercise:
        """Add an exercise."""
        self._staff()
        start = parse_date("starts_on", starts_on)
        end = parse_date("ends_on", ends_on)
        if end < start:
            raise ValidationError("ends_on: before starts_on")
        doms = _domains(domains)
        ex = Exercise(
            key=check_key("key", key),
            name=i18n_field("name", name),
            description=i18n_field("description", description, limit=MAX_BODY, required=False),
            starts_on=start,
            ends_on=end,
            participants=",".join(nations("participants", participants)),
            domains=doms,
            scenario=check_text("scenario", scenario, limit=200) if scenario else None,
            status=check_choice("status", status, EXERCISE_STATUSES),
            created_at=self.now(),
        )
        return self._add_shared(ex, visible_to, "exercise")

    def update_exercise(
        self,
        ex_id: int,
        *,
        name: Any = None,
        description: Any = None,
        starts_on: Any = None,
        ends_on: Any = None,
        participants: Any = None,
        domains: Iterable[str] | str | None = None,
        scenario: str | None = None,
        status: str | None = None,
        visible_to: Any = None,
    ) -> Exercise:
        """Change an exercise (``None``: unchanged; ``scenario=""`` clears it). Sharing can
        only be widened."""
        ex, before = self._edit(Exercise, ex_id)
        start = parse_date("starts_on", starts_on) if starts_on is not None else ex.starts_on
        end = parse_date("ends_on", ends_on) if ends_on is not None else ex.ends_on
        if end < start:
            raise ValidationError("ends_on: before starts_on")
        ex.starts_on, ex.ends_on = start, end
        if name is not None:
            ex.name = i18n_field("name", name)
        if description is not None:
            ex.description = i18n_field("description", description, limit=MAX_BODY, required=False)
        if participants is not None:
            ex.participants = ",".join(nations("participants", participants))
        if domains is not None:
            ex.domains = _domains(domains)
        if scenario is not None:
            ex.scenario = check_text("scenario", scenario, limit=200) if scenario else None
        if status is not None:
            ex.status = check_choice("status", status, EXERCISE_STATUSES)
        return self._updated(ex, before, visible_to)

    def list_exercises(self) -> list[Exercise]:
        """Visible exercises."""
        return self._list(Exercise, Exercise.starts_on)

    def exercise(self, ex_id: int) -> Exercise:
        """One visible exercise."""
        return self._get(Exercise, ex_id)

    def exercise_by_key(self, key: str) -> Exercise:
        """One visible exercise by key."""
        return self._by_key(Exercise, key)

    def attach_run(self, ex_id: int, report: Any) -> Exercise:
        """Attach the after-action figures of a scenario run (a JSON object)."""
        self._staff()
        ex = self._get(Exercise, ex_id)
        figures = _figures(report)
        before = snapshot(ex)
        ex.after_action = figures
        ex.status = "conducted"
        self.record_audit("attach_run", ex, before, ex.visible_to)
        return ex


def _domains(value: Iterable[str] | str) -> str:
    """Checked domains (a list, or comma-separated), stored comma-separated in canonical order."""
    doms = [d for d in value.split(",") if d] if isinstance(value, str) else list(value)
    for d in doms:
        check_choice("domains", d, DOMAINS)
    return ",".join(d for d in DOMAINS if d in doms)


def _figures(report: Any) -> dict[str, Any]:
    """After-action figures: a JSON object of numbers, text, lists and nested objects."""
    if not isinstance(report, dict):
        raise ValidationError("after-action report: expected a JSON object")

    def walk(value: Any, depth: int) -> Any:
        if depth > 6:
            raise ValidationError("after-action report: nested too deeply")
        if isinstance(value, bool) or value is None or isinstance(value, int | float):
            if isinstance(value, float) and value != value:
                raise ValidationError("after-action report: NaN is not a figure")
            return value
        if isinstance(value, str):
            return check_text("after-action text", value, limit=2000, required=False)
        if isinstance(value, list):
            return [walk(v, depth + 1) for v in value[:1000]]
        if isinstance(value, dict):
            return {
                check_text("after-action key", str(k), limit=100): walk(v, depth + 1)
                for k, v in value.items()
            }
        raise ValidationError(f"after-action report: unsupported value {type(value).__name__}")

    out = walk(report, 0)
    assert isinstance(out, dict)
    return out
