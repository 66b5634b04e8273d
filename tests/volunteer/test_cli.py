"""The volunteer command: migrations, creating a coordinator, demo logins."""

from sqlmodel import Session, select

from volunteer.cli import main
from volunteer.db import make_engine
from volunteer.models import Role, User


def test_create_coordinator_and_demo_accounts(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("VOLUNTEER_DATABASE_URL", url)
    monkeypatch.setenv("VOLUNTEER_SECRET_KEY", "x" * 40)
    from click.testing import CliRunner

    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(
        main,
        [
            "create-user",
            "--email",
            "koordination@bochum.example",
            "--password",
            "Ein sicheres Passwort 1",
            "--role",
            "coordinator",
        ],
    )
    assert result.exit_code == 0, result.output
    again = runner.invoke(
        main,
        [
            "create-user",
            "--email",
            "KOORDINATION@bochum.example",
            "--password",
            "Ein sicheres Passwort 1",
        ],
    )
    assert again.exit_code != 0 and "email_taken" in again.output
    engine = make_engine(url)
    with Session(engine) as s:
        user = s.exec(select(User).where(User.email_key == "koordination@bochum.example")).one()
        assert user.role == Role.COORDINATOR and user.email_verified_at is not None
    engine.dispose()
