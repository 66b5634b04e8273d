"""Configuration: documented defaults, then ``VOLUNTEER_*`` environment variables, then a mapping.

Every key below can be set from the environment with the ``VOLUNTEER_`` prefix, e.g.
``VOLUNTEER_DATABASE_URL=postgresql+psycopg://user:pw@db/mitwirken``. Values are parsed as JSON
where possible (``VOLUNTEER_RATELIMIT_ENABLED=false``).
"""

import ipaddress
import math
import re
import secrets
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    # "development" (make run) or "production" (Docker); production refuses unsafe settings.
    "ENV": "development",
    # SQLite file under instance/ unless set; PostgreSQL for production and several app nodes.
    "DATABASE_URL": None,
    # Where pages and e-mail notices are rendered from (top-level templates/).
    "TEMPLATES_DIR": str(PROJECT_ROOT / "templates"),
    "MIGRATIONS_DIR": str(PROJECT_ROOT / "migrations"),
    # Public base URL used in e-mails and the API's absolute links (never the request's Host).
    # Production refuses http:// and loopback hosts.
    "BASE_URL": "http://127.0.0.1:8000",
    # Host names the app answers to (Flask checks the Host header; others get 400). None: any
    # host in development; in production the host of BASE_URL.
    "TRUSTED_HOSTS": None,
    "SECRET_KEY": None,  # generated into instance/secret_key on first run when unset
    # Cookies: Secure outside debug/testing, HttpOnly, SameSite=Lax, bounded lifetimes.
    "COOKIE_SECURE": None,  # None = secure unless DEBUG or TESTING
    "SESSION_COOKIE_NAME": "mitwirken_session",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
    "REMEMBER_COOKIE_NAME": "mitwirken_remember",
    "REMEMBER_COOKIE_DURATION": timedelta(days=30),
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # Requests larger than this are refused with 413 (logos are at most 1 MiB).
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "MAX_FORM_MEMORY_SIZE": 512 * 1024,
    # Languages: German first, English second.
    "BABEL_DEFAULT_LOCALE": "de",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Berlin",
    "LANGUAGES": ["de", "en"],
    # Number of trusted reverse proxies in front of the app (0 = none; 1 behind one balancer).
    "PROXY_HOPS": 0,
    # Rate limits (Flask-Limiter). With more than one worker or node use a shared storage
    # (redis://host:6379): production refuses memory:// unless WORKERS is 1.
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    # Worker processes serving this app on all nodes together (`volunteer serve` sets it to its
    # --workers); None = unknown, which production treats as several.
    "WORKERS": None,
    "RATELIMIT_HEADERS_ENABLED": True,
    # Anonymous visitors' home, search, need and district pages are served from a per-process
    # cache of rendered pages (volunteer/web/anonymous_pages.py): a change made through this
    # process shows at once, one made through another worker or node after at most this many
    # seconds. 0 turns the cache off. Its size is bounded by the total bytes of kept pages.
    "PAGE_CACHE_SECONDS": 30,
    "PAGE_CACHE_BYTES": 32 * 1024 * 1024,
    "LOGIN_RATE_LIMIT": "10 per minute;50 per hour",
    # Per client, on each endpoint of the open-data API (/api/v1/...).
    "API_RATE_LIMIT": "120 per minute",
    # Per client and per named address, on every form that mails an address it names:
    # password reset, registration, e-mail change.
    "RESET_RATE_LIMIT": "5 per minute;20 per hour",
    # No address gets more than this many mails with a link (confirm, reset, change, join,
    # "someone tried to register") per hour, whichever page or node asks: the outbox writes
    # the rest as refused (volunteer.services.notices.outbox).
    "MAIL_BUDGET_PER_HOUR": 5,
    # /metrics: readable with "Authorization: Bearer <token>" when set, else from loopback only.
    "METRICS_TOKEN": None,
    "PASSWORD_MIN_LENGTH": 10,
    # Reported hours may exceed the shift's length by this many minutes (setting up, staying on).
    "HOURS_MARGIN_MINUTES": 60,
    # Names of declined or withdrawn applicants leave the association's shift pages after this
    # many days (data minimisation): the row stays, without the name.
    "DECLINED_NAMES_DAYS": 30,
    # Token lifetimes.
    "VERIFY_TOKEN_HOURS": 72,
    "RESET_TOKEN_HOURS": 2,
    # Retention (days). The scheduler's "retention" rule enforces them every night and the privacy
    # notice (/datenschutz) quotes them, both from here (volunteer/services/accounts/retention.py).
    "RETENTION_UNVERIFIED_DAYS": 30,  # accounts whose address was never confirmed: deleted
    "RETENTION_TOKEN_DAYS": 7,  # used or expired links (confirmation, reset, invitation): deleted
    "RETENTION_NOTICE_DAYS": 90,  # sent notices: text, addresses and facts removed, inbox copy gone
    "RETENTION_AUDIT_DAYS": 365,  # audit log (log-ins, changes, decisions): deleted
    "RETENTION_DECLINED_MESSAGE_DAYS": 180,  # messages and reasons of declined/withdrawn sign-ups
    "RETENTION_INACTIVE_DAYS": 730,  # no log-in for two years: a warning mail, then ...
    "RETENTION_INACTIVE_GRACE_DAYS": 30,  # ... the account is deleted this long after the warning
    # Geocoding: the offline gazetteer (default) or "nominatim", a network geocoder (opt-in, needs
    # GEOCODER_USER_AGENT; postcodes and districts still come from the gazetteer).
    "GEOCODER": "gazetteer",
    # E-mail (used by the notifications package).
    "MAIL_FROM": "Mitwirken Bochum <noreply@mitwirken.bochum.example>",
    "SMTP_HOST": "127.0.0.1",
    "SMTP_PORT": 25,
    "SMTP_USERNAME": None,
    "SMTP_PASSWORD": None,
    "SMTP_STARTTLS": False,
    "SMTP_TIMEOUT": 10,
    # City-wide proposals: at most this many invitations per volunteer in seven days.
    "PROPOSAL_INVITATIONS_PER_WEEK": 2,
    # The licence of the anonymised open data (/offene-daten): one of LICENCES below.
    "OPEN_DATA_LICENCE": "dl-de/by-2-0",
    # The city this instance serves (the gazetteer in volunteer/data/gazetteer decides the rest).
    "CITY_NAME": "Bochum",
    "OPERATOR_NAME": "Stadt Bochum",
    "OPERATOR_ADDRESS": "Willy-Brandt-Platz 2–6, 44777 Bochum",
    "OPERATOR_EMAIL": "mitwirken@bochum.example",
    # Legal pages (/impressum, /datenschutz, /barrierefreiheit) are written from these, so another
    # city fills in its own. Values in [brackets] or on an .example domain are placeholders:
    # production refuses to start while any remains (LEGAL_KEYS below).
    "OPERATOR_LEGAL_FORM": "Kreisfreie Stadt, Gebietskörperschaft des öffentlichen Rechts",
    "OPERATOR_REPRESENTATIVE": "[Oberbürgermeister*in der Stadt Bochum: Name]",
    "OPERATOR_PHONE": "[Telefonnummer der Servicestelle]",
    "OPERATOR_VAT_ID": "",  # Umsatzsteuer-ID, if the operator has one (imprint)
    "CONTENT_RESPONSIBLE": "[Verantwortlich nach § 18 Abs. 2 MStV: Name, Anschrift]",
    "DPO_NAME": "[Behördliche*r Datenschutzbeauftragte*r: Name]",
    "DPO_ADDRESS": "[Anschrift der*des Datenschutzbeauftragten]",
    "DPO_EMAIL": "datenschutz@bochum.example",
    "HOSTING_PROVIDER": "[Rechenzentrum / Hosting-Dienstleister: Name, Sitz]",
    "MAIL_PROVIDER": "[E-Mail-Versanddienstleister: Name, Sitz]",
    "SUPERVISORY_AUTHORITY": (
        "Landesbeauftragte für Datenschutz und Informationsfreiheit Nordrhein-Westfalen, "
        "Kavalleriestraße 2–4, 40213 Düsseldorf"
    ),
    # Accessibility statement (EU model, Implementing Decision (EU) 2018/1523).
    "ACCESSIBILITY_STATUS": "partial",  # full / partial / none
    "ACCESSIBILITY_EVALUATED_ON": "2026-12-01",
    "ACCESSIBILITY_METHOD": "self",  # self (Selbstbewertung) / third_party (Prüfung durch Dritte)
    "ACCESSIBILITY_STATEMENT_ON": "2026-12-01",
    "ACCESSIBILITY_CONTACT": "[Barriere melden: E-Mail und Telefon]",
    "ACCESSIBILITY_ENFORCEMENT": (
        "Ombudsstelle für barrierefreie Informationstechnik des Landes Nordrhein-Westfalen bei "
        "der Landesbeauftragten für Menschen mit Behinderung"
    ),
}

