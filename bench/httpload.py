"""A small standard-library HTTP client: a session cookie, sequential timing, concurrent load."""
from __future__ import annotations

import http.client
import re
import statistics
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@dataclass
class Session:
    """One browser: a loopback host, a port and the cookies the server set."""

    port: int
    host: str = "127.0.0.1"
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict | None = None) -> tuple[int, bytes, http.client.HTTPResponse]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        all_headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        all_headers.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for cookie in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data, response

    def get(self, path: str, headers: dict | None = None) -> tuple[int, bytes]:
        status, data, _ = self.request("GET", path, headers=headers)
        return status, data

    def sign_in(self, email: str, password: str, login_path: str = "/login") -> None:
        """Sign in through the real form, CSRF token and all."""
        status, page, _ = self.request("GET", login_path)
        match = CSRF_INPUT.search(page.decode())
        if status != 200 or not match:
            raise RuntimeError(f"sign-in page answered {status} without a CSRF token")
        token = match.group(1) or match.group(2)
        form = urlencode({"csrf_token": token, "email": email, "password": password})
        status, _, response = self.request("POST", login_path, body=form)
        if status not in (302, 303):
            raise RuntimeError(f"sign-in as {email} failed with {status}")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


@dataclass
class Latency:
    p50_ms: float
    p95_ms: float
    mean_ms: float
    errors: int
    status: int
    size: int
    count: int


def sequential(session: Session, path: str, count: int, headers: dict | None = None,
               warmup: int = 5, max_seconds: float = 15.0) -> Latency:
    """Time up to count GETs one after another, stopping after max_seconds (after a warm-up)."""
    for _ in range(warmup):
        session.get(path, headers)
    times, errors, status, size = [], 0, 0, 0
    deadline = time.perf_counter() + max_seconds
    for _ in range(count):
        if times and time.perf_counter() > deadline:
            break
        began = time.perf_counter()
        status, body = session.get(path, headers)
        times.append((time.perf_counter() - began) * 1000)
        size = len(body)
        errors += status != 200
    return Latency(statistics.median(times), percentile(times, 95), statistics.fmean(times),
                   errors, status, size, len(times))


@dataclass
class Throughput:
    rps: float
    requests: int
    errors: int
    p95_ms: float


def concurrent(session: Session, path: str, clients: int, seconds: float,
               headers: dict | None = None) -> Throughput:
    """Requests per second with `clients` threads looping on the same page for `seconds`."""
    stop_at = time.perf_counter() + seconds
    lock, times, errors = threading.Lock(), [], [0]

    def client():
        own = Session(session.port, session.host, dict(session.cookies))
        local, bad = [], 0
        while time.perf_counter() < stop_at:
            began = time.perf_counter()
            try:
                status, _ = own.get(path, headers)
            except OSError:
                status = 0
            local.append((time.perf_counter() - began) * 1000)
            bad += status != 200
        with lock:
            times.extend(local)
            errors[0] += bad

    began = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return Throughput(len(times) / elapsed, len(times), errors[0],
                      percentile(times, 95) if times else 0.0)
