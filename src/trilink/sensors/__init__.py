"""Simulated sensors: public site catalogue, radar and space-IR models, plot generation."""

from trilink.sensors.catalogue import Catalogue, SensorSpec, load_catalogue, make_sensor
from trilink.sensors.plots import (
    Plots,
    earth_occluded,
    generate_plots,
    radar_geometry,
    radar_visible,
    sample_objects,
    scan_times,
    sensor_rng,
    write_plots_jsonl,
)

__all__ = [
    "Catalogue",
    "Plots",
    "SensorSpec",
    "earth_occluded",
    "generate_plots",
    "load_catalogue",
    "make_sensor",
    "radar_geometry",
    "radar_visible",
    "sample_objects",
    "scan_times",
    "sensor_rng",
    "write_plots_jsonl",
]
