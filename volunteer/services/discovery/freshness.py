"""The engine's cached indexes, dropped after any commit that changed what they are built from.

One place for this post-commit work, whatever committed (a view through ``commit_or_report``, a
bare ``db.commit()``, a notice job or a CLI command): a flush that writes an opportunity, shift,
sign-up, organisation or volunteer profile marks the session, and the commit that makes the change
visible clears the caches. Clearing *before* the commit (as services used to) let a concurrent
rebuild read the old rows and cache them again; clearing after a rollback threw a good index away.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import UOWTransaction
from sqlmodel import Session

from volunteer.models import (
    Opportunity,
    OpportunityCause,
    OpportunitySkill,
    Organisation,
    Shift,
    Signup,
    User,
    VolunteerCause,
    VolunteerProfile,
    VolunteerSkill,
)

# What the opportunity and volunteer indexes are built from.
WATCHED = (
    Opportunity,
    OpportunityCause,
    OpportunitySkill,
    Organisation,
    Shift,
    Signup,
    VolunteerCause,
    VolunteerProfile,
    VolunteerSkill,
)
_STALE = "volunteer.discovery.stale"


class _Cache:
    """A per-process cache of the last index built, keyed by kind and the database bind.

    Stale-while-revalidate: after ``ttl`` seconds the old index is still served while one
    background thread builds the next, so no visitor waits seconds for a city-sized rebuild.
    Only the very first build (or one after :func:`invalidate`) happens in the request.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, int], tuple[float, Any]] = {}
        self._refreshing: set[tuple[str, int]] = set()

    def get(self, kind: str, session: Session, ttl: float, build: Callable[[Session], Any]) -> Any:
        bind = session.get_bind()
        key = (kind, id(bind))
        moment = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None:
                if moment - hit[0] >= ttl and key not in self._refreshing:
                    self._refreshing.add(key)
                    threading.Thread(
                        target=self._refresh, args=(key, bind, build), daemon=True
                    ).start()
                return hit[1]
        value = build(session)
        with self._lock:
            self._entries[key] = (moment, value)
        return value

    def _refresh(self, key: tuple[str, int], bind: Any, build: Callable[[Session], Any]) -> None:
        try:
            with Session(bind=bind) as session:
                value = build(session)
            with self._lock:
                if key in self._entries:  # not invalidated meanwhile
                    self._entries[key] = (time.monotonic(), value)
        except Exception:  # the stale index keeps serving; the next request retries
            logging.getLogger(__name__).exception("rebuilding the %s index failed", key[0])
        finally:
            with self._lock:
                self._refreshing.discard(key)

    def drop(self, kind: str, session: Session) -> None:
        with self._lock:
            self._entries.pop((kind, id(session.get_bind())), None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def ages(self) -> dict[str, float]:
        moment = time.monotonic()
        ages: dict[str, float] = {}
        with self._lock:
            for (kind, _bind), (built, _value) in self._entries.items():
                ages[kind] = min(ages.get(kind, float("inf")), moment - built)
        return ages


CACHE = _Cache()


def index_ages() -> dict[str, float]:
    """Seconds since this process last built each index ("opportunities", "volunteers")."""
    return CACHE.ages()


def invalidate() -> None:
    """Forget the cached indexes now (a commit that changes them does this by itself)."""
    CACHE.clear()


def _after_flush(session: OrmSession, _flush: UOWTransaction) -> None:
    if session.info.get(_STALE):
        return
    # A new account is not matchable until it has a profile, and a login stamps the user row:
    # of a user, only leaving (deletion) changes who can be matched.
    if any(
        isinstance(obj, WATCHED) for obj in (*session.new, *session.dirty, *session.deleted)
    ) or any(
        isinstance(obj, User) and inspect(obj).attrs.deleted_at.history.has_changes()
        for obj in session.dirty
    ):
        session.info[_STALE] = True


def _after_commit(session: OrmSession) -> None:
    if session.info.pop(_STALE, False):
        invalidate()


def _after_rollback(session: OrmSession) -> None:
    session.info.pop(_STALE, None)


# Every session, from the moment the engine can cache anything (it imports this module).
event.listen(OrmSession, "after_flush", _after_flush)
event.listen(OrmSession, "after_commit", _after_commit)
event.listen(OrmSession, "after_rollback", _after_rollback)
