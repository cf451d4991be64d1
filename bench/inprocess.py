"""In-process measurements with the Flask test client: SQL per page, SQL time, a profile."""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

SKIP = ("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA", "COMMIT", "ROLLBACK")


@dataclass
class SqlTrace:
    statements: list[tuple[str, float]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    @property
    def total_ms(self) -> float:
        return sum(ms for _, ms in self.statements)

    def slowest(self, n: int = 3) -> list[tuple[str, float]]:
        return sorted(self.statements, key=lambda s: -s[1])[:n]


@contextmanager
def trace_sql(engine):
    """Record every statement the engine runs, with its time, like tests' count_queries."""
    trace, started = SqlTrace(), {}

    def before(conn, cursor, statement, *args):
        started[id(cursor)] = time.perf_counter()

    def after(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(SKIP):
            return
        ms = (time.perf_counter() - started.pop(id(cursor), time.perf_counter())) * 1000
        trace.statements.append((" ".join(statement.split()), ms))

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    try:
        yield trace
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)


@dataclass
class InProcess:
    status: int
    queries: int
    small_queries: int | None
    request_ms: float
    sql_ms: float
    cpu_ms: float
    slowest: list[tuple[str, float]]
    stub: bool = False
    profile_path: Path | None = None


class Client:
    """A signed-in Flask test client for the bench agent.

    No app context stays pushed between requests: each request gets its own, as under a
    server, so `g`, the signed-in user and the database session start empty every time (with
    one kept pushed, requests would share them and skip loading the session and settings).
    """

    def __init__(self, app, email: str):
        from flask_login import FlaskLoginClient

        from app.extensions import db
        from app.models import User
        from app.services import users as user_service

        self.app = app
        app.logger.disabled = True  # a failing page is reported by its status, not a traceback
        app.test_client_class = FlaskLoginClient
        with app.app_context():
            user = db.session.scalar(sa.select(User).where(User.email == email))
            user_service.start_session(user)
            db.session.commit()
            self.engine = db.engine
            self.client = app.test_client(user=user)

    def close(self) -> None:
        self.engine.dispose()

    def get(self, path: str, headers: dict | None = None):
        return self.client.get(path, headers=headers or {})

    def measure(self, path: str, small: str | None, headers: dict,
                profile_to: Path | None = None, repeat: int = 20) -> InProcess:
        """Queries for one request (and its small variant), the SQL time, and a profile."""
        self.get(path, headers)  # warm: templates compiled, caches filled
        cpu_ms = request_ms = float("inf")
        for _ in range(3):  # the best of three: the cost of the page, less the machine's noise
            with trace_sql(self.engine) as attempt:
                began, cpu = time.perf_counter(), time.process_time()
                response = self.get(path, headers)
                elapsed = (time.perf_counter() - began) * 1000
            cpu_ms = min(cpu_ms, (time.process_time() - cpu) * 1000)
            if elapsed < request_ms:
                request_ms, trace = elapsed, attempt
        small_queries = None
        if small:
            self.get(small, headers)
            with trace_sql(self.engine) as small_trace:
                self.get(small, headers)
            small_queries = small_trace.count
        body = response.get_data()
        # A placeholder view answers a bare word; a built page is a document or a real fragment.
        stub = (b"<html" not in body) if not headers else (len(body) < 40 and trace.count == 0)
        result = InProcess(response.status_code, trace.count, small_queries, request_ms,
                           trace.total_ms, cpu_ms, trace.slowest(), stub)
        if profile_to is not None and not stub and response.status_code == 200:
            result.profile_path = self.profile(path, headers, profile_to, repeat)
        return result

    def profile(self, path: str, headers: dict, target: Path, repeat: int) -> Path | None:
        """A pyinstrument profile of `repeat` requests, saved as text (None if not installed)."""
        try:
            from pyinstrument import Profiler
        except ImportError:
            return None
        profiler = Profiler(interval=0.0005)
        deadline = time.perf_counter() + 8
        profiler.start()
        for _ in range(repeat):
            self.get(path, headers)
            if time.perf_counter() > deadline:
                break
        profiler.stop()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
        return target
