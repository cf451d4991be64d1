"""Request hooks, security headers, error pages and template helpers."""
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import (
    Flask, current_app, flash, g, has_request_context, make_response, redirect,
    render_template, request, url_for,
)
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

from app import access
from app.extensions import db, login_manager
from app.htmx import is_fragment_request
from app.models import User, UserSession
from app.models.common import utcnow
from app.models.users import zone_named
from app.services import outbox

# Mail still failing after this long is worth an admin's look (retries are minutes apart).
MAIL_ALERT_AFTER = timedelta(minutes=15)
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'")
# The portal's own policy: nothing by default, only its own styles, scripts and images; it is
# never framed (staff pages may frame each other, customers' pages have no reason to be).
PORTAL_CSP = ("default-src 'none'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
              "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")

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
    app.add_template_filter(to_local)
    app.add_template_filter(or_dash)
    app.add_template_filter(case_number)
    app.add_template_filter(status_badge)
    app.add_template_filter(priority_badge)
    app.add_template_global(time_zone_name)
    app.context_processor(layout_context)


def layout_context() -> dict:
    """The left navigation; none outside a request (emails render templates too)."""
    if not has_request_context():
        return {"nav_items": [], "mail_is_failing": lambda: False}
    return {"nav_items": nav_items(current_user, request.path), "mail_is_failing": mail_is_failing}


def mail_is_failing() -> bool:
    """For admins: has a message been failing for longer than MAIL_ALERT_AFTER? Called by the
    layout only, so it costs one query per admin page and none for fragments or agents."""
    if not (current_user.is_authenticated and current_user.is_admin):
        return False
    return outbox.has_failing_mail(since=utcnow() - MAIL_ALERT_AFTER)


def nav_items(user, path: str = "") -> list[tuple[str, str, bool]]:
    """The left navigation for this user: (label, endpoint, is the current area)."""
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        return []
    items = [("Cases", "cases.list_cases", ("/cases",)),
             ("Accounts", "accounts.list_accounts", ("/accounts",)),
             ("Contacts", "accounts.list_contacts", ("/contacts",)),
             ("My tasks", "cases.my_tasks", ("/cases/tasks",)),
             ("Knowledge", "knowledge.home", ("/knowledge",)),
             ("Entitlements", "entitlements.list_contracts", ("/entitlements",))]
    if user.is_admin:
        items.append(("Admin", "admin.list_users", ("/admin", "/teams")))
    # The longest matching prefix wins, so /cases/tasks lights up My tasks, not Cases.
    best = max((p for _, _, prefixes in items for p in prefixes if path.startswith(p)),
               key=len, default=None)
    return [(label, endpoint, best in prefixes) for label, endpoint, prefixes in items]


def load_user(token: str) -> User | None:
    """Find the user behind a session token; a revoked session or inactive user signs out."""
    user_session = db.session.get(UserSession, token)  # its user comes joined
    if user_session is None or not user_session.user.active:
        return None
    user = user_session.user
    user.session_token = token
    return user


def in_portal() -> bool:
    """True while answering a customer portal URL (it has its own sign-in and layout)."""
    return has_request_context() and request.blueprint == "portal"


def is_customer() -> bool:
    """True when a customer is signed in (a staff page's error shows them the portal's)."""
    return not current_user.is_anonymous and getattr(current_user, "role", "") == "customer"


def send_to_sign_in():
    """Anonymous: htmx gets 401 with HX-Redirect, a browser a redirect to sign-in (the
    portal's own for portal URLs)."""
    sign_in = "portal.login" if in_portal() else "auth.login"
    target = request.full_path if request.method == "GET" else request.path
    if request.headers.get("HX-Request") == "true":
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        target = current.path + (f"?{current.query}" if current.query else "") or target
        response = make_response("", 401)
        response.headers["HX-Redirect"] = url_for(sign_in, next=target)
        return response
    flash("Please sign in to continue.", "info")
    return redirect(url_for(sign_in, next=target.rstrip("?")))


def guard_route():
    """Deny by default: every endpoint needs a signed-in user of a role its area allows."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in access.PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return send_to_sign_in()
    if not access.may_use_endpoint(current_user, endpoint):
        return refuse_area()
    return None


def refuse_area():
    """A signed-in user outside their area: a customer on a staff page is sent to the portal,
    staff on a portal page to their cases (page loads); htmx and posts get 403, with an
    HX-Redirect to where they belong; an agent on an admin page gets 403. Nothing of the page
    asked for is shown."""
    if current_user.is_staff and not in_portal():
        return error_response(403)  # an agent on an admin page
    home = url_for("cases.list_cases" if current_user.is_staff else "portal.my_cases")
    if request.method == "GET" and not is_fragment_request():
        return redirect(home)
    response = error_response(403)
    if request.headers.get("HX-Request") == "true":
        response.headers["HX-Redirect"] = home
    return response


def add_headers(response):
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY" if in_portal() else "SAMEORIGIN")
    headers.setdefault("Content-Security-Policy", PORTAL_CSP if in_portal() else CSP)
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
    page = "portal/error.html" if in_portal() or is_customer() else "errors/error.html"
    return make_response(render_template(page, status=status, message=message), status)


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
    return to_local(value).strftime(fmt)


def to_local(value: datetime) -> datetime:
    """A stored UTC time in the signed-in user's time zone (to format it several ways)."""
    return value.astimezone(user_zone())


def or_dash(value):
    """The value, or an em dash for none."""
    return "\u2014" if value is None else value


def case_number(value: int) -> str:
    return f"{value:08d}"


def _badge(kind: str, value: str) -> Markup:
    """A coloured label; the value escaped (an f-string: Markup.format's pure-Python
    formatter cost a list page a tenth of its time, two badges a row)."""
    text = escape(value)
    css = text.lower().replace(" ", "-")
    return Markup(f'<span class="badge {kind}-{css}">{text}</span>')


def status_badge(status: str) -> Markup:
    return _badge("status", status)


def priority_badge(priority: str) -> Markup:
    return _badge("priority", priority)
