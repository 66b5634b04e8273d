"""The engine's cached indexes, kept in step with each commit that changes what they are built on.

One place for this post-commit work, whatever committed (a view through ``commit_or_report``, a
bare ``db.commit()``, a notice job or a CLI command): a flush that writes an opportunity, shift,
sign-up, organisation or volunteer profile records *what* it touched on the session, and the commit
that makes the change visible hands that to the cache. Acting after the commit (not before, as
services used to) keeps a concurrent rebuild from caching the old rows again; a rollback hands
nothing over.

A sign-up must not cost the next visitor a city-sized rebuild, so a cache kind that can patch
itself (a ``patch`` given to :meth:`_Cache.get`: the opportunity index, the listing tally behind
the home page) only notes the needs that changed and, on its next read, replaces those needs'
rows and keeps the rest. Kinds without a patch are dropped and built again. Another worker
process sees a change after at most the kind's ``ttl``: what a user must be able to trust (the
places left on a card, capacity at sign-up) is read from the database, never from here.
"""

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import UOWTransaction
from sqlmodel import Session, col, select

from volunteer.models import (
    District,
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

# Kinds built from volunteers' profiles; every other kind is built from the needs.
VOLUNTEER_KINDS = frozenset({"volunteers"})
_CHANGES = "volunteer.discovery.changes"


@dataclass
class Changes:
    """What one or more commits touched: needs by id, shifts whose sign-ups changed (resolved to
    their needs when a patch runs), and whether anything only a full rebuild covers changed."""

    opportunity_ids: set[int] = field(default_factory=set)
    shift_ids: set[int] = field(default_factory=set)
    everything: bool = False  # an organisation (or a district): only a full rebuild covers it
    volunteers: bool = False
    people: set[int] = field(default_factory=set)  # whose profile changed, or who left

    @property
    def needs(self) -> bool:
        return self.everything or bool(self.opportunity_ids or self.shift_ids)

    def add(self, other: "Changes") -> None:
        self.opportunity_ids |= other.opportunity_ids
        self.shift_ids |= other.shift_ids
        self.everything |= other.everything
        self.volunteers |= other.volunteers
        self.people |= other.people

    def need_ids(self, session: Session) -> set[int]:
        """The needs touched, the shifts' needs included."""
        ids = set(self.opportunity_ids)
        if self.shift_ids:
            ids.update(
                int(i)
                for i in session.exec(
                    select(Shift.opportunity_id).where(col(Shift.id).in_(sorted(self.shift_ids)))
                ).all()
            )
        return ids


# A patch: (session, the cached value, what changed) -> the value with those needs replaced.
Patch = Callable[[Session, Any, Changes], Any]


@dataclass
class _Entry:
    built: float
    value: Any
    patchable: bool
    pending: Changes | None = None
    follows_commits: bool = True  # False: only its age renews it (see ``_Cache.get``)


class _Cache:
    """A per-process cache of the last value built per kind and database bind.

    Stale-while-revalidate: after ``ttl`` seconds the old value is still served while one
    background thread builds the next, so no visitor waits seconds for a city-sized rebuild.
    Only the very first build (or one after a drop) happens in a request, and only in one:
    readers arriving meanwhile wait for that build instead of each starting their own; a change
    to a few needs is patched in by the next reader (see the module's docstring).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, int], _Entry] = {}
        self._refreshing: dict[tuple[str, int], Changes] = {}  # changes since each refresh began
        # Per kind: one reader builds or patches it while the others wait for the result.
        self._build_locks: dict[tuple[str, int], threading.Lock] = {}

    def get(
        self,
        kind: str,
        session: Session,
        ttl: float,
        build: Callable[[Session], Any],
        patch: Patch | None = None,
        *,
        follows_commits: bool = True,
    ) -> Any:
        """The cached value of ``kind``, built now if there is none. With ``patch``, a commit
        that touched some needs marks the value, and this read patches them in first. With
        ``follows_commits=False`` no commit patches or drops it: a value whose readers are told
        its age (the coordinators' counts) is renewed by its ``ttl`` alone."""
        bind = session.get_bind()
        key = (kind, id(bind))
        moment = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and hit.pending is None:
                if moment - hit.built >= ttl and key not in self._refreshing:
                    self._refreshing[key] = Changes()
                    threading.Thread(
                        target=self._refresh, args=(key, bind, build), daemon=True
                    ).start()
                return hit.value
            build_lock = self._build_locks.setdefault(key, threading.Lock())
        with build_lock:  # one reader builds or patches; the others wait for its result
            if hit is not None and patch is not None:
                return self._patched(key, session, build, patch)
            with self._lock:
                current = self._entries.get(key)
            if current is not None and current.pending is None:
                return current.value  # another reader built it meanwhile
            started = time.monotonic()
            value = build(session)
            with self._lock:
                self._entries[key] = _Entry(
                    started, value, patch is not None, None, follows_commits
                )
            return value

    def _patched(
        self, key: tuple[str, int], session: Session, build: Callable[[Session], Any], patch: Patch
    ) -> Any:
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and hit.pending is None:
                return hit.value  # another reader patched it meanwhile
        if hit is None:  # dropped meanwhile
            value = build(session)
            built = time.monotonic()
        else:
            assert hit.pending is not None
            value, built = patch(session, hit.value, hit.pending), hit.built
        with self._lock:
            current = self._entries.get(key)
            if current is hit or (current is None and hit is None):
                self._entries[key] = _Entry(built, value, True)
        return value

    def _refresh(self, key: tuple[str, int], bind: Any, build: Callable[[Session], Any]) -> None:
        try:
            with Session(bind=bind) as session:
                started = time.monotonic()
                value = build(session)
            with self._lock:
                since, old = self._refreshing.get(key), self._entries.get(key)
                if old is not None and since is not None:  # not dropped meanwhile
                    # Commits during the build may be missing from it: patched in on next read.
                    pending = since if since.needs else None
                    self._entries[key] = _Entry(
                        started, value, old.patchable, pending, old.follows_commits
                    )
        except Exception:  # the stale value keeps serving; the next request retries
            logging.getLogger(__name__).exception("rebuilding the %s index failed", key[0])
        finally:
            with self._lock:
                self._refreshing.pop(key, None)

    def note(self, changes: Changes) -> None:
        """A commit made ``changes``: patch what can be patched, drop the rest."""
        with self._lock:
            for key, entry in list(self._entries.items()):
                if not entry.follows_commits:
                    continue
                kind = key[0]
                if kind in VOLUNTEER_KINDS:
                    touched, patchable = changes.volunteers, False
                else:
                    touched = changes.needs
                    patchable = entry.patchable and not changes.everything
                if not touched:
                    continue
                if patchable:
                    entry.pending = entry.pending or Changes()
                    entry.pending.add(changes)
                    since = self._refreshing.get(key)
                    if since is not None:
                        since.add(changes)
                else:
                    del self._entries[key]
                    self._refreshing.pop(key, None)

    def drop(self, kind: str, session: Session) -> None:
        with self._lock:
            key = (kind, id(session.get_bind()))
            self._entries.pop(key, None)
            self._refreshing.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._refreshing.clear()

    def ages(self) -> dict[str, float]:
        moment = time.monotonic()
        ages: dict[str, float] = {}
        with self._lock:
            for (kind, _bind), entry in self._entries.items():
                ages[kind] = min(ages.get(kind, float("inf")), moment - entry.built)
        return ages


CACHE = _Cache()
# Others kept in step with the same commits (the anonymous pages' cache in ``web``), called with
# what each commit changed; ``invalidate`` calls them with everything.
_LISTENERS: list[Callable[[Changes], None]] = []


def on_commit(listener: Callable[[Changes], None]) -> None:
    """Call ``listener`` after every commit that touched needs or volunteers, as the cache is."""
    _LISTENERS.append(listener)


def _tell(changes: Changes) -> None:
    CACHE.note(changes)
    PERSONAL.forget(changes.people)
    for listener in _LISTENERS:
        listener(changes)


class PerNeed(Protocol):
    """A cached value made of one record per listed need."""

    @property
    def needs(self) -> Mapping[int, Any]: ...


V = TypeVar("V", bound=PerNeed)


def per_need(
    kind: str,
    session: Session,
    ttl: float,
    *,
    read: Callable[[Session, set[int] | None], dict[int, Any]],
    build: Callable[[dict[int, Any]], V],
) -> V:
    """:meth:`CACHE.get <_Cache.get>` for a value ``build`` makes of ``read``'s records, one per
    listed need (``read`` with ``None``: the whole city). A commit that touched some needs has
    only those read again (a need no longer listed drops out); the others' records are kept."""

    def patch(s: Session, old: V, changes: Changes) -> V:
        ids = changes.need_ids(s)
        needs = {oid: record for oid, record in old.needs.items() if oid not in ids}
        needs.update(read(s, ids))
        return build(needs)

    value: V = CACHE.get(kind, session, ttl, lambda s: build(read(s, None)), patch)
    return value


class _Personal:
    """Values worked out for one person (their ranked recommendations), kept in the process for
    that person alone: keyed by database and person, never handed to anybody else.

    An entry is used only while the caller's ``key`` (what the value was computed from: the
    person's profile stamp, the index it was ranked against) still matches and for ``ttl``
    seconds at most; a commit in this process that changes the person's profile, skills or
    causes, or removes the account, drops it at once (:func:`_after_commit`). At most ``size``
    people are kept, the least recently seen leave first, and expired entries are swept out as
    new ones come in, so nothing about a person stays long after their last visit.
    """

    def __init__(self, size: int = 8192) -> None:
        self._lock = threading.Lock()
        self._size = size
        self._entries: OrderedDict[tuple[int, int, str], tuple[Hashable, float, Any]] = (
            OrderedDict()
        )

    def get(
        self, session: Session, person: int, kind: str, key: Hashable, ttl: float
    ) -> Any | None:
        """The person's ``kind`` value if it was kept for this very ``key`` and is younger
        than ``ttl`` seconds, else None."""
        found = self.latest(session, person, kind, ttl)
        return found[1] if found is not None and found[0] == key else None

    def latest(
        self, session: Session, person: int, kind: str, ttl: float
    ) -> tuple[Hashable, Any] | None:
        """The person's ``kind`` value younger than ``ttl`` seconds with the key it was kept
        for, whatever that key: for a caller that reads what decides the key together with
        what the kept value needs (one statement), then compares the key itself."""
        at = (id(session.get_bind()), person, kind)
        with self._lock:
            hit = self._entries.get(at)
            if hit is None or time.monotonic() - hit[1] >= ttl:
                return None
            self._entries.move_to_end(at)
            return hit[0], hit[2]

    def put(
        self, session: Session, person: int, kind: str, key: Hashable, value: Any, ttl: float
    ) -> None:
        moment = time.monotonic()
        at = (id(session.get_bind()), person, kind)
        with self._lock:
            self._entries[at] = (key, moment, value)
            self._entries.move_to_end(at)
            while self._entries:
                oldest, (_, built, _) = next(iter(self._entries.items()))
                if len(self._entries) <= self._size and moment - built < ttl:
                    break
                del self._entries[oldest]

    def __contains__(self, item: tuple[Session, int]) -> bool:
        """Whether anything is kept for this (session's database, person)."""
        session, person = item
        bind = id(session.get_bind())
        with self._lock:
            return any(at[:2] == (bind, person) for at in self._entries)

    def forget(self, people: set[int]) -> None:
        if not people:
            return
        with self._lock:
            for at in [at for at in self._entries if at[1] in people]:
                del self._entries[at]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


PERSONAL = _Personal()


def index_ages() -> dict[str, float]:
    """Seconds since this process last built each index ("opportunities", "volunteers")."""
    return CACHE.ages()


def invalidate() -> None:
    """Forget the cached indexes and everybody's recommendations now (a commit that changes them
    patches or drops them itself)."""
    CACHE.clear()
    PERSONAL.clear()
    for listener in _LISTENERS:
        listener(Changes(everything=True, volunteers=True))


def _changes_of(session: OrmSession) -> Changes:
    found = Changes()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Opportunity) and obj.id is not None:
            found.opportunity_ids.add(obj.id)
        elif isinstance(obj, (OpportunityCause, OpportunitySkill, Shift)):
            found.opportunity_ids.add(obj.opportunity_id)
        elif isinstance(obj, Signup):
            found.shift_ids.add(obj.shift_id)
        elif isinstance(obj, (Organisation, District)):
            # An organisation's verification lists or hides all its needs; a district's name
            # shows on every card and filter (``search.districts``).
            found.everything = True
        elif isinstance(obj, (VolunteerProfile, VolunteerSkill, VolunteerCause)):
            found.volunteers = True
            found.people.add(obj.user_id)
        elif (
            isinstance(obj, User)
            and obj.id is not None
            and (obj in session.deleted or inspect(obj).attrs.deleted_at.history.has_changes())
        ):
            # A new account is not matchable until it has a profile, and a login stamps the
            # user row: of a user, only leaving (deletion) changes who can be matched.
            found.volunteers = True
            found.people.add(obj.id)
    return found


def _after_flush(session: OrmSession, _flush: UOWTransaction) -> None:
    found = _changes_of(session)
    if found.needs or found.volunteers:
        session.info.setdefault(_CHANGES, Changes()).add(found)


def _after_commit(session: OrmSession) -> None:
    changes = session.info.pop(_CHANGES, None)
    if changes is not None:
        _tell(changes)


def _after_rollback(session: OrmSession) -> None:
    session.info.pop(_CHANGES, None)


# Every session, from the moment the engine can cache anything (it imports this module).
event.listen(OrmSession, "after_flush", _after_flush)
event.listen(OrmSession, "after_commit", _after_commit)
event.listen(OrmSession, "after_rollback", _after_rollback)
