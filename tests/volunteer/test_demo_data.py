"""Demo data: a realistic small Bochum, idempotent, deterministic, with a login per role."""

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select

from tests.conftest import FIXED_NOW
from volunteer.catalogue.sync import sync_reference_data
from volunteer.demo import city as demo
from volunteer.models import (
    Borough,
    Cause,
    District,
    HourEntry,
    Membership,
    Opportunity,
    Organisation,
    Postcode,
    Role,
    Shift,
    Signup,
    Skill,
    SkillCategory,
    User,
    VolunteerProfile,
)
from volunteer.services.accounts.passwords import verify_password

TABLES: tuple[type[SQLModel], ...] = (
    User, VolunteerProfile, Organisation, Membership, Opportunity, Shift, Signup, HourEntry,
)  # fmt: skip


def count(session: Session, model: type[SQLModel]) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def counts(session: Session) -> dict[str, int]:
    return {model.__name__: count(session, model) for model in TABLES}


@pytest.fixture(scope="module")
def loaded(module_bind):
    """The full demo city, loaded once per backend: the tests that read it only count rows."""
    with Session(
        bind=module_bind, expire_on_commit=False, join_transaction_mode="create_savepoint"
    ) as session:
        demo.load_demo_data(session, now=FIXED_NOW, progress=False)
        session.commit()
        yield session


def test_reference_data_sync_is_idempotent(session) -> None:
    first = sync_reference_data(session)
    second = sync_reference_data(session)
    assert first.inserted["districts"] == 30 and first.inserted["postcodes"] == 18
    assert sum(second.inserted.values()) == sum(second.updated.values()) == 0
    expected = {SkillCategory: 11, Borough: 6, District: 30, Postcode: 18}
    assert {m: count(session, m) for m in expected} == expected
    assert count(session, Skill) >= 60 and count(session, Cause) >= 14


def test_reference_data_sync_updates_changed_labels(session) -> None:
    sync_reference_data(session)
    skill = session.exec(select(Skill).where(Skill.slug == "first-aid")).one()
    skill.label_de = "Alt"
    session.flush()
    result = sync_reference_data(session)
    assert result.updated["skills"] == 1
    assert skill.label_de == "Erste Hilfe"


def test_the_demo_city_is_big_enough(loaded) -> None:
    assert count(loaded, Organisation) >= 60
    assert count(loaded, VolunteerProfile) >= 400
    assert count(loaded, Opportunity) >= 150
    assert count(loaded, Signup) > 0 and count(loaded, HourEntry) > 0


def test_associations_cover_all_thirty_districts(loaded) -> None:
    districts = loaded.exec(select(Organisation.district_number).distinct()).all()
    assert len(set(districts)) == 30


def test_most_associations_are_verified_and_a_few_pending(loaded) -> None:
    pending = count_where(loaded, Organisation, col(Organisation.verified_at).is_(None))
    assert 0 < pending < count(loaded, Organisation) / 4


def count_where(session: Session, model: type[SQLModel], condition) -> int:
    return session.exec(select(func.count()).select_from(model).where(condition)).one()


def test_shifts_lie_in_the_next_eight_weeks_with_some_history(loaded, now) -> None:
    first, last = loaded.exec(select(func.min(Shift.starts_at), func.max(Shift.starts_at))).one()
    assert now - timedelta(weeks=4) <= first < now < last <= now + timedelta(weeks=8)
    weekly = count_where(loaded, Shift, col(Shift.series_id).is_not(None))
    assert 0 < weekly < count(loaded, Shift)


def test_volunteers_include_minors_and_many_languages(loaded) -> None:
    groups = dict(
        loaded.exec(
            select(VolunteerProfile.age_group, func.count()).group_by(VolunteerProfile.age_group)
        ).all()
    )
    assert groups.get("under16", 0) > 0 and groups.get("16to17", 0) > 0
    languages = {
        code for langs in loaded.exec(select(VolunteerProfile.languages)) for code in langs
    }
    assert {"de", "tr", "ar", "uk", "pl"} <= languages


def test_every_child_under_16_has_a_guardian_address(loaded) -> None:
    # The consent mail goes to this address; it was dropped from the bulk insert for every
    # child but one that happened to come first in its batch.
    missing = loaded.exec(
        select(func.count())
        .select_from(VolunteerProfile)
        .where(
            VolunteerProfile.age_group == "under16", col(VolunteerProfile.guardian_email).is_(None)
        )
    ).one()
    consented = loaded.exec(
        select(func.count())
        .select_from(VolunteerProfile)
        .where(col(VolunteerProfile.guardian_consent_at).is_not(None))
    ).one()
    assert missing == 0 and consented > 0


