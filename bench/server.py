"""Run an app under gunicorn (sync workers, loopback) and read its workers' memory."""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from common import BENCH_DIR, ROOT

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn -w N --worker-class sync on 127.0.0.1, started and stopped by this object."""

    def __init__(self, target: str, *, workers: int = 4, env: dict | None = None,
                 chdir: Path = ROOT, log: Path | None = None, probe: str = "/"):
        self.port = free_port()
        self.target, self.workers, self.chdir = target, workers, chdir
        self.env = {**os.environ, **(env or {})}
        self.log = log or BENCH_DIR / "results" / "gunicorn.log"
        self.process: subprocess.Popen | None = None
        self.probe = probe

    def __enter__(self) -> "Gunicorn":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        command = [GUNICORN, "--workers", str(self.workers), "--worker-class", "sync",
                   "--bind", f"127.0.0.1:{self.port}", "--chdir", str(self.chdir),
                   "--timeout", "60", "--log-level", "warning", self.target]
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(command, env=self.env, stdout=log, stderr=log,
                                            start_new_session=True)
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early; see {self.log}")
            if len(self.worker_pids()) >= self.workers and self._answers():
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start in {timeout} s; see {self.log}")

    def _answers(self) -> bool:
        """True once a worker answers the probe path with anything but a server error."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request("GET", self.probe)
            return conn.getresponse().status < 500
        except OSError:
            return False
        finally:
            conn.close()

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def worker_pids(self) -> list[int]:
        """The master's children, read from /proc."""
        master = self.process.pid
        path = Path(f"/proc/{master}/task/{master}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            return []

    def worker_rss_mb(self) -> list[float]:
        """Each worker's resident memory (VmRSS) in MB."""
        sizes = []
        for pid in self.worker_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes.append(int(line.split()[1]) / 1024)
            except FileNotFoundError:
                continue
        return sizes
