"""Request hooks, security headers, error pages and template helpers."""
import functools
from datetime import datetime, timezone
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import (
    Flask, abort, flash, g, has_request_context, make_response, redirect, render_template, request,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached
from werkzeug.exceptions import HTTPException

from app import access
from app.extensions import db, login_manager
from app.forms import csrf_token
from app.htmx import is_fragment_request
from app.models import User, UserSession
from app.models.users import zone_named
from app.services import settings as settings_service

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'")

ERROR_MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have access to this page.",
    404: "We could not find that page, or you do not have access to it.",
    405: "That action is not allowed here.",
    409: "Someone else changed this record while you were editing it.",
    413: "That upload is too large.",
    429: "Too many attempts. Please wait a minute and try again.",
    500: "Something went wrong on our side. Nothing you saved was lost; please try again.",
}


def init_app(app: Flask) -> None:
    """Wire hooks, handlers and template helpers into the app."""
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(send_to_sign_in)
    app.before_request(guard_route)
    app.after_request(add_headers)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)
    app.add_template_filter(localtime)
    app.add_template_filter(or_dash)
    app.add_template_filter(case_number)
    app.add_template_filter(status_badge)
    app.add_template_filter(priority_badge)
    app.add_template_filter(select_options)
    app.add_template_global(fixed_url)
    app.add_template_global(time_zone_name)
    app.add_template_global(csrf_token)  # in place of Flask-WTF's own (macros see globals)
    app.context_processor(layout_context)


def fixed_url(endpoint: str, **values) -> str:
    """url_for for a link that is the same on every request (the layout's static files and
    navigation): worked out once per script root instead of ten times a page."""
    return _fixed_url(request.script_root, endpoint, tuple(values.items()))


@functools.lru_cache(maxsize=256)
def _fixed_url(_script_root: str, endpoint: str, values: tuple) -> str:
    return url_for(endpoint, **dict(values))


def layout_context() -> dict:
    """The left navigation, and csrf_token in place of the one Flask-WTF's own context
    processor gave (this one runs later); no navigation outside a request (emails render
    templates too)."""
    if not has_request_context():
        return {"nav_items": []}
    return {"nav_items": access.nav_items(current_user, request.path), "csrf_token": csrf_token}


# Built once: every signed-in request runs it, and building it costs more than running it.
# The org settings come along, so most requests read them without a query of their own. The
# user comes as plain columns and joins the session as if a query had loaded it (_as_loaded):
# the ORM's loading machinery cost 0.07 ms a request.
USER_COLUMNS = tuple(User.__table__.columns)
USER_ATTRIBUTES = tuple(sa.inspect(User).get_property_by_column(column).key
                        for column in USER_COLUMNS)
SESSION_WITH_USER = (sa.select(*USER_COLUMNS, settings_service.ALL_SETTINGS)
                     .join(UserSession, UserSession.user_id == User.id)
                     .where(UserSession.id == sa.bindparam("token")))


def load_user(token: str):
    """Find the user behind a session token; a revoked session or inactive user signs out."""
    row = db.session.connection().execute(SESSION_WITH_USER, {"token": token}).first()
    if row is None:
        return None
    *values, stored_settings = row
    settings_service.keep_stored_settings(stored_settings)
    user = _as_loaded(dict(zip(USER_ATTRIBUTES, values)))
    if not user.active:
        return None
    user.session_token = token
    return user


def _as_loaded(values: dict) -> User:
    """The user with these column values, in the session as a query would have loaded it (the
    one already there, if any, as a query would also give)."""
    session = db.session()
    user = session.identity_map.get(session.identity_key(User, (values["id"],)))
    if user is None:
        user = User(**values)
        make_transient_to_detached(user)  # as if loaded by a query: unchanged, not new
        session.add(user)  # and now the session's own
    return user


def send_to_sign_in():
    """Anonymous: htmx gets 401 with HX-Redirect, a browser a redirect to sign-in."""
    target = request.full_path if request.method == "GET" else request.path
    if request.headers.get("HX-Request") == "true":
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        target = current.path + (f"?{current.query}" if current.query else "") or target
        response = make_response("", 401)
        response.headers["HX-Redirect"] = url_for("auth.login", next=target)
        return response
    flash("Please sign in to continue.", "info")
    return redirect(url_for("auth.login", next=target.rstrip("?")))


