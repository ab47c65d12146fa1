"""trilink.tracking: multi-sensor ballistic tracker (IMM-EKF, gating, global assignment, M-of-N
initiation), plot reader and track-to-track fusion."""

from trilink.tracking.fusion import FusedTracks, covariance_intersection, fuse_tracks, nees
from trilink.tracking.plots import PlotBatch, PlotIssue, check_plots, read_plots
from trilink.tracking.tracker import Tracker, TrackerConfig, TrackHistory, TrackSet

__all__ = [
    "FusedTracks",
    "PlotBatch",
    "PlotIssue",
    "TrackHistory",
    "TrackSet",
    "Tracker",
    "TrackerConfig",
    "check_plots",
    "covariance_intersection",
    "fuse_tracks",
    "nees",
    "read_plots",
]
