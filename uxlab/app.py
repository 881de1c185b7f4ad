"""The application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, ServiceUnavailable
from werkzeug.middleware.proxy_fix import ProxyFix

from uxlab import __version__, security_headers, static_assets
from uxlab.api.common import RETRY_AFTER_S, ApiSessionInterface
from uxlab.api.events_wsgi import EventsEndpoint
from uxlab.config import app_config, instance_secret_key
from uxlab.converters import DatabaseIntegerConverter
from uxlab.extensions import close_db_session, csrf, db_session, login_manager
from uxlab.i18n import catalogue
from uxlab.schema import open_database


def configured_app(config: dict[str, Any] | None = None) -> Flask:
    """A Flask object with uxlab's settings (defaults, then ``UXLAB_*`` variables, then
    ``config``), its secret key and its session cookies, and no routes yet.

    The web app starts from it; the ingestion server (:mod:`uxlab.ingest`) uses it as it is, so
    that both read the same configuration and the same signed cookies and tokens.
    """
    settings = app_config(config)
    app = Flask(__name__, instance_path=settings["INSTANCE_PATH"])
    app.url_map.converters["int"] = DatabaseIntegerConverter  # before any route is added
    app.config.update(settings)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))
    app.session_interface = ApiSessionInterface()
    return app


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create the uxlab app: defaults, then ``UXLAB_*`` variables, then ``config``."""
    app = configured_app(config)
    # The recorder's batches skip Flask's request machinery (uxlab/api/events_wsgi.py); inside
    # the proxy fixes below, so that it sees the scheme and address they restore.
    app.wsgi_app = EventsEndpoint(app, app.wsgi_app)
    if int(app.config["TRUSTED_PROXIES"]):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["TRUSTED_PROXIES"]))
    db = open_database(app.config["DATABASE_URL"], check_schema=app.config["CHECK_SCHEMA"],
                       pool_size=app.config["DATABASE_POOL_SIZE"])
    app.extensions["uxlab.db"] = db
    app.teardown_appcontext(close_db_session)

    csrf.init_app(app)
    static_assets.init_app(app)
    security_headers.init_app(app)
    catalogue.init_app(app)
    login_manager.init_app(app)

    @login_manager.user_loader
    def load_user(user_id: str):
        from uxlab.accounts.service import user_for_session

        return user_for_session(db_session(), user_id)

    @app.context_processor
    def template_globals():
        return {"uxlab_version": __version__}

    from uxlab.participants.instruments import instrument_label
    from uxlab.reports.formatting import duration
    from uxlab.safe_urls import safe_url
    from uxlab.screening.spec import NO_ANSWER

    app.jinja_env.globals["no_answer"] = NO_ANSWER  # the segment filters' tick box
    app.add_template_filter(instrument_label)
    app.add_template_filter(duration)
    app.add_template_filter(safe_url)

    from uxlab.admin.views import bp as admin_bp
    from uxlab.api import bp as api_bp
    from uxlab.auth.account_views import bp as account_bp
    from uxlab.auth.views import bp as auth_bp
    from uxlab.cx.views import bp as cx_bp
    from uxlab.moderation.link_views import bp as observer_links_bp
    from uxlab.moderation.runner_control import bp as moderated_runner_bp
    from uxlab.moderation.views import bp as moderation_bp
    from uxlab.observations.views import bp as observations_bp
    from uxlab.participants.prototypes import bp as prototypes_bp
    from uxlab.participants.views import bp as participant_bp
    from uxlab.privacy.views import bp as privacy_bp
    from uxlab.researcher import bp as researcher_bp
    from uxlab.sharing.views import bp as sharing_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(researcher_bp)
    app.register_blueprint(cx_bp)
    app.register_blueprint(observations_bp)
    app.register_blueprint(participant_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(prototypes_bp)
    app.register_blueprint(sharing_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(moderated_runner_bp)
    app.register_blueprint(observer_links_bp)
    app.add_url_rule("/", endpoint="index", view_func=_index)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    return app


def _http_error(exc: HTTPException):
    """Render HTTP errors as a page, or as JSON under /api/ (the body names the problem)."""
    from flask import render_template, request

    from uxlab.participants import errors as participant_errors

    if request.path.startswith("/api/"):
        from uxlab.api.common import http_error_response

        return http_error_response(exc)
    if request.path.startswith(participant_errors.PARTICIPANT_PATHS):
        return participant_errors.http_error(exc)
    allow = [(name, value) for name, value in exc.get_headers() if name == "Allow"]  # a 405's
    return render_template("error.html", code=exc.code, name=exc.name,
                           description=exc.description), exc.code, allow


def _database_unavailable(exc: OperationalError):
    """A page (or JSON under /api/) with 503 and ``Retry-After`` while the database cannot be
    reached or written (a restarting server, a full or read-only disk, a lock held too long):
    the request's transaction was not committed, and a reload in a moment may work. Any other
    OperationalError (SQLite's for a query naming no such column, say) is a bug: a 500.

    The failed session is closed without a rollback, which would expire what the request had
    read (the logged-in user, the participant's study and language) and leave the page unable
    to draw; a new reading session serves the page. Plain text when even that fails."""
    from flask import current_app, g, make_response

    from uxlab.db import database_unavailable
    from uxlab.extensions import database

    if not database_unavailable(exc):
        raise exc
    current_app.logger.error("database unavailable: %s", getattr(exc, "orig", exc))
    failed = g.pop("db_session", None)
    if failed is not None:
        try:
            failed.close()
        except SQLAlchemyError:
            failed.invalidate()
    g.db_session = database().read_sessions()
    message = "The database cannot be reached or written right now. Please try again in a moment."
    try:
        response = make_response(_http_error(ServiceUnavailable(message)))
    except SQLAlchemyError:
        response = make_response((message, 503, {"Content-Type": "text/plain; charset=utf-8"}))
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


def _index():
    """Send visitors to the researcher's study list (which asks them to log in)."""
    from flask import redirect, url_for

    return redirect(url_for("researcher.study_list"))
