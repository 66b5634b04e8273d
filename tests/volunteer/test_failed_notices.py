"""The failed-notices page speaks in words and offers what can be done, each step audited."""

from datetime import datetime

import pytest
from sqlmodel import Session, select

from volunteer.models import AuditEntry, Notice, NoticeStatus, Role
from volunteer.services.notices.kinds import KINDS
from volunteer.web.wording.notices import KIND_LABELS

URL = "/koordination/benachrichtigungen"


def _failed(session: Session, user, now: datetime, *, kind: str, error: str, key: str) -> Notice:
    notice = Notice(
        kind=kind,
        channel="email",
        dedupe_key=key,
        user_id=user.id if user else None,
        to_email=user.email if user else "eltern@exampel.org",
        payload={},
        status=NoticeStatus.FAILED,
        due_at=now,
        attempts=3,
        last_error=error,
    )
    session.add(notice)
    session.commit()
    return notice


@pytest.fixture
def failures(session: Session, make_user, now: datetime) -> dict:
    coordinator = make_user(role=Role.COORDINATOR, first_name="Kim")
    typo = make_user(email="lena@gmial.com", first_name="Lena")
    verify = _failed(
        session, typo, now, kind="verify_email", key="v",
        error="recipient refused: 550 5.1.1 <lena@gmial.com>: user unknown",
    )  # fmt: skip
    reset = _failed(
        session, typo, now, kind="password_reset", key="r", error="no valid recipient address"
    )
    fault = _failed(
        session, None, now, kind="guardian_consent", key="g",
        error="render: UndefinedError(\"'None' has no attribute 'child'\")",
    )  # fmt: skip
    return {"coordinator": coordinator, "typo": typo, "verify": verify, "reset": reset,
            "fault": fault}  # fmt: skip


def _audit(session: Session, action: str) -> list[AuditEntry]:
    session.expire_all()
    return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)).all())


def test_every_notice_kind_has_a_label() -> None:
    assert set(KINDS) <= set(KIND_LABELS)


def test_the_page_names_kinds_and_reasons_in_words(client, login, failures):
    login(failures["coordinator"])
    page = client.get(URL).get_data(as_text=True)
    assert "verify_email" not in page and "password_reset" not in page
    assert "Bestätigung der E-Mail-Adresse eines neuen Kontos" in page
    assert "Der Mailserver des Empfängers hat die Adresse abgelehnt" in page
    assert "550 5.1.1" in page  # the server's own words help with an address
    assert "wegen eines Fehlers im Dienst" in page
    assert "UndefinedError" not in page and "render:" not in page  # never the internals
    assert "Lena" in page and "lena@gmial.com" in page


def test_correcting_the_address_changes_the_account_and_sends_every_failed_mail_again(
    client, login, session, failures
):
    login(failures["coordinator"])
    response = client.post(
        f"{URL}/{failures['verify'].id}/adresse", data={"email": "lena@gmail.com"}
    )
    assert response.status_code == 302
    page = client.get(URL).get_data(as_text=True)
    assert "Die Adresse ist korrigiert; 2 Benachrichtigungen gehen erneut an sie." in page
    session.expire_all()
    typo = session.get(type(failures["typo"]), failures["typo"].id)
    assert typo.email == "lena@gmail.com" and typo.email_key == "lena@gmail.com"
    for key in ("verify", "reset"):
        notice = session.get(Notice, failures[key].id)
        assert (notice.status, notice.to_email, notice.attempts) == (
            NoticeStatus.PENDING, "lena@gmail.com", 0,
        )  # fmt: skip
    (entry,) = _audit(session, "notice.address_corrected")
    assert entry.actor_id == failures["coordinator"].id and entry.details["notices"] == 2
    assert "lena@" not in str(entry.details)  # the log names the notice, not the addresses


def test_an_address_of_another_account_or_no_address_is_refused(
    client, login, session, make_user, failures
):
    make_user(email="taken@example.org")
    login(failures["coordinator"])
    client.post(f"{URL}/{failures['verify'].id}/adresse", data={"email": "Taken@example.org"})
    page = client.get(URL).get_data(as_text=True)
    assert "Ein Konto mit dieser E-Mail-Adresse existiert bereits." in page
    client.post(f"{URL}/{failures['verify'].id}/adresse", data={"email": "kein-at-zeichen"})
    assert "gültige E-Mail-Adresse" in client.get(URL).get_data(as_text=True)
    session.expire_all()
    assert session.get(Notice, failures["verify"].id).status == NoticeStatus.FAILED
    assert failures["typo"].email == "lena@gmial.com"
    assert _audit(session, "notice.address_corrected") == []


def test_a_notice_without_an_account_changes_only_its_own_address(client, login, session, failures):
    login(failures["coordinator"])
    client.post(f"{URL}/{failures['fault'].id}/adresse", data={"email": "eltern@example.org"})
    session.expire_all()
    notice = session.get(Notice, failures["fault"].id)
    assert (notice.status, notice.to_email) == (NoticeStatus.PENDING, "eltern@example.org")


def test_sending_again_and_marking_unreachable_are_audited(client, login, session, failures):
    login(failures["coordinator"])
    assert client.post(f"{URL}/{failures['reset'].id}/erneut").status_code == 302
    assert client.post(f"{URL}/{failures['fault'].id}/unerreichbar").status_code == 302
    page = client.get(URL).get_data(as_text=True)
    assert "Die Benachrichtigung wird aufgegeben" in page
    session.expire_all()
    assert session.get(Notice, failures["reset"].id).status == NoticeStatus.PENDING
    assert session.get(Notice, failures["fault"].id).status == NoticeStatus.CANCELLED
    assert page.count('class="h3"') == 1  # only the verification mail is left to act on
    assert [e.object_id for e in _audit(session, "notice.resent")] == [failures["reset"].id]
    assert [e.object_id for e in _audit(session, "notice.unreachable")] == [failures["fault"].id]
    # Acting twice, or on a notice that did not fail, is "not found", never a server error.
    assert client.post(f"{URL}/{failures['fault'].id}/unerreichbar").status_code == 302
    assert "Das haben wir nicht gefunden." in client.get(URL).get_data(as_text=True)
    log = client.get("/koordination/protokoll?gruppe=notices").get_data(as_text=True)
    assert "hat eine unzustellbare Benachrichtigung erneut gesendet" in log


def test_only_coordinators_act_on_failed_notices(client, login, make_user, failures):
    login(make_user())
    assert client.get(URL).status_code == 404
    assert client.post(f"{URL}/{failures['reset'].id}/erneut").status_code == 404
