"""Who signs up where in the demo city: sign-ups planned per association, from pools of people
by district, so that needs fill realistically (some full, some waiting, some empty)."""

from datetime import timedelta

from volunteer.demo.plan import CityPlan, OrgPlan, Pools
from volunteer.models import (
    OpportunityStatus,
    SignupState,
)

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
                    state = (
                        SignupState.ATTENDED if roll < 0.8
                        else SignupState.NO_SHOW if roll < 0.88
                        else SignupState.WITHDRAWN if roll < 0.95
                        else SignupState.DECLINED
                    )  # fmt: skip
                elif held >= shift.capacity:
                    state = SignupState.WAITLISTED
                else:
                    state = (
                        SignupState.ACCEPTED if roll < 0.55
                        else SignupState.APPLIED if roll < 0.88
                        else SignupState.WITHDRAWN if roll < 0.96
                        else SignupState.DECLINED
                    )  # fmt: skip
                if state in (SignupState.ACCEPTED, SignupState.APPLIED):
                    held += 1
                shift.signups.append((person, state.value, at))
