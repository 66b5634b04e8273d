"""Password hashing (argon2id) and the password policy.

The policy follows NIST SP 800-63B and BSI advice: a minimum length and a block list of common
passwords instead of composition rules that push people towards "Passwort1!".
"""

from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("volunteer.data").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def password_problems(password: str, *, min_length: int, email: str = "") -> list[str]:
    """Codes of what is wrong with a new password (empty when it is acceptable)."""
    problems = []
    if len(password) < min_length:
        problems.append("too_short")
    lowered = password.lower()
    local = email.split("@", 1)[0].lower()
    if lowered in common_passwords() or (len(local) >= 3 and local in lowered):
        problems.append("too_common")
    return problems
