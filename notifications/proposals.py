"""The worker's proposal job: compute queued city-wide proposals outside every web request.

A coordinator's request only writes a queued :class:`~volunteer.models.ProposalRun`. Each
scheduler process looks for one every few seconds (:func:`run_next_proposal`): it claims the run
with a conditional UPDATE and commits the claim, so two processes never compute the same run;
progress is committed as it goes, so the status page (which refreshes itself) can show it; the
pairs and figures are committed together at the end. A run that fails is marked failed with the
reason; a worker that dies mid-run leaves a lease that expires, and the run is claimed again.
"""

import logging
from datetime import UTC, datetime

from flask import Flask

from volunteer.platform.db import session_scope
from volunteer.services.coordination import proposal

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
