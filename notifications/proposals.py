"""The worker's proposal job: compute queued city-wide proposals outside every web request.

A coordinator's request only writes a queued :class:`~volunteer.models.ProposalRun`. Each
scheduler process looks for one every few seconds (:func:`run_next_proposal`): it claims the run
with a conditional UPDATE and commits the claim, so two processes never compute the same run;
progress is committed as it goes, so the status page (which refreshes itself) can show it; the
pairs and figures are committed together at the end. A run that fails is marked failed with the
reason; a worker that dies mid-run leaves a lease that expires, and the run is claimed again.

While nothing is queued, the job keeps the engine warm in its process (:class:`ProposalJob`):
on its first idle tick it loads (or compiles) the engine's kernels and builds the volunteer
pool (for a city of 100,000 profiles 1-2 CPU-s, and up to 12 s for kernels compiled afresh);
then, at most once a minute, it rebuilds the pool if the findable stamp changed (a profile
edited, someone opted out), so the next run does not.
"""

import logging
import math
import time
from datetime import UTC, datetime

from flask import Flask

from matching.warm import compile_kernels
from volunteer.platform.db import session_scope
from volunteer.services.coordination import proposal
from volunteer.services.discovery import engine

log = logging.getLogger(__name__)


def run_next_proposal(app: Flask, *, worker: str, now: datetime | None = None) -> int | None:
    """Compute the oldest queued proposal, if any; returns its id (None when there was none)."""
    with app.app_context(), session_scope(app) as session:
        clock = app.config.get("CLOCK")
        moment = now or (clock() if clock else datetime.now(UTC))
        run = proposal.claim_next(session, worker=worker, now=moment)
        if run is None:
            return None
        assert run.id is not None
        run_id = run.id
        session.commit()
        shown = [0]

        def progress(percent: int) -> None:
            # Commit only the run row (nothing else is pending while candidates are scored),
            # and only every few percent: the status page refreshes every few seconds anyway.
            if percent - shown[0] >= 5:
                shown[0] = percent
                run.progress = percent
                session.add(run)
                session.commit()

        try:
            proposal.compute(session, run, now=moment, progress=progress)
            session.commit()
        except Exception as error:
            session.rollback()
            log.exception("proposal %s failed", run_id)
            proposal.fail(session, run_id, error=type(error).__name__, now=moment)
        log.info("proposal %s computed", run_id)
        return run_id


def warm_volunteer_pool(app: Flask) -> None:
    """Build the engine's volunteer pool in this process, or check it against the findable
    stamp and rebuild it if someone changed (``engine.volunteer_pool``): the next run then
    starts from a warm pool. Only reads."""
    with app.app_context(), session_scope(app) as session:
        engine.volunteer_pool(session)


def warm_worker(app: Flask) -> None:
    """A worker process's warm-up before its first run: the engine's compiled kernels loaded
    from the disk cache (compiled if it is stale), then the volunteer pool built."""
    compile_kernels()
    warm_volunteer_pool(app)


class ProposalJob:
    """The scheduler's "proposals" job: the next queued run, else keep the pool warm.

    One job for both, so a run and a warm-up never build the pool side by side (the scheduler
    never overlaps a job with itself). Warming happens on the first idle call (the process just
    started) and then at most every ``warm_every`` seconds: checking the stamp is one aggregate,
    but a rebuild after each of a busy city's profile edits would cost more than it saves.
    """

    def __init__(self, app: Flask, *, worker: str, warm_every: float = 60.0) -> None:
        self.app = app
        self.worker = worker
        self.warm_every = warm_every
        self._warmed = -math.inf

    def __call__(self) -> int | None:
        run_id = run_next_proposal(self.app, worker=self.worker)
        if run_id is None and time.monotonic() - self._warmed >= self.warm_every:
            first = self._warmed == -math.inf  # the process just started
            # Stamped before, so a warm-up that fails is tried again a minute later, not on
            # every tick (the run itself does not need it).
            self._warmed = time.monotonic()
            if first:
                warm_worker(self.app)
            else:
                warm_volunteer_pool(self.app)
        return run_id
