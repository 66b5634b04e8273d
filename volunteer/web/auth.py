"""Flask-Login wiring with server-side revocation.

The session stores ``User.alternative_id``, not the primary key. Logout, a password change and
account deletion rotate it, so a copied session or remember-me cookie stops working at once.
"""

from flask import Flask
from sqlmodel import select

from volunteer.models import User
from volunteer.platform.db import get_session
from volunteer.platform.extensions import login_manager


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load(alternative_id: str) -> User | None:
        user = get_session().exec(select(User).where(User.alternative_id == alternative_id)).first()
        if user is None or user.deleted_at is not None:
            return None
        return user
