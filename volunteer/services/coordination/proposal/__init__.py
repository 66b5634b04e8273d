"""The city-wide assignment proposal: queued by a coordinator, computed by the worker, acted on.

A coordinator's "who could go where": the engine's exact min-cost-flow assignment over the
volunteer pool (everyone who lets associations find them, see ``engine.volunteer_pool``) and
the listed needs with open places in a chosen period, districts and causes. At city scale this
takes seconds, so a web request only *queues* a :class:`ProposalRun`; the worker process
(``notifications.proposals``) claims it, computes it with :func:`compute` and stores every pair
with a dated shift and the run's figures. The result page and the CSV read what was stored.

It is a proposal to act on, never an automatic sign-up: the coordinator sends invitations
(:func:`invite`, at most ``per_week`` per volunteer in seven days) and the volunteer answers;
accepting goes through the normal sign-up (:func:`accept_invitation`), with its capacity,
waitlist and consent rules.

One module per job, each the only home of its rules: :mod:`.requests` (what a coordinator may
ask for, queueing), :mod:`.worker` (claiming and computing a run), :mod:`.result` (the stored
result as pages and CSV), :mod:`.invitations` (sending and answering invitations). Callers use
the names below, so they need not know which module holds what.
"""

from volunteer.services.coordination.proposal.invitations import (
    INVITE_KIND,
    Invitation,
    InviteOutcome,
    accept_invitation,
    decline_invitation,
    invitation_for,
    invitations_this_week,
    invite,
)
from volunteer.services.coordination.proposal.requests import (
    MAX_PERIOD_DAYS,
    ProposalOptions,
    default_options,
    queue,
    recent_runs,
)
from volunteer.services.coordination.proposal.result import (
    NeedRow,
    PairRow,
    ResultPage,
    ShiftRow,
    csv_rows,
    result_page,
)
from volunteer.services.coordination.proposal.worker import (
    LEASE,
    RunCandidates,
    claim_next,
    compute,
    fail,
    run_candidates,
)

__all__ = [
    "INVITE_KIND",
    "LEASE",
    "MAX_PERIOD_DAYS",
    "Invitation",
    "InviteOutcome",
    "NeedRow",
    "PairRow",
    "ProposalOptions",
    "ResultPage",
    "RunCandidates",
    "ShiftRow",
    "accept_invitation",
    "claim_next",
    "compute",
    "csv_rows",
    "decline_invitation",
    "default_options",
    "fail",
    "invitation_for",
    "invitations_this_week",
    "invite",
    "queue",
    "recent_runs",
    "result_page",
    "run_candidates",
]
