"""The Flask application: configuration, the Couchbase connection, sessions and CSRF
tokens, error pages and the welcome page. The beer and brewery routes are in routes.py."""
import hmac
import os
import secrets

from flask import Flask, abort, current_app, g, jsonify, render_template, request, session
from flask_bootstrap import Bootstrap5
from werkzeug.exceptions import HTTPException

from couchbase import Couchbase
from couchbase.exceptions import CouchbaseError

from .pool import ConnectionPool

DEFAULTS = {
    "DATABASE": "beer-sample",
    "HOST": "127.0.0.1",
    "PORT": 8091,  # the cluster's REST port
    "BUCKET_PASSWORD": None,
    "POOL_SIZE": 4,  # connections shared by the request threads
    "ENTRIES_PER_PAGE": 30,
    "VIEW_STALE": False,  # listings show what was just saved
    "CSRF_ENABLED": True,
    "BOOTSTRAP_SERVE_LOCAL": True,  # Bootstrap from the package, no CDN
    "SESSION_COOKIE_SAMESITE": "Lax",
}

def connect_db(app):
    return Couchbase.connect(bucket=app.config["DATABASE"], host=app.config["HOST"],
                             port=app.config["PORT"], password=app.config["BUCKET_PASSWORD"])


def get_db():
    """This request's connection, taken from the application's pool for the request's
    duration (or the one connection set as ``app.extensions["couchbase"]``)."""
    fixed = current_app.extensions.get("couchbase")
    if fixed is not None:
        return fixed
    if "db" not in g:
        g.db = current_app.extensions["couchbase_pool"].acquire()
    return g.db


def _release_db(exc=None):
    db = g.pop("db", None)
    if db is not None:
        current_app.extensions["couchbase_pool"].release(db)


def session_id():
    """A random id for this browser session (kept in the signed session cookie)."""
    sid = session.get("sid")
    if not sid:
        sid = session["sid"] = secrets.token_hex(16)
    return sid


def csrf_token():
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(24)
    return token


def wants_json():
    return (request.path.endswith("/search") or request.accept_mimetypes.best == "application/json"
            or request.headers.get("X-Requested-With") == "fetch")


def _check_csrf():
    if request.method != "POST" or not current_app.config["CSRF_ENABLED"]:
        return
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    token = session.get("csrf")
    if not token or not hmac.compare_digest(sent, token):
        abort(400, description="This form has expired or did not come from this site. "
                               "Reload the page and try again.")


def _error_page(e):
    if wants_json():
        return jsonify(error=e.description), e.code
    return render_template("error.html", code=e.code, title=e.name, message=e.description), e.code


def _database_error(e):
    description = "The database did not answer as expected (%s). Try again in a moment." % type(e).__name__
    if wants_json():
        return jsonify(error=description), 503
    return render_template("error.html", code=503, title="Database unavailable", message=description), 503


def create_app(config=None):
    """The application; ``config`` overrides DEFAULTS (HOST, PORT, DATABASE, ...)."""
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config["SECRET_KEY"] = os.environ.get("BEERSAMPLE_SECRET_KEY") or secrets.token_hex(32)
    app.config.update(config or {})
    Bootstrap5(app)
    app.extensions["couchbase_pool"] = ConnectionPool(lambda: connect_db(app), app.config["POOL_SIZE"])
    app.teardown_appcontext(_release_db)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.before_request(_check_csrf)
    app.register_error_handler(HTTPException, _error_page)
    app.register_error_handler(CouchbaseError, _database_error)

    from .routes import bp

    app.register_blueprint(bp)

    @app.route("/")
    def welcome():
        db = get_db()
        stale = app.config["VIEW_STALE"]
        counts = {}
        for otype, design in (("beers", "beer"), ("breweries", "brewery")):
            view = db.query(design, "by_name", limit=0, stale=stale)
            list(view)
            counts[otype] = view.indexed_rows
        return render_template("welcome.html", counts=counts)

    app.add_url_rule("/welcome", view_func=welcome)
    return app
