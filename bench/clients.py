"""Where a page's cost under gunicorn comes from: CPU per request at 1, 2 and 8 clients.

For one page and the bare table, with each number of workers asked for, it serves both under
gunicorn (every server at once, visited in turn over a few rounds) and reads, per request, the
CPU of the workers and of the database server, and how often a worker was preempted or resumed
on the other core: first with one client (requests one after another), then with two and with
eight at once. It also calls both apps in this process, one warm process and one database
connection serving every request. With more workers than cores both cost more, a Casebook page
more than the bare table: most likely its working set, which a worker that served another
request a moment ago no longer has in the core's cache.

    .venv/bin/python bench/clients.py --database-url $URL --only "My open" --workers 2,4
"""
from __future__ import annotations

import argparse
import contextlib
import resource
import statistics
import time
from pathlib import Path

import baseline
import common
import httpload
import pages as catalogue
from cpusplit import CpuMeter
from inprocess import Client
from run import bench_context
from server import Gunicorn

CLIENTS = (1, 2, 8)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=common.DEFAULT_SCALE)
    parser.add_argument("--database-url", help="default: the SQLite file seed.py made for --scale")
    parser.add_argument("--only", default="My open", help="the page whose name contains this")
    parser.add_argument("--workers", default="4", help="gunicorn workers; several, comma-separated")
    parser.add_argument("--requests", type=int, default=200, help="one client's requests")
    parser.add_argument("--seconds", type=float, default=3.0, help="2 and 8 clients' run")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds; every server runs at once and each round visits them all")
    return parser.parse_args()


def in_process_ms(call, count: int) -> float:
    """CPU milliseconds (user and system) per call, in this process, after a warm-up."""
    for _ in range(30):
        call()
    before = resource.getrusage(resource.RUSAGE_SELF)
    for _ in range(count):
        call()
    after = resource.getrusage(resource.RUSAGE_SELF)
    spent = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return spent * 1000 / count


def switches(pids: list[int]) -> tuple[int, int]:
    """(times these processes were preempted, times they moved to another core), from /proc."""
    preempted = moved = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/sched").read_text().splitlines():
                name, _, value = line.partition(":")
                if name.strip() == "nr_involuntary_switches":
                    preempted += int(value)
                elif name.strip() == "se.nr_migrations":
                    moved += int(value)
        except OSError:
            continue
    return preempted, moved


def served(session: httpload.Session, path: str, headers: dict, workers: list[int],
           clients: int, args) -> tuple[float, float, float, float, float]:
    """(req/s, workers' CPU ms a request, database server's CPU ms a request, times a worker
    was preempted a request, times a worker moved to another core a request)."""
    httpload.sequential(session, path, 20, headers)
    before = switches(workers)
    with CpuMeter(workers) as meter:
        if clients == 1:
            began = time.perf_counter()
            latency = httpload.sequential(session, path, args.requests, headers, warmup=0)
            requests, rps = latency.count, latency.count / (time.perf_counter() - began)
            errors = latency.errors
        else:
            load = httpload.concurrent(session, path, clients, args.seconds, headers)
            requests, rps, errors = load.requests, load.rps, load.errors
    if errors:
        raise SystemExit(f"{path}: {errors} requests failed")
    split = meter.per_request(requests)
    preempted, moved = (after - earlier for after, earlier in zip(switches(workers), before))
    return rps, split.workers, split.database, preempted / requests, moved / requests


def main() -> None:
    args = parse_args()
    url = args.database_url or common.default_database_url(args.scale)
    app = common.make_app(url)
    context = bench_context(app)
    page, path = next(((page, path) for page, path, _ in catalogue.resolve(app, context)
                       if path and args.only.lower() in page.name.lower()), (None, None))
    if page is None:
        raise SystemExit(f"No built page's name contains {args.only!r}.")
    bare_client = baseline.app.test_client()
    client = Client(app, common.BENCH_EMAIL)
    bare_own = in_process_ms(lambda: bare_client.get("/"), args.requests)
    page_own = in_process_ms(lambda: client.get(path, page.headers), args.requests)
    client.close()
    print(f"{page.name} on {common.dialect_of(url)}; in this process: page {page_own:.2f} ms, "
          f"bare table {bare_own:.2f} ms of CPU a request", flush=True)

    env = {"FLASK_SQLALCHEMY_DATABASE_URI": url, "FLASK_SECRET_KEY": common.BENCH_SECRET}
    counts = [int(part) for part in args.workers.split(",")]
    figures: dict[tuple[int, int], list[tuple]] = {}
    with contextlib.ExitStack() as stack:
        servers = []  # every server at once, so that each round meets the same drift
        for workers in counts:
            ceiling = stack.enter_context(
                Gunicorn("baseline:app", workers=workers, chdir=common.BENCH_DIR))
            server = stack.enter_context(
                Gunicorn("wsgi:app", workers=workers, env=env, probe="/login"))
            session = httpload.Session(server.port)
            session.sign_in(common.BENCH_EMAIL, common.BENCH_PASSWORD)
            servers.append((workers, ceiling, httpload.Session(ceiling.port), server, session))
        for round_ in range(args.rounds):
            order = servers if round_ % 2 == 0 else servers[::-1]
            for workers, ceiling, bare, server, session in order:
                for clients in CLIENTS:
                    bare_rps, bare_cpu, *_ = served(bare, "/", {}, ceiling.worker_pids(),
                                                    clients, args)
                    rps, cpu, database, preempted, moved = served(
                        session, path, page.headers, server.worker_pids(), clients, args)
                    figures.setdefault((workers, clients), []).append(
                        (bare_rps, bare_cpu, rps, rps / bare_rps, cpu, database, preempted,
                         moved))
                    print(f"  round {round_ + 1}, {workers} workers, {clients} client(s): page "
                          f"{rps:5.0f} req/s, workers {cpu:.2f} ms, database {database:.2f} ms, "
                          f"preempted {preempted:.2f}, moved {moved:.2f}; bare {bare_rps:5.0f} "
                          f"req/s, workers {bare_cpu:.2f} ms", flush=True)
    print()
    print("| workers | clients | bare req/s | bare workers ms | page req/s | × bare "
          "| page workers ms | database ms | preempted | moved |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (workers, clients), runs in figures.items():
        medians = [statistics.median(run[i] for run in runs) for i in range(8)]
        print(f"| {workers} | {clients} | {medians[0]:.0f} | {medians[1]:.2f} | {medians[2]:.0f} "
              f"| {medians[3]:.2f} | {medians[4]:.2f} | {medians[5]:.2f} | {medians[6]:.2f} "
              f"| {medians[7]:.2f} |")
    print("\nPreempted, moved: per page request, how often a worker was switched out while it "
          "could still run, and how often it resumed on the other core.")
    print(f"\nMedians of {args.rounds} rounds. In this process: page {page_own:.2f} ms, bare "
          f"table {bare_own:.2f} ms of CPU a request (one warm process; on PostgreSQL the "
          "server's share is not in it).")


if __name__ == "__main__":
    main()
