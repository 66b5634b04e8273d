"""Sign-up rules, the waitlist, minors, clashes, state changes and their notices."""

from datetime import timedelta

import pytest
from sqlmodel import select

from tests.factories import (
    add_member,
    make_opportunity,
    make_organisation,
    make_shift,
    set_profile,
)
from volunteer.models import AgeGroup, Notice, OpportunityStatus, SignupState
from volunteer.services.engagement import signups
from volunteer.services.errors import ServiceError


def _kinds(session, user):
    rows = session.exec(select(Notice).where(Notice.user_id == user.id)).all()
    return sorted({n.kind for n in rows})


def test_sign_up_applies_and_notifies_volunteer_and_organisation(session, make_user, now):
    org = make_organisation(session, now)
    admin = make_user()
    add_member(session, org, admin)
    shift = make_shift(session, now, make_opportunity(session, now, org))
    volunteer = make_user()
    signup = signups.sign_up(session, volunteer, shift, now=now, message=" Hallo ")
    session.commit()
    assert signup.state == SignupState.APPLIED and signup.message == "Hallo"
    assert signups.places_taken(session, shift) == 1
    assert _kinds(session, volunteer) == ["signup_received"]
    assert _kinds(session, admin) == ["application_new"]
    notice = session.exec(select(Notice).where(Notice.user_id == admin.id)).first()
    assert notice.payload["signup_id"] == signup.id


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("draft", "not_open"),
        ("unverified_org", "not_open"),
        ("cancelled", "shift_cancelled"),
        ("past", "shift_past"),
        ("unverified_email", "email_not_verified"),
        ("twice", "already_signed_up"),
        ("full", "shift_full"),
    ],
)
def test_sign_up_refuses_what_the_rules_forbid(session, make_user, now, case, code):
    org = make_organisation(session, now, verified_at=None if case == "unverified_org" else now)
    status = OpportunityStatus.DRAFT if case == "draft" else OpportunityStatus.PUBLISHED
    opp = make_opportunity(session, now, org, status=status)
    shift = make_shift(
        session,
        now,
        opp,
        capacity=1,
        starts_in=timedelta(hours=-1) if case == "past" else timedelta(days=2),
        cancelled_at=now if case == "cancelled" else None,
    )
    user = make_user(email_verified_at=None) if case == "unverified_email" else make_user()
    if case == "twice":
        signups.sign_up(session, user, shift, now=now)
    if case == "full":
        signups.sign_up(session, make_user(), shift, now=now)
    with pytest.raises(ServiceError) as err:
        signups.sign_up(session, user, shift, now=now)
    assert err.value.code == code


def test_minors_only_where_open_to_minors_and_under_16_need_guardian_consent(
    session, make_user, now
):
    adults_only = make_shift(session, now, make_opportunity(session, now, minors_ok=False))
    open_to_minors = make_shift(session, now, make_opportunity(session, now, minors_ok=True))
    teen = make_user()
    set_profile(session, teen, age_group=AgeGroup.MINOR)
    child = make_user()
    set_profile(session, child, age_group=AgeGroup.UNDER_16, guardian_email="eltern@example.org")

    for person in (teen, child):
        with pytest.raises(ServiceError) as err:
            signups.sign_up(session, person, adults_only, now=now)
        assert err.value.code == "adults_only"
    assert signups.sign_up(session, teen, open_to_minors, now=now).state == SignupState.APPLIED
    with pytest.raises(ServiceError) as err:
        signups.sign_up(session, child, open_to_minors, now=now)
    assert err.value.code == "guardian_consent_missing"
    set_profile(session, child, guardian_consent_at=now)
    assert signups.sign_up(session, child, open_to_minors, now=now).state == SignupState.APPLIED


def test_full_shift_offers_waitlist_and_freed_place_moves_first_waiting_person_up(
    session, make_user, now
):
    shift = make_shift(session, now, capacity=1)
    first, second, third = make_user(), make_user(), make_user()
    holder = signups.sign_up(session, first, shift, now=now)
    w1 = signups.sign_up(session, second, shift, now=now, join_waitlist=True)
    w2 = signups.sign_up(session, third, shift, now=now + timedelta(minutes=1), join_waitlist=True)
    assert (w1.state, w2.state) == (SignupState.WAITLISTED, SignupState.WAITLISTED)
    assert signups.places_taken(session, shift) == 1

    later = now + timedelta(hours=1)
    signups.withdraw(session, holder, by=first, now=later, reason="krank")
    session.commit()
    assert holder.state == SignupState.WITHDRAWN and holder.reason == "krank"
    session.refresh(w1)
    session.refresh(w2)
    assert w1.state == SignupState.APPLIED and w2.state == SignupState.WAITLISTED
    assert "waitlist_moved_up" in _kinds(session, second)
    assert "waitlist_moved_up" not in _kinds(session, third)
    assert signups.places_taken(session, shift) == 1


def test_declining_frees_the_place_and_accepting_a_waitlisted_person_needs_one(
    session, make_user, now
):
    org = make_organisation(session, now)
    admin = make_user()
    add_member(session, org, admin)
    shift = make_shift(session, now, make_opportunity(session, now, org), capacity=1)
    a, b = make_user(), make_user()
    sa = signups.sign_up(session, a, shift, now=now)
    sb = signups.sign_up(session, b, shift, now=now, join_waitlist=True)
    with pytest.raises(ServiceError) as err:
        signups.transition(session, sb, SignupState.ACCEPTED, by=admin, now=now)
    assert err.value.code == "no_place_free"
    signups.transition(session, sa, SignupState.DECLINED, by=admin, now=now, reason="zu spät")
    session.refresh(sb)
    assert sb.state == SignupState.APPLIED
    signups.transition(session, sb, SignupState.ACCEPTED, by=admin, now=now)
    assert sb.decided_by_id == admin.id
    assert "signup_declined" in _kinds(session, a)
    assert {"signup_accepted", "waitlist_moved_up"} <= set(_kinds(session, b))
    with pytest.raises(ServiceError) as err:
        signups.transition(session, sa, SignupState.ACCEPTED, by=admin, now=now)
    assert err.value.code == "invalid_transition"


def test_withdraw_notifies_organisation_and_allows_signing_up_again(session, make_user, now):
    org = make_organisation(session, now)
    admin = make_user()
    add_member(session, org, admin)
    shift = make_shift(session, now, make_opportunity(session, now, org))
    volunteer = make_user()
    signup = signups.sign_up(session, volunteer, shift, now=now)
    signups.withdraw(session, signup, by=volunteer, now=now + timedelta(minutes=5))
    assert "signup_withdrawn" in _kinds(session, admin)
    again = signups.sign_up(session, volunteer, shift, now=now + timedelta(minutes=10))
    assert again.id == signup.id and again.state == SignupState.APPLIED
    stranger = make_user()
    with pytest.raises(ServiceError):
        signups.withdraw(session, again, by=stranger, now=now)


def test_clashes_lists_overlapping_shifts_the_person_is_on(session, make_user, now):
    opp = make_opportunity(session, now)
    booked = make_shift(session, now, opp, starts_in=timedelta(days=2), hours=3)
    overlapping = make_shift(session, now, opp, starts_in=timedelta(days=2, hours=2))
    later = make_shift(session, now, opp, starts_in=timedelta(days=2, hours=3))
    user = make_user()
    signups.sign_up(session, user, booked, now=now)
    assert [s.id for s in signups.clashes(session, user, overlapping)] == [booked.id]
    assert signups.clashes(session, user, later) == []
    assert signups.clashes(session, make_user(), overlapping) == []