_PLACEHOLDER_SECRETS = {"", "dev", "secret", "change-me", "changeme"}
# A random secret of 32+ characters estimates far above this (token_urlsafe(32): ~200 bits);
# repeated or patterned strings ("a" * 32, "abab...") fall far below.
MIN_SECRET_BITS = 96
# What the imprint, privacy notice and accessibility statement must name for real in production.
LEGAL_KEYS = (
    "OPERATOR_NAME",
    "OPERATOR_ADDRESS",
    "OPERATOR_EMAIL",
    "OPERATOR_LEGAL_FORM",
    "OPERATOR_REPRESENTATIVE",
    "OPERATOR_PHONE",
    "CONTENT_RESPONSIBLE",
    "DPO_NAME",
    "DPO_ADDRESS",
    "DPO_EMAIL",
    "HOSTING_PROVIDER",
    "MAIL_PROVIDER",
    "SUPERVISORY_AUTHORITY",
    "ACCESSIBILITY_CONTACT",
    "ACCESSIBILITY_ENFORCEMENT",
)


# Reserved example domains (RFC 2606) and the loopback name: never a real contact.
_PLACEHOLDER_DOMAIN = re.compile(r"\.example\b|@example\.(org|com|net)\b|\blocalhost\b", re.I)


def is_placeholder(value: Any) -> bool:
    """Empty, ``[to be filled in]`` or an address on a reserved example domain."""
    text = str(value or "").strip()
    return not text or "[" in text or bool(_PLACEHOLDER_DOMAIN.search(text))


