"""Instructions and cache misses per request, counted by valgrind: figures that do not move
with the machine's load, for an A/B of a change on a noisy machine.

    .venv/bin/python bench/instructions.py [--database-url URL] [--path /cases/?view=mine]

Calls the WSGI app directly (no server, no HTTP), signed in as the bench agent, under
valgrind's callgrind with a simulated cache: once with the warm-up requests alone and once
with --requests more, so start-up and warm-up cancel out. The bare table is counted the same
way. Needs valgrind (Debian: `apt-get install valgrind`); each page takes a minute or two.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import common

WARM_UP = 20
EVENTS = ("Ir", "Dr", "Dw", "I1mr", "D1mr", "D1mw", "ILmr", "DLmr", "DLmw")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=common.DEFAULT_SCALE)
    parser.add_argument("--database-url")
    parser.add_argument("--path", action="append",
                        help="a page to count (repeatable; default: My open cases)")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--cache-kb", type=int, default=2048,
                        help="the simulated last-level cache (default 2048: a core's L2)")
    parser.add_argument("--inner", nargs=2, metavar=("PATH", "N"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def wsgi_caller(app, path: str, cookies: dict[str, str], environ_base: dict):
    """A function making one request to the app, as a server would (its own contexts)."""
    from werkzeug.test import EnvironBuilder

    target, _, query = path.partition("?")
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}
    environ = EnvironBuilder(path=target, query_string=query, headers=headers,
                             environ_base=environ_base).get_environ()

    def call() -> None:
        status = []
        body = app(dict(environ), lambda s, h, e=None: status.append(s))
        b"".join(body)
        getattr(body, "close", lambda: None)()
        if not status[0].startswith("200"):
            raise SystemExit(f"{path} answered {status[0]}")

    return call


def inner(args) -> None:
    """Run inside valgrind: warm up, then make N requests of PATH."""
    path, count = args.inner[0], int(args.inner[1])
    if path == "bare":
        from baseline import app

        call = wsgi_caller(app, "/", {}, {})
    else:
        from inprocess import Client

        url = args.database_url or common.default_database_url(args.scale)
        client = Client(common.make_app(url), common.BENCH_EMAIL).client
        client.get(path)  # the session now holds what a page adds to it (the CSRF value)
        cookies = {"session": client.get_cookie("session").value}
        call = wsgi_caller(client.application, path, cookies, client.environ_base)
    for _ in range(WARM_UP + count):
        call()


def counted(args, path: str, count: int, out: Path) -> dict[str, int]:
    database = ["--database-url", args.database_url] if args.database_url else []
    command = ["valgrind", "--tool=callgrind", "--cache-sim=yes",
               f"--LL={args.cache_kb * 1024},16,64", f"--callgrind-out-file={out}",
               sys.executable, __file__, "--scale", str(args.scale), *database,
               "--inner", path, str(count)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**os.environ, "PYTHONHASHSEED": "0"}, timeout=1800)
    for line in out.read_text(errors="replace").splitlines():
        if line.startswith("summary:"):
            return dict(zip(EVENTS, map(int, line.split()[1:])))
    raise SystemExit(f"no summary in {out}")


def per_request(args, path: str) -> dict[str, float]:
    # Two at once on PostgreSQL; one after the other on SQLite, whose write lock the two
    # sign-ins (and a case page's Recently viewed) would otherwise fight over.
    url = args.database_url or common.default_database_url(args.scale)
    workers = 2 if common.dialect_of(url) == "postgresql" else 1
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(workers) as pool:
        base, more = pool.map(lambda count: counted(args, path, count, Path(tmp) / f"{count}.out"),
                              (0, args.requests))
    return {event: (more[event] - base[event]) / args.requests for event in EVENTS}


def main() -> None:
    args = parse_args()
    if args.inner:
        return inner(args)
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    bare = per_request(args, "bare")
    print(f"{'page':40} {'instructions':>13} {'× bare':>7} {'cache misses':>13} (simulated "
          f"{args.cache_kb:,} KB last level; instruction and data reads and writes)")
    for path in ["bare", *(args.path or ["/cases/?view=mine"])]:
        figures = bare if path == "bare" else per_request(args, path)
        misses = figures["ILmr"] + figures["DLmr"] + figures["DLmw"]
        print(f"{'bare Flask 50-row table' if path == 'bare' else path:40} "
              f"{figures['Ir'] / 1e6:11.2f} M {figures['Ir'] / bare['Ir']:7.2f} {misses:13,.0f}")


if __name__ == "__main__":
    main()
