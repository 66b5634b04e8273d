"""The matching benchmark: ranking latency against plain-Python baselines, and assignment time,
optimality and the cost of approximations on realistic Bochum instances and on dense cities.

``python -m bench matching [--sizes S,M,L] [--dense-sizes dense-M,...] [--oracle-seconds N]
[--skip-ranking] [--write-readme]``. Prints a Markdown report; ``--write-readme`` replaces the
text between the README's ``<!-- bench:matching:start -->`` and ``<!-- bench:matching:end -->``
markers with it. The parts live beside this entry point: :mod:`bench.matching_ranking`,
:mod:`bench.matching_assign`, :mod:`bench.matching_dense`.
"""

import argparse
import os
import platform
import sys

from bench.instances import DENSE_SIZES, SIZES
from bench.matching_assign import bench_assignment, log
from bench.matching_dense import bench_dense
from bench.matching_ranking import bench_ranking
from bench.readme import README, write_section

START, END = "<!-- bench:matching:start -->", "<!-- bench:matching:end -->"


DESCRIPTION = """\
## Matching engine

`matching/` is pure (plain data in, results out; no Flask, database, clock or I/O). Build an
`OpportunityIndex` / `VolunteerIndex` once, then `rank_opportunities`, `rank_volunteers`,
`near_misses`, `explain` and `assign` are array work. `volunteer match assign|rank` runs it on
JSON files.

**Eligible** pair (`matching/rules.py`): an open place; the opportunity is remote, or both have
a location and the great-circle distance ≤ the volunteer's radius; every required skill held;
a common slot when the opportunity names slots; a common language when it names languages;
adults-only needs an adult. Each failed rule has a near-miss code (`missing_skill`,
`beyond_radius` with `km_over`, `no_location`, `no_common_slot`, `no_common_language`,
`adults_only`, `no_open_place`).

**Score** (`matching/scoring.py`) = Σ w·x / Σ w over six components x ∈ [0, 1], with
configurable `Weights` (defaults): skills 0.35 ((required + optional held + 0.5 × optional
not held but of a held skill's category) / wanted), distance 0.25 (0.5^(km / 3 km); remote
0.75), availability 0.15 (share of the opportunity's slots covered), causes 0.10 (1 shared,
0 none, 0.5 unknown), language 0.05 (share of the opportunity's languages spoken), urgency 0.10
(linear from 14 days ahead to the start, × share of places open). Every match carries the
contributions (they add up to the score) and reason codes with parameters.

**Assignment** (`matching/assign.py`): maximum total score (scores as integers in millionths)
under all capacities, as a min-cost flow solved exactly by a compiled successive-shortest-path
solver (`matching/flow_kernel.py`): each open place is routed along the cheapest path of the
residual network (Dijkstra over reduced costs), and since a city has far more volunteers than
places, a path almost always ends a step or two from its place. **Every solve ends with a
proof**: `check_optimal` verifies in plain numpy, over every arc, that the assignment is
feasible and that under the solver's dual prices no arc that could change its flow has a
negative reduced cost (so no assignment of higher total exists); a failed check raises. Chosen
by measurement: on dense-L's 7.5 million pairs it takes about 1 CPU-s where OR-Tools'
`SimpleMinCostFlow` (the solver until December 2026) took 11.2. OR-Tools' flow, HiGHS on the
LP and scipy's `min_weight_full_bipartite_matching` on an expanded graph are the tests'
oracles. **Fill fairly** adds a bonus B = (P + 1) × 10⁶ on each opportunity's first place (P
bounds the number of assigned pairs), so the solver maximises exactly, in this order: (1) the
number of opportunities with at least one volunteer, (2) the total score among those
assignments. Candidates are all eligible pairs by default; `top_k`
keeps each volunteer's K best (an approximation, costed below). **Candidate generation**
(`matching/candidates.py`) goes opportunity by opportunity over volunteers stored in grid order
(1 km cells, split by radius band): boolean column tests, then the exact distance only in
reachable cells, then the score alone. With `top_k` a compiled pre-filter finds the pairs that
may be among each volunteer's K best, only those are scored exactly, and each pair becomes one
int64 key (volunteer, score in millionths, opportunity id) for the exact cut (see "Dense
cities"); the result is exactly each volunteer's K best, checked pair for pair against a
straightforward generation in the tests.
"""


def report(sizes: list[str], oracle_seconds: float, skip_ranking: bool, dense: list[str]) -> str:
    lines = [
        DESCRIPTION,
        f"### Measured figures (`make bench`; {platform.machine()}, "
        f"Python {platform.python_version()}, one process, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f} at start: figures include other jobs' contention; instances "
        "from `bench/instances.py`)",
        "",
    ]
    if not skip_ranking:
        lines += bench_ranking()
    lines += bench_assignment(sizes, oracle_seconds)
    if dense:
        lines += bench_dense(dense, oracle_seconds)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench matching")
    parser.add_argument("--sizes", default="S,M,L", help="comma-separated subset of S,M,L")
    parser.add_argument("--oracle-seconds", type=float, default=180.0)
    parser.add_argument("--skip-ranking", action="store_true")
    parser.add_argument("--write-readme", action="store_true")
    parser.add_argument(
        "--dense-sizes", default="dense-M,dense-L,dense-NRW", help="dense family sizes ('' skips)"
    )
    args = parser.parse_args(argv)
    sizes = [s for s in args.sizes.split(",") if s]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size {unknown[0]!r}")
    dense = [d for d in args.dense_sizes.split(",") if d]
    unknown_dense = [d for d in dense if d not in DENSE_SIZES]
    if unknown_dense:
        parser.error(f"unknown dense size {unknown_dense[0]!r}")
    text = report(sizes, args.oracle_seconds, args.skip_ranking, dense)
    print(text)
    if args.write_readme:
        write_section(text, (START, END))
        log(f"wrote {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
