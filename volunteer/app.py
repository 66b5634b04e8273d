"""The app factory: the only composition root of the web app."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from volunteer.config import DEFAULTS, finalise
from volunteer.platform import db, i18n
from volunteer.platform.extensions import csrf, limiter
from volunteer.web import (
    anonymous_pages,
    auth,
    errors,
    inputs,
    observability,
    security,
    templating,
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then ``VOLUNTEER_*`` environment variables, then ``config``."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("VOLUNTEER")
    if config:
        app.config.from_mapping(config)
    finalise(app.config, Path(app.instance_path))
    app.template_folder = app.config["TEMPLATES_DIR"]
    if app.config.get("PROXY_HOPS"):
        # Behind a load balancer: trust its X-Forwarded-* headers (rate limits key on the client).
        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    inputs.install_converters(app)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    observability.init_app(app)
    inputs.init_app(app)
    db.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    anonymous_pages.init_app(app)
    _register_blueprints(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from volunteer.web.accounts import bp as accounts_bp
    from volunteer.web.api import bp as api_bp
    from volunteer.web.certificates import bp as certificates_bp
    from volunteer.web.coordination import bp as coordination_bp
    from volunteer.web.inbox import bp as inbox_bp
    from volunteer.web.notices import bp as notices_bp
    from volunteer.web.opportunities import bp as opportunities_bp
    from volunteer.web.organisations import bp as organisations_bp
    from volunteer.web.pages import bp as pages_bp
    from volunteer.web.volunteers import bp as volunteers_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(coordination_bp)
    app.register_blueprint(inbox_bp)
    app.register_blueprint(notices_bp)
    app.register_blueprint(opportunities_bp)
    app.register_blueprint(volunteers_bp)
    app.register_blueprint(organisations_bp)
