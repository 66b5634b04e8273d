"""Every notice kind, rendered from its real producer's payload in German and in English, shows
no locale leak in its subject, its text, its HTML or its calendar entry (the same checker as the
page crawl: ``tests.locale_leaks``)."""

from collections.abc import Callable
from datetime import datetime

from flask import Flask
from icalendar import Calendar
from sqlmodel import Session, select

from notifications.render import render
from tests.locale_leaks import page_leaks, text_leaks
from tests.notifications.test_producers import produce_every_kind
from volunteer.models import Notice, User
from volunteer.services.notices.kinds import KINDS


def test_no_notice_leaks_codes_or_the_other_language(
    session: Session, make_user: Callable[..., User], app: Flask, now: datetime
) -> None:
    produce_every_kind(session, make_user, now, app)
    produced = list(session.exec(select(Notice).where(Notice.channel == "email")).all())
    assert {n.kind for n in produced} == set(KINDS)
    found: list[str] = []
    calendars = 0
    with app.app_context():
        for notice in produced:
            for locale in ("de", "en"):
                notice.locale = locale
                message = render(session, notice, app=app, now=now)
                where = f"{notice.kind} ({locale})"
                found += [f"{where} subject: {x}" for x in text_leaks(message.subject, locale)]
                found += [f"{where} text: {x}" for x in text_leaks(message.text, locale)]
                found += [f"{where} html: {x}" for x in page_leaks(message.html, locale)]
                for attachment in message.attachments:
                    calendars += 1
                    for event in Calendar.from_ical(attachment.data).walk("VEVENT"):
                        # The entry speaks the recipient's language, like the mail it came with.
                        said = "Organised by" if locale == "en" else "Veranstaltet von"
                        assert said in str(event["DESCRIPTION"]), (where, event["DESCRIPTION"])
                        for name in ("SUMMARY", "DESCRIPTION", "LOCATION"):
                            found += [
                                f"{where} ics {name}: {x}"
                                for x in text_leaks(str(event.get(name, "")), locale)
                            ]
    session.rollback()  # the locale changes above were for rendering only
    assert calendars, "no notice carried a calendar entry"
    assert not found, "\n".join(sorted(set(found)))