def test_signups_come_in_every_state(loaded) -> None:
    states = set(loaded.exec(select(Signup.state).distinct()).all())
    assert states == {
        "applied", "accepted", "declined", "withdrawn", "waitlisted", "attended", "no_show",
    }  # fmt: skip


def test_running_twice_adds_nothing(loaded, now) -> None:
    before = counts(loaded)
    demo.load_demo_data(loaded, now=now, progress=False)
    assert counts(loaded) == before


def test_a_larger_scale_only_adds_the_difference(session, now) -> None:
    small = demo.Scale(volunteers=40, organisations=30, opportunities=60)
    larger = demo.Scale(volunteers=60, organisations=40, opportunities=80)
    demo.load_demo_data(session, now=now, scale=small, progress=False)
    names = set(session.exec(select(Organisation.name)).all())
    demo.load_demo_data(session, now=now, scale=larger, progress=False)
    assert count(session, VolunteerProfile) == 60 + 1  # plus the demo volunteer
    assert names < set(session.exec(select(Organisation.name)).all())


def test_the_same_seed_builds_the_same_city(bind, now) -> None:
    scale = demo.Scale(volunteers=30, organisations=30, opportunities=30)

    def build() -> list[tuple[str, str]]:
        with Session(bind=bind, join_transaction_mode="create_savepoint") as s:
            demo.load_demo_data(s, now=now, scale=scale, progress=False)
            rows = s.exec(
                select(User.email, Organisation.name)
                .join(Membership, col(Membership.user_id) == User.id)
                .join(Organisation, col(Organisation.id) == Membership.organisation_id)
                .order_by(col(Organisation.name), col(User.email))
            ).all()
            s.rollback()
            return [tuple(r) for r in rows]

    assert build() == build()


def test_demo_logins_exist_with_their_roles(loaded) -> None:
    users = {
        u.email: u
        for u in loaded.exec(select(User).where(col(User.email).like("%@demo.mitwirken.de"))).all()
    }
    volunteer = users["ehrenamt@demo.mitwirken.de"]
    org_admin = users["verein@demo.mitwirken.de"]
    coordinator = users["stadt@demo.mitwirken.de"]
    assert coordinator.role == Role.COORDINATOR
    assert volunteer.role == org_admin.role == Role.VOLUNTEER
    assert all(u.email_verified_at is not None for u in users.values())
    assert verify_password(volunteer.password_hash, demo.DEMO_PASSWORD)
    admin_of = loaded.exec(select(Membership).where(Membership.user_id == org_admin.id)).all()
    assert [m.role for m in admin_of] == ["admin"]
    profile = loaded.get(VolunteerProfile, volunteer.id)
    assert profile is not None and profile.district_number == 28  # Höntrop
    assert count_where(loaded, Signup, Signup.user_id == volunteer.id) >= 2


def test_generated_people_share_one_password_hash_and_cannot_receive_mail(loaded) -> None:
    generated = loaded.exec(
        select(User.email, User.password_hash).where(col(User.email).like("%@example.org"))
    ).all()
    assert len(generated) >= 400
    assert len({password_hash for _, password_hash in generated}) == 1
    assert not loaded.exec(
        select(Organisation.contact_email).where(
            col(Organisation.contact_email).not_like("%example.org")
        )
    ).all()


def test_the_summary_prints_the_demo_logins(session, now) -> None:
    lines = demo.load_demo_data(session, now=now, scale=demo.Scale(5, 1, 1), progress=False)
    assert "verein@demo.mitwirken.de" in lines[-1] and demo.DEMO_PASSWORD in lines[-1]


@pytest.mark.slow
def test_the_demo_data_command_is_idempotent_and_prints_the_logins(tmp_path, monkeypatch) -> None:
    from click.testing import CliRunner

    from volunteer.cli import main

    monkeypatch.setenv("VOLUNTEER_DATABASE_URL", f"sqlite:///{tmp_path}/demo.db")
    monkeypatch.setenv("VOLUNTEER_SECRET_KEY", "x" * 40)
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    first = runner.invoke(main, ["demo-data"])
    assert first.exit_code == 0, first.output
    assert "stadt@demo.mitwirken.de" in first.output
    second = runner.invoke(main, ["demo-data"])
    assert second.exit_code == 0, second.output
    assert "added 0 volunteers, 0 organisations" in second.output
