"""A notice the database cannot store fails alone: the rest of its group is delivered."""

from datetime import timedelta

from sqlmodel import select

from volunteer.models import Notice, NoticeStatus
from volunteer.services.engagement.applications import message_shift


def test_a_nul_byte_in_a_shift_message_does_not_block_the_notices_queued_with_it(
    world, dispatcher, session, now, clock
):
    w = world()
    others = [world() for _ in range(3)]
    message_shift(session, w["org"], w["shift"], "Bitte\x00 pünktlich", by=w["admin"], now=now)
    for i, o in enumerate(others):
        later = now + timedelta(seconds=i + 1)
        message_shift(session, o["org"], o["shift"], "Treffpunkt Tor 2", by=o["admin"], now=later)
    session.commit()
    clock["now"] = now + timedelta(minutes=1)

    stats = dispatcher.run_once()

    session.expire_all()
    inapp = session.exec(select(Notice).where(Notice.channel == "inapp")).all()
    poison = [n for n in inapp if n.user_id == w["volunteer"].id]
    clean = [n for n in inapp if n.user_id != w["volunteer"].id]
    assert len(clean) == 3 and all(n.status == NoticeStatus.SENT for n in clean)
    assert all("Treffpunkt" in (n.body or "") for n in clean)
    if session.get_bind().dialect.name == "postgresql":
        assert poison[0].status == NoticeStatus.FAILED
        assert poison[0].last_error.startswith("could not be stored")
        assert stats.failed == 1
    else:  # SQLite stores the NUL byte: nothing to refuse
        assert poison[0].status == NoticeStatus.SENT
    assert dispatcher.run_once().claimed == 0
