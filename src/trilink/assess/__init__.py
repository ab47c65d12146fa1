"""trilink.assess: launch point and time, burnout, apogee, class, impact point with a calibrated
95 % ellipse and impact time, predicted ground track."""

from trilink.assess.assessor import AssessConfig, Assessment, assess, classify_range
from trilink.assess.impact import ImpactPrediction, predict_impact, trajectory_impact
from trilink.assess.launch import LaunchEstimate, estimate_launch

__all__ = [
    "AssessConfig",
    "Assessment",
    "ImpactPrediction",
    "LaunchEstimate",
    "assess",
    "classify_range",
    "estimate_launch",
    "predict_impact",
    "trajectory_impact",
]