def legal_placeholders(config: dict[str, Any]) -> list[str]:
    return [key for key in LEGAL_KEYS if is_placeholder(config.get(key))]


class ConfigError(RuntimeError):
    """Raised at start-up for a configuration that must not run."""


#: Licences the open data may carry: id -> (name, URL). An unknown id refuses to start.
LICENCES: dict[str, tuple[str, str]] = {
    "dl-de/by-2-0": (
        "Datenlizenz Deutschland – Namensnennung – Version 2.0",
        "https://www.govdata.de/dl-de/by-2-0",
    ),
    "dl-de/zero-2-0": (
        "Datenlizenz Deutschland – Zero – Version 2.0",
        "https://www.govdata.de/dl-de/zero-2-0",
    ),
    "cc-by-4.0": (
        "Creative Commons Namensnennung 4.0 International",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
}


def finalise(config: dict[str, Any], instance_path: Path) -> None:
    """Fill derived values and refuse unsafe production settings.

    Called once by ``create_app`` after defaults, environment and the test mapping are merged.
    """
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = f"sqlite:///{instance_path / 'mitwirken.sqlite3'}"
    if config.get("OPEN_DATA_LICENCE") not in LICENCES:
        raise ConfigError(
            f"VOLUNTEER_OPEN_DATA_LICENCE must be one of {', '.join(LICENCES)}, "
            f"not {config.get('OPEN_DATA_LICENCE')!r}."
        )
    secret = config.get("SECRET_KEY")
    production = config.get("ENV") == "production"
    if production:
        problems = production_problems(config)
        if problems:
            raise ConfigError("Refusing to start in production: " + "; ".join(problems) + ".")
        if config.get("TRUSTED_HOSTS") is None:
            config["TRUSTED_HOSTS"] = [urlsplit(str(config["BASE_URL"])).hostname]
    if not secret:
        config["SECRET_KEY"] = _instance_secret(instance_path)
    secure = config.get("COOKIE_SECURE")
    if secure is None:
        secure = not (config.get("DEBUG") or config.get("TESTING"))
    config["SESSION_COOKIE_SECURE"] = bool(secure)
    config["REMEMBER_COOKIE_SECURE"] = bool(secure)


def secret_bits(secret: str) -> float:
    """Estimated entropy of a secret in bits: its length times the Shannon entropy of its
    characters, lowered for short repeating patterns ("abab..." counts as "ab")."""
    if not secret:
        return 0.0
    for size in range(1, len(secret) // 2 + 1):
        if len(secret) % size == 0 and secret[:size] * (len(secret) // size) == secret:
            secret = secret[:size]
            break
    counts = Counter(secret)
    per_char = -sum(n / len(secret) * math.log2(n / len(secret)) for n in counts.values())
    return per_char * len(secret)


def production_problems(config: dict[str, Any]) -> list[str]:
    """Every reason this configuration must not serve the public (empty: it may)."""
    problems = []
    secret = str(config.get("SECRET_KEY") or "")
    if secret.lower() in _PLACEHOLDER_SECRETS or len(secret) < 32:
        problems.append(
            "VOLUNTEER_SECRET_KEY must be set (at least 32 random characters, "
            "the same on every node)"
        )
    elif secret_bits(secret) < MIN_SECRET_BITS:
        problems.append("VOLUNTEER_SECRET_KEY is not random enough (use secrets.token_urlsafe(48))")
    if config.get("DEBUG"):
        problems.append("DEBUG must be off")
    if config.get("TESTING"):
        problems.append("TESTING must be off")
    if config.get("COOKIE_SECURE") is False:
        problems.append("COOKIE_SECURE must not be false (cookies only over HTTPS)")
    base = urlsplit(str(config.get("BASE_URL") or ""))
    if base.scheme != "https" or not base.hostname:
        problems.append("VOLUNTEER_BASE_URL must be the public https:// address")
    elif _is_local(base.hostname) or base.hostname.endswith(".example"):
        problems.append("VOLUNTEER_BASE_URL must not be a loopback or example host")
    if not config.get("RATELIMIT_ENABLED"):
        problems.append("rate limits must stay enabled")
    storage = str(config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if storage.startswith("memory://") and config.get("WORKERS") != 1:
        problems.append(
            "memory:// rate limits count per process: set VOLUNTEER_RATELIMIT_STORAGE_URI to a "
            "shared store (redis://...) or VOLUNTEER_WORKERS=1"
        )
    for key in (
        *legal_placeholders(config),
        *(["MAIL_FROM"] if is_placeholder(config.get("MAIL_FROM")) else []),
    ):
        problems.append(f"VOLUNTEER_{key} still holds a placeholder ({config.get(key)!r})")
    return problems


def _is_local(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost") or host.endswith(".local"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_unspecified


def _instance_secret(instance_path: Path) -> str:
    """Read the secret from instance/, creating it once, so restarts keep sessions valid."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value
