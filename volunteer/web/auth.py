"""Flask-Login wiring with server-side revocation.

The session stores ``User.alternative_id``, not the primary key. Logout, a password change and
account deletion rotate it, so a copied session or remember-me cookie stops working at once.
"""

from flask import Flask
from sqlalchemy import bindparam
from sqlmodel import col, select

from volunteer.models import User
from volunteer.platform.db import get_session
from volunteer.platform.extensions import login_manager

# Built once: every signed-in request loads its user, and composing the statement cost more than
# running it (SQLAlchemy caches the compiled SQL by the statement's shape either way).
_BY_ALTERNATIVE_ID = select(User).where(col(User.alternative_id) == bindparam("alternative_id"))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load(alternative_id: str) -> User | None:
        user = (
            get_session()
            .exec(_BY_ALTERNATIVE_ID, params={"alternative_id": alternative_id})
            .first()
        )
        if user is None or user.deleted_at is not None:
            return None
        return user
