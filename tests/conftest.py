"""Test fixtures: a fresh database per test, logged-in clients, query counting, a browser."""
import os
import shutil
import threading
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from flask import g
from flask_login import FlaskLoginClient
from werkzeug.serving import make_server

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.services import users as user_service
from app.mail.sender import stop_sender
from tests.factories import PASSWORD

DB_URI = os.environ.get("CASEBOOK_TEST_DB_URI", "sqlite://")
IS_POSTGRES = DB_URI.startswith("postgresql")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def pytest_report_header(config):
    return f"casebook database: {'postgresql' if IS_POSTGRES else 'sqlite'}"


@pytest.fixture(scope="session")
def postgres_schema():
    """On PostgreSQL: one fresh schema per run, built by the migrations."""
    if not IS_POSTGRES:
        yield None
        return
    from flask_migrate import upgrade

    app = create_app(TestConfig)
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        upgrade()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        db.engine.dispose()
    yield tables


def _fresh_database(app, tables):
    if IS_POSTGRES:
        db.session.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        db.session.commit()
    else:
        db.create_all()


def make_test_app(tables, **overrides):
    class Config(TestConfig):
        pass

    for key, value in overrides.items():
        setattr(Config, key, value)
    app = create_app(Config)
    app.test_client_class = FlaskLoginClient
    # Tests hold one app context across requests; forget the user Flask-Login cached in `g`
    # so each request (and each client) is authenticated afresh, as in production.
    app.before_request_funcs.setdefault(None, []).insert(0, _forget_cached_user)
    return app


def _forget_cached_user() -> None:
    for key in ("_login_user", "user_zone", "settings"):
        g.pop(key, None)


@pytest.fixture
def app(postgres_schema, tmp_path):
    app = make_test_app(postgres_schema, UPLOAD_FOLDER=str(tmp_path / "uploads"))
    with app.app_context():
        _fresh_database(app, postgres_schema)
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(app):
    """login(user) -> a test client signed in as that user through a real server-side session."""

    def _login(user):
        user_service.start_session(user)
        db.session.commit()
        return app.test_client(user=user)

    return _login


@pytest.fixture
def agent(app):
    from tests.factories import make_user

    user = make_user(role="agent", name="Alex Agent", email="alex@example.com")
    db.session.commit()
    return user


@pytest.fixture
def admin(app):
    from tests.factories import make_user

    user = make_user(role="admin", name="Ada Admin", email="ada@example.com")
    db.session.commit()
    return user


@pytest.fixture
def count_queries(app):
    """with count_queries() as counter: ...; counter.count is the number of SQL statements."""

    class Counter:
        count = 0
        statements: list

    @contextmanager
    def _count():
        counter = Counter()
        counter.statements = []

        def _on_execute(conn, cursor, statement, *args):
            if not statement.startswith(("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA")):
                counter.count += 1
                counter.statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", _on_execute)
        try:
            yield counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", _on_execute)

    return _count


def soup(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def csrf_from(response) -> str:
    """The CSRF token a page hands htmx through <body hx-headers>."""
    import json

    body = soup(response).find("body")
    return json.loads(body["hx-headers"])["X-CSRFToken"]


HX = {"HX-Request": "true"}


# Browser tests -------------------------------------------------------------------------------

def chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which("chromium") is not None


@pytest.fixture(scope="session")
def browser():
    if not chromium_available():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium is required (REQUIRE_BROWSER=1) but was not found at {CHROMIUM}")
        pytest.skip("Chromium is not installed (apt-get install chromium chromium-driver)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


@pytest.fixture
def live_server(postgres_schema, tmp_path):
    """The real app with CSRF on, served on a free loopback port."""
    uri = DB_URI if IS_POSTGRES else f"sqlite:///{tmp_path / 'live.db'}"
    app = make_test_app(postgres_schema, SQLALCHEMY_DATABASE_URI=uri, WTF_CSRF_ENABLED=True,
                        UPLOAD_FOLDER=str(tmp_path / "uploads"), PROPAGATE_TEST_ERRORS=False)
    with app.app_context():
        _fresh_database(app, postgres_schema)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.app = app
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    thread.join(timeout=5)
    stop_sender(app)  # a sender left running would poll the next test's database
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page that fails the test on any JavaScript error."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10000)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    assert errors == [], f"JavaScript errors in the browser: {errors}"


def sent_to_portal(response) -> bool:
    """A customer who opened a staff page is redirected to the portal, shown nothing of it."""
    return response.status_code == 302 and response.headers["Location"].endswith("/portal/")


def sign_in(page, live_server, email, password=None, *, portal=False):
    """Sign in through the real form in the browser; lands on the case list (on My cases for
    the portal's form)."""
    prefix = "/portal" if portal else ""
    page.goto(live_server.url + prefix + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password or PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/portal/" if portal else "**/cases/")


def sign_in_portal(page, live_server, email, password=None):
    """Sign a customer in through the portal's real form in the browser; lands on My cases."""
    sign_in(page, live_server, email, password, portal=True)
