"""The seed data set: the cooperation's public history, from TCOG (1999) and TISA (2014) to the
2023-12-19 activation of real-time missile-warning sharing and later exercises.

Texts are our own summaries; every item names its public source (``data/seed_history.json``).
Loading goes through :func:`trilink.secretariat.exchange.import_data`, so it is validated and
audited, and loading twice changes nothing.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

from trilink.secretariat.exchange import import_data
from trilink.secretariat.services import Secretariat

__all__ = ["load_seed", "seed_data"]


def seed_data() -> dict[str, Any]:
    """The bundled seed file as a dict."""
    text = (files("trilink.secretariat") / "data" / "seed_history.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def load_seed(svc: Secretariat) -> dict[str, int]:
    """Import the seed data set; returns counts of newly created objects."""
    return import_data(svc, seed_data())
