"""Accounts: register, verify, log in and out, reset and change password and e-mail."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/konto")

from volunteer.web.accounts import views  # noqa: E402,F401
