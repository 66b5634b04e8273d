"""The load benchmark's targets (issue 13, at 32 connections) and the table that judges each run
against the floor measured in the same run."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    page: str
    connections: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    requests: int


# Targets at 32 connections: (minimum share of the floor's req/s, maximum p95 as a multiple of
# the floor's), and an absolute p95 for the dashboard.
SHARE_TARGETS = {
    "search (8 varied queries and sorts)": 0.30,
    "need page": 0.50,
    "Für dich": 0.30,
    "home": 0.50,
}
P95_FACTOR_TARGETS = {"search (8 varied queries and sorts)": 3.0, "need page": 3.0, "Für dich": 3.0}
DASHBOARD_P95_MS = 300.0
BLOCK_MS = 2000.0


def verdict(r: Result, floor: Result) -> str:
    problems = []
    if r.connections == 32:
        share = SHARE_TARGETS.get(r.page)
        if share is not None and r.rps < share * floor.rps:
            problems.append(f"< {share:.0%} of floor")
        factor = P95_FACTOR_TARGETS.get(r.page)
        if factor is not None and r.p95_ms > factor * floor.p95_ms:
            problems.append(f"p95 > {factor:g}x floor")
        if r.page == "coordinator dashboard" and r.p95_ms > DASHBOARD_P95_MS:
            problems.append(f"p95 > {DASHBOARD_P95_MS:.0f} ms")
    if r.requests == 0:
        return "no request completed"
    if r.max_ms > BLOCK_MS:
        problems.append(f"slowest > {BLOCK_MS / 1000:.0f} s")
    if r.errors:
        problems.append("errors")
    return "; ".join(problems) if problems else "met"


def table(label: str, results: list[Result]) -> list[str]:
    floors = {r.connections: r for r in results if r.page == "floor"}
    lines = [
        f"**{label}**",
        "",
        "| page | conns | req/s | % of floor | p50 | p95 | p99 | slowest | errors | targets |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        floor = floors[r.connections]
        share = "100" if r.page == "floor" else f"{100 * r.rps / floor.rps:.0f}"
        lines.append(
            f"| {r.page} | {r.connections} | {r.rps:,.0f} | {share} | {r.p50_ms:.1f} ms | "
            f"{r.p95_ms:.1f} ms | {r.p99_ms:.1f} ms | {r.max_ms:.0f} ms | {r.errors} | "
            f"{'(floor)' if r.page == 'floor' else verdict(r, floor)} |"
        )
    return [*lines, ""]
