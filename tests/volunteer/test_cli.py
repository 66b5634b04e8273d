"""The volunteer command: migrations, creating a coordinator, demo logins."""

from sqlmodel import Session, select

from volunteer.cli import main
from volunteer.models import Role, User
from volunteer.platform.db import make_engine


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


def test_the_engine_commands_are_part_of_the_volunteer_command(tmp_path):
    import json

    from click.testing import CliRunner

    instance = {
        "volunteers": [
            {
                "id": "v1",
                "lat": 51.48,
                "lon": 7.22,
                "max_km": 5,
                "skills": [],
                "causes": [],
                "languages": ["de"],
                "availability": ["sat-morning"],
                "adult": True,
                "capacity": 1,
            }
        ],
        "opportunities": [
            {
                "id": "o1",
                "lat": 51.47,
                "lon": 7.22,
                "required_skills": [],
                "optional_skills": [],
                "causes": [],
                "languages": [],
                "slots": ["sat-morning"],
                "adults_only": False,
                "capacity": 1,
            }
        ],
    }
    source, target = tmp_path / "in.json", tmp_path / "out.json"
    source.write_text(json.dumps(instance))
    result = CliRunner().invoke(
        main, ["match", "assign", "--input", str(source), "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text())["assignment"][0]["volunteer"] == "v1"
