"""trilink.synthetic: seeded synthetic sources (flights and radar plots, shared messages).

Sits above tracking, wire and fabric and below node, so the tracker's tests, the benchmarks and
a node's stand-in producer share one generator of each kind.
"""

__all__: list[str] = []