def guard_route():
    """Deny by default: every endpoint needs a signed-in user of a role its area allows."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in access.PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return send_to_sign_in()
    if not access.may_use_endpoint(current_user, endpoint):
        if not current_user.is_staff and request.method == "GET" and not is_fragment_request():
            return redirect(url_for("auth.welcome"))  # a customer opened a staff page
        abort(403)
    return None


def add_headers(response):
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("Content-Security-Policy", CSP)
    response.vary.add("HX-Request")
    # A signed-in user's pages are private. is_anonymous reads no column: is_authenticated
    # would read `active` and reload a user the view's commit expired (only active users load).
    if not current_user.is_anonymous:
        headers.setdefault("Cache-Control", "no-store")
    return response


def error_response(status: int, message: str | None = None):
    """An error as a whole page, or as a flash fragment htmx shows above the page."""
    message = message or ERROR_MESSAGES.get(status, "Something went wrong.")
    if is_fragment_request():
        response = make_response(render_template("_flash_error.html", message=message), status)
        response.headers["HX-Retarget"] = "#flash-messages"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    return make_response(render_template("errors/error.html", status=status, message=message),
                         status)


def handle_csrf_error(error: CSRFError):
    return error_response(400, "Your session expired or the form was already used. "
                               "Reload the page and try again; nothing was saved.")


def handle_http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if error.code == 413:
        limit = int(request.max_content_length or 0) // (1024 * 1024)
        return error_response(413, f"That upload is too large. The limit is {limit} MB; "
                                   "nothing was saved.")
    return error_response(error.code, None if error.code in ERROR_MESSAGES else error.description)


def handle_unexpected_error(error: Exception):
    db.session.rollback()
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    from flask import current_app

    current_app.logger.exception("Unhandled error")
    if current_app.config.get("TESTING") and current_app.config.get("PROPAGATE_TEST_ERRORS", True):
        raise error
    return error_response(500)


def user_zone() -> ZoneInfo:
    """The signed-in user's time zone (User.zone; UTC for a visitor), once per request."""
    zone = g.get("user_zone")
    if zone is None:
        zone = g.user_zone = getattr(current_user, "zone", None) or zone_named("UTC")
    return zone


def time_zone_name() -> str:
    """The name of the zone localtime shows times in (for a title on each <time>)."""
    return user_zone().key


def localtime(value: datetime | None, fmt: str = "%d %b %Y, %H:%M") -> str:
    """Show a stored UTC time in the signed-in user's time zone."""
    if value is None:
        return ""
    return value.astimezone(user_zone()).strftime(fmt)


EM_DASH = Markup("&mdash;")


def or_dash(value):
    """The value, or an em dash for none (as an entity: a page of ASCII text stays one byte a
    character in Python and needs no re-encoding)."""
    return EM_DASH if value is None else value


def case_number(value: int) -> str:
    return f"{value:08d}"


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def time_cell(value: datetime | None, zone: ZoneInfo) -> Markup:
    """A table cell's date and time in a zone, converted once (list rows). A time without a
    zone is a stored one, read as it is in the database: UTC."""
    if value is None:
        return Markup("")
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    local = value.astimezone(zone)
    # Built directly (a list formats a hundred of these): digits and month names, no markup;
    # the same text as strftime("%d %b %Y") and ("%H:%M") give.
    return Markup(f'<time datetime="{value.isoformat()}" title="{zone.key}">{local.day:02d} '
                  f'{MONTHS[local.month - 1]} {local.year}<span class="time">'
                  f'{local.hour:02d}:{local.minute:02d}</span></time>')


@functools.lru_cache(maxsize=64)
def _badge(kind: str, value: str) -> Markup:
    css = value.lower().replace(" ", "-")
    return Markup('<span class="badge {}-{}">{}</span>').format(kind, css, value)


def select_options(field) -> Markup:
    """A select field's <option>s, the chosen one selected (filter bars render them often)."""
    choices = tuple((str(choice.value), str(choice.label)) for choice in field.choices)
    return _options(choices, "" if field.data is None else str(field.data))


@functools.lru_cache(maxsize=128)
def _options(choices: tuple[tuple[str, str], ...], selected: str) -> Markup:
    chosen = Markup(" selected")
    return Markup("").join(
        Markup('<option value="{}"{}>{}</option>').format(value, chosen if value == selected
                                                          else "", label)
        for value, label in choices)


def status_badge(status: str) -> Markup:
    return _badge("status", status)


def priority_badge(priority: str) -> Markup:
    return _badge("priority", priority)
