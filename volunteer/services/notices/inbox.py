"""The in-app inbox: notices delivered on the ``inapp`` channel, read and unread.

A row shows up once the dispatcher delivered it (``status = sent``), so a reminder queued for
next week does not appear early, and a kind the person switched off never appears at all.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, func, update
from sqlmodel import Session, col, select

from volunteer.models import Notice, NoticeStatus, User
from volunteer.platform.db import count_rows
from volunteer.platform.inputs import page_window
from volunteer.services.errors import ServiceError
from volunteer.services.notices.outbox import INAPP

PER_PAGE = 20


@dataclass
class InboxPage:
    items: list[Notice]
    page: int
    pages: int
    total: int
    unread: int


def _delivered(person: Any) -> tuple[ColumnElement[bool], ...]:
    """Delivered in-app notices of ``person`` (a user id, or a column or parameter holding one)."""
    return (
        col(Notice.user_id) == person,
        col(Notice.channel) == INAPP,
        col(Notice.status) == NoticeStatus.SENT,
    )


def _unread(person: Any) -> tuple[ColumnElement[bool], ...]:
    return (*_delivered(person), col(Notice.read_at).is_(None))


def unread_count(session: Session, user: User) -> int:
    """How many delivered in-app notices ``user`` has not read (the header badge)."""
    return count_rows(session, Notice, *_unread(user.id))


def unread_column(person: Any) -> ScalarSelect[int]:
    """:func:`unread_count` as a column, for a page that reads the badge's figure in the same
    statement as its own (``person``: a column or parameter holding the user id)."""
    return select(func.count()).select_from(Notice).where(*_unread(person)).scalar_subquery()


def page_of(session: Session, user: User, *, page: int = 1, per_page: int = PER_PAGE) -> InboxPage:
    """One page of the inbox, newest first; an out-of-range page number shows the last page."""
    total = count_rows(session, Notice, *_delivered(user.id))
    page, pages = page_window(total, page, per_page)
    items = list(
        session.exec(
            select(Notice)
            .where(*_delivered(user.id))
            .order_by(col(Notice.sent_at).desc(), col(Notice.id).desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).all()
    )
    return InboxPage(items, page, pages, total, unread_count(session, user))


def mark_read(session: Session, notice_id: int, *, by: User, now: datetime) -> Notice:
    """Mark one of ``by``'s notices read; anybody else's looks like it does not exist."""
    notice = session.get(Notice, notice_id)
    if (
        notice is None
        or notice.user_id != by.id
        or notice.channel != INAPP
        or notice.status != NoticeStatus.SENT
    ):
        raise ServiceError("not_found")
    if notice.read_at is None:
        notice.read_at = now
        session.add(notice)
        session.flush()
    return notice


def mark_all_read(session: Session, *, by: User, now: datetime) -> int:
    result = session.exec(
        update(Notice)
        .where(*_unread(by.id))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return int(result.rowcount or 0)
