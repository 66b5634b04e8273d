"""A shift or need that is gone gets one answer on every page that looks it up: "not found".

Signing up, reporting hours and reading an invitation all find the shift's need and organisation
through ``signups.shift_with_need``. The foreign keys keep those rows in place, so the tests take
one out behind them (as a hand-made cleanup or a damaged restore would) and check that each page
answers with its usual "not found" (a translated flash or a 404), never a server error.
"""

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, text
from sqlmodel import Session

from tests.factories import make_opportunity, make_organisation, make_shift, make_signup
from volunteer.models import Opportunity, ProposalPair, ProposalRun, Shift, SignupState
from volunteer.services.engagement import signups
from volunteer.services.errors import ServiceError


def _lose(session: Session, model: type[Shift] | type[Opportunity], row_id: int) -> None:
    """Delete ``row_id`` of ``model`` although other rows still point at it."""
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL session_replication_role = replica"))
        session.execute(delete(model).where(model.id == row_id))  # type: ignore[arg-type]
        session.execute(text("SET LOCAL session_replication_role = origin"))
    else:
        session.execute(text("PRAGMA foreign_keys=OFF"))  # outside a transaction: it applies
        session.execute(delete(model).where(model.id == row_id))  # type: ignore[arg-type]
        session.commit()
        session.execute(text("PRAGMA foreign_keys=ON"))
    session.commit()
    session.expunge_all()


@pytest.fixture
def past_shift(session, make_user, now):
    """Lena was on a shift two days ago (she may report hours for it)."""
    org = make_organisation(session, now)
    need = make_opportunity(session, now, org, title="Tafel sortieren")
    shift = make_shift(session, now, need, starts_in=-timedelta(days=2))
    lena = make_user(first_name="Lena")
    signup = make_signup(session, lena, shift, now=now, state=SignupState.ATTENDED)
    return {"lena": lena, "need": need, "shift": shift, "signup": signup}


@pytest.mark.parametrize("gone", [Shift, Opportunity])
def test_reporting_hours_for_a_lost_shift_or_need_says_not_found(
    client, login, session, past_shift, gone
):
    lost = past_shift["shift"] if gone is Shift else past_shift["need"]
    signup_id = past_shift["signup"].id
    login(past_shift["lena"])
    _lose(session, gone, lost.id)
    response = client.post(f"/ich/engagements/{signup_id}/stunden", data={"minutes": "60"})
    assert response.status_code == 422
    assert "Das haben wir nicht gefunden." in response.get_data(as_text=True)


def test_an_invitation_to_a_lost_shift_is_not_found(client, login, session, make_user, now):
    need = make_opportunity(session, now, make_organisation(session, now))
    shift = make_shift(session, now, need)
    ben = make_user(first_name="Ben")
    run = ProposalRun(requested_at=now, period_start=date(2026, 1, 1), period_end=date(2026, 2, 1))
    session.add(run)
    session.commit()
    pair = ProposalPair(
        run_id=run.id,
        volunteer_id=ben.id,
        shift_id=shift.id,
        score=1.0,
        invited_at=now,
    )
    session.add(pair)
    session.commit()
    login(ben)
    assert client.get(f"/ich/einladungen/{pair.id}").status_code == 200
    _lose(session, Shift, shift.id)
    assert client.get(f"/ich/einladungen/{pair.id}").status_code == 404
    assert client.post(f"/ich/einladungen/{pair.id}/annehmen").status_code == 404


def test_signing_up_for_a_shift_whose_need_is_lost_is_refused_as_not_found(
    client, login, session, make_user, now
):
    need = make_opportunity(session, now, make_organisation(session, now))
    shift = make_shift(session, now, need)
    mia = make_user(first_name="Mia")
    login(mia)
    _lose(session, Opportunity, need.id)
    assert client.post(f"/schichten/{shift.id}/anmelden").status_code == 404
    # The page stops first; the service behind it gives the same answer, not "not open".
    with pytest.raises(ServiceError) as refused:
        signups.check_eligibility(session, mia, session.get(Shift, shift.id), now=now)
    assert refused.value.code == "not_found"
