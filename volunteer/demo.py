"""Demo data: one account per role (the full Bochum data set is built on top of this)."""

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from volunteer.models import Role, User
from volunteer.services import accounts

DEMO_PASSWORD = "Mitwirken-Demo-2026"  # noqa: S105 (published demo login)
DEMO_ACCOUNTS = [
    ("ehrenamt@demo.mitwirken.de", "Lena", Role.VOLUNTEER),
    ("verein@demo.mitwirken.de", "Jonas", Role.VOLUNTEER),
    ("stadt@demo.mitwirken.de", "Aylin", Role.COORDINATOR),
]
LOGINS_TEXT = (
    "Demo logins (password Mitwirken-Demo-2026):\n"
    "  volunteer          ehrenamt@demo.mitwirken.de\n"
    "  association admin  verein@demo.mitwirken.de\n"
    "  city coordinator   stadt@demo.mitwirken.de"
)


def has_users(session: Session) -> bool:
    return bool(session.exec(select(func.count()).select_from(User)).one())


def load_demo_data(session: Session, *, now: datetime, scale: str = "demo") -> list[str]:
    created = 0
    for email, first_name, role in DEMO_ACCOUNTS:
        if accounts.find_by_email(session, email) is None:
            accounts.create_user(
                session,
                email=email,
                password=DEMO_PASSWORD,
                now=now,
                first_name=first_name,
                role=role,
                verified=True,
                enforce_policy=False,
            )
            created += 1
    return [f"Demo accounts created: {created}", LOGINS_TEXT]
