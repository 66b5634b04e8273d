"""Compile the engine's numba kernels ahead of use: ``python -m matching.warm``.

The kernels (the top-K pre-filter, the greedy walk, the assignment's flow solver) are
compiled on first call and cached on disk (``cache=True``), which costs about 12 s of CPU in a
fresh checkout. ``make test`` runs this once before the suite, as it compiles the catalogues,
so that the two test workers do not each compile the same kernels inside their tests; a
deployment can run it once after installing, so that the first proposal or candidate list
does not pay it. It runs the public entry points on a three-person city: the kernels are
compiled for exactly the argument types the real calls pass.
"""

import time
from datetime import UTC, datetime

import numpy as np

from matching.assign import assign, solve
from matching.greedy import greedy
from matching.model import SLOT_BIT, Opportunity, Volunteer


def compile_kernels() -> float:
    """Run every compiled kernel once; returns the seconds it took."""
    started = time.perf_counter()
    slot = SLOT_BIT["sat-morning"]
    volunteers = [
        Volunteer(f"v{i}", lat=51.48, lon=7.22 + i / 100, max_km=10.0, availability=slot)
        for i in range(3)
    ]
    needs = [
        Opportunity(f"o{i}", lat=51.48, lon=7.21 + i / 100, slots=slot, capacity=2)
        for i in range(2)
    ]
    now = datetime(2026, 1, 1, tzinfo=UTC)
    result = assign(volunteers, needs, top_k=1, now=now)  # the top-K pre-filter
    volunteer_capacity, need_capacity = np.ones(3, dtype=np.int64), np.full(2, 2, dtype=np.int64)
    solve(result.candidates, volunteer_capacity, need_capacity)  # the flow kernel
    greedy(result.candidates, volunteer_capacity, need_capacity)
    return time.perf_counter() - started


if __name__ == "__main__":
    print(f"matching kernels compiled or loaded from the cache in {compile_kernels():.1f} s")
