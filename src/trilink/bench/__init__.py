"""trilink.bench: the benchmarks and the ellipse calibration study (``trilink bench``).

Sits on top with the CLI: a benchmark drives whole layers (tracker, node, fabric), so nothing in
the library imports it.
"""

__all__: list[str] = []
