"""Missile flight: staged boost, coast and re-entry, a public missile catalogue, and fitting."""

from trilink.physics.catalogue import MISSILES, Missile, Stage, classify_range, get_missile
from trilink.physics.flight import FitResult, FlightPlan, fit_boost, plan_flight, select_missile
from trilink.physics.trajectory import Trajectory

__all__ = [
    "MISSILES",
    "FitResult",
    "FlightPlan",
    "Missile",
    "Stage",
    "Trajectory",
    "classify_range",
    "fit_boost",
    "get_missile",
    "plan_flight",
    "select_missile",
]
