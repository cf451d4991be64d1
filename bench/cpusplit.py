"""Where the CPU goes under load: the workers, the database server, the load client.

Read from /proc around the concurrent run of a page and divided by the requests it served, so
a page's cost is seen whole: on a small machine all three share the same cores.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pids: list[int]) -> float:
    """User and system time of these processes (utime + stime in /proc/<pid>/stat)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / TICKS


def _machine_seconds() -> float:
    """CPU time the whole machine spent busy (every column of /proc/stat but idle and iowait)."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / TICKS


def database_pids() -> list[int]:
    """The PostgreSQL server's processes on this machine (none for SQLite)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().startswith("postgres"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


@dataclass
class CpuSplit:
    """CPU milliseconds per request."""

    workers: float
    database: float
    client: float
    machine: float

    def label(self) -> str:
        return (f"workers {self.workers:.2f}, database {self.database:.2f}, "
                f"load client {self.client:.2f}, machine {self.machine:.2f}")


class CpuMeter:
    """with CpuMeter(worker_pids) as meter: <load>; meter.per_request(n)."""

    def __init__(self, worker_pids: list[int]):
        self.workers = worker_pids
        self.database = database_pids()

    def _read(self) -> tuple[float, float, float, float]:
        return (_cpu_seconds(self.workers), _cpu_seconds(self.database), time.process_time(),
                _machine_seconds())

    def __enter__(self) -> CpuMeter:
        self.before = self._read()
        return self

    def __exit__(self, *exc) -> None:
        self.after = self._read()

    def per_request(self, requests: int) -> CpuSplit:
        spent = [(after - before) * 1000 / max(1, requests)
                 for before, after in zip(self.before, self.after)]
        return CpuSplit(*spent)
