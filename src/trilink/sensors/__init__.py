"""Simulated sensors: public site catalogue, radar and space-IR models, plot generation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trilink._lazy import lazy_exports

if TYPE_CHECKING:
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

__getattr__ = lazy_exports(
    __name__,
    {
        "Catalogue": "trilink.sensors.catalogue",
        "SensorSpec": "trilink.sensors.catalogue",
        "load_catalogue": "trilink.sensors.catalogue",
        "make_sensor": "trilink.sensors.catalogue",
        "Plots": "trilink.sensors.plots",
        "earth_occluded": "trilink.sensors.plots",
        "generate_plots": "trilink.sensors.plots",
        "radar_geometry": "trilink.sensors.plots",
        "radar_visible": "trilink.sensors.plots",
        "sample_objects": "trilink.sensors.plots",
        "scan_times": "trilink.sensors.plots",
        "sensor_rng": "trilink.sensors.plots",
        "write_plots_jsonl": "trilink.sensors.plots",
    },
)
