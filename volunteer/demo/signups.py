"""Who signs up where in the demo city: sign-ups planned per association, from pools of people
by district, so that needs fill realistically (some full, some waiting, some empty)."""

from collections.abc import Sequence
from datetime import timedelta
from typing import TypeVar

from volunteer.demo.plan import CityPlan, OrgPlan, Pools
from volunteer.models import (
    HourState,
    OpportunityStatus,
    SignupState,
)

T = TypeVar("T")

# How the demo's rows turn out, as cumulative shares of one roll in [0, 1): the table is the one
# place a share is set, for the planned city and its two-year history alike.
PAST_OUTCOMES: tuple[tuple[float, SignupState], ...] = (
    (0.8, SignupState.ATTENDED),
    (0.88, SignupState.NO_SHOW),
    (0.95, SignupState.WITHDRAWN),
    (1.0, SignupState.DECLINED),
)
UPCOMING_STATES: tuple[tuple[float, SignupState], ...] = (
    (0.55, SignupState.ACCEPTED),
    (0.88, SignupState.APPLIED),
    (0.96, SignupState.WITHDRAWN),
    (1.0, SignupState.DECLINED),
)
HOUR_STATES: tuple[tuple[float, HourState], ...] = (
    (0.7, HourState.CONFIRMED),
    (0.95, HourState.SUBMITTED),
    (1.0, HourState.REJECTED),
)


def by_roll(roll: float, shares: Sequence[tuple[float, T]]) -> T:
    """The first outcome whose cumulative share the roll stays below."""
    return next(outcome for limit, outcome in shares if roll < limit)


# --- sign-ups -------------------------------------------------------------------------------------


def plan_signups(city: CityPlan, org: OrgPlan, pools: Pools) -> None:
    """Fill shifts with sign-ups in realistic states: full, half-empty, waitlisted, attended."""
    for n, need in enumerate(org.needs):
        if need.row["status"] != OpportunityStatus.PUBLISHED or org.row["verified_at"] is None:
            continue
        rng = city.rng("signups", f"{org.index}:{n}")
        adult_only = not need.row["minors_ok"]
        for shift in need.shifts:
            past = shift.ends_at <= city.now
            fill = rng.random()
            wanted = round(shift.capacity * (fill * 1.3 if not past else 0.3 + 0.7 * fill))
            people = pools.sample(rng, org.borough, wanted, adult=adult_only)
            held = 0
            for person in people:
                at = min(city.now, shift.starts_at - timedelta(days=rng.randint(1, 20)))
                roll = rng.random()
                if past:
                    state = by_roll(roll, PAST_OUTCOMES)
                elif held >= shift.capacity:
                    state = SignupState.WAITLISTED
                else:
                    state = by_roll(roll, UPCOMING_STATES)
                if state in (SignupState.ACCEPTED, SignupState.APPLIED):
                    held += 1
                shift.signups.append((person, state.value, at))
