"""Measure Casebook's pages under gunicorn beside a bare-Flask ceiling; print and save a table.

    .venv/bin/python bench/run.py [--scale 100000] [--database-url URL]

Seed first with bench/seed.py at the same scale / URL. Loopback only, bounded in time.
"""
from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import sqlalchemy as sa

import common
import httpload
from cpusplit import CpuMeter, CpuSplit
import pages as catalogue
import report
from inprocess import Client, InProcess
from server import Gunicorn


@dataclass
class Result:
    page: catalogue.Page
    path: str | None
    small: str | None = None
    note: str = ""
    inproc: InProcess | None = None
    latency: httpload.Latency | None = None
    load: httpload.Throughput | None = None
    bare: tuple[httpload.Latency, httpload.Throughput] | None = None
    requested: int = 0
    cpu: CpuSplit | None = None


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=common.DEFAULT_SCALE)
    parser.add_argument("--database-url", help="default: the SQLite file seed.py made for --scale")
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per page")
    parser.add_argument("--seconds", type=float, default=5.0, help="concurrent load per page")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--only", help="measure only pages whose name contains this text "
                        "(or one of several, comma-separated)")
    parser.add_argument("--no-profile", action="store_true", help="skip pyinstrument profiles")
    parser.add_argument("--in-process-only", action="store_true",
                        help="queries, CPU and profiles only; no gunicorn")
    return parser.parse_args()


def bench_context(app) -> dict:
    """Rows the pages point at: the 60-item case, a short case, a busy account."""
    from app.extensions import db

    with app.app_context():
        counter = db.session.execute(sa.text(
            "SELECT value FROM counters WHERE name = 'case_number'")).scalar()
        if counter is None:
            raise SystemExit("The database is not seeded: run bench/seed.py first.")
        long_case = common.long_feed_case_number()
        short_case = db.session.execute(sa.text(
            "SELECT c.number FROM cases c WHERE c.number BETWEEN :a AND :b AND "
            "(SELECT count(*) FROM feed_items f WHERE f.case_id = c.id) BETWEEN 1 AND 3 "
            "ORDER BY c.number LIMIT 1"), {"a": common.FIRST_NUMBER,
                                           "b": common.FIRST_NUMBER + 200}).scalar()
        account_id = db.session.execute(sa.text(
            "SELECT account_id FROM cases WHERE number = :n"), {"n": long_case}).scalar()
        cases = db.session.execute(sa.text("SELECT count(*) FROM cases")).scalar()
        feed = db.session.execute(sa.text("SELECT count(*) FROM feed_items")).scalar()
        db.session.remove()
    return {"long_case": long_case, "short_case": short_case or common.FIRST_NUMBER,
            "account_id": account_id or 1, "cases": cases, "feed_items": feed}


def measure_in_process(app, results: list[Result], stamp: str, dialect: str,
                       profile: bool) -> None:
    clients = {False: Client(app, common.BENCH_EMAIL)}
    if any(result.page.customer for result in results):
        clients[True] = Client(app, common.BENCH_CUSTOMER_EMAIL)
    try:
        for result in results:
            if result.path is None:
                continue
            client = clients[result.page.customer]
            target = None
            if profile:
                slug = "".join(ch if ch.isalnum() else "-" for ch in result.page.name.lower())
                target = common.BENCH_DIR / "results" / "profiles" / f"{stamp}-{dialect}-{slug}.txt"
            result.inproc = client.measure(result.path, result.small, result.page.headers,
                                           target)
            if result.inproc.status != 200:
                result.note = f"answers {result.inproc.status} in-process"
            elif result.inproc.stub:
                result.note = "not built yet (placeholder view)"
            print(f"  in-process  {result.page.name:<34} {result.inproc.status}  "
                  f"{result.inproc.queries} queries  {result.inproc.request_ms:6.1f} ms "
                  f"(SQL {result.inproc.sql_ms:5.1f} ms, app CPU {result.inproc.cpu_ms:5.1f} ms)",
                  flush=True)
    finally:
        for client in clients.values():
            client.close()


def measure_pair(args, bare: httpload.Session, session: httpload.Session,
                 path: str, headers: dict, workers: list[int]):
    """The bare ceiling and then the page, back to back, so machine noise hits both alike;
    during the page's concurrent run, the CPU each party spent per request."""
    bare_pair = (httpload.sequential(bare, "/", args.requests),
                 httpload.concurrent(bare, "/", args.clients, args.seconds))
    latency = httpload.sequential(session, path, args.requests, headers)
    with CpuMeter(workers) as meter:
        load = httpload.concurrent(session, path, args.clients, args.seconds, headers)
    return bare_pair, (latency, load), meter.per_request(load.requests)


def measure_http(args, url: str, results: list[Result]) -> list[float]:
    """Per page: latency and throughput beside the ceiling's; the workers' RSS afterwards."""
    env = {"FLASK_SQLALCHEMY_DATABASE_URI": url, "FLASK_SECRET_KEY": common.BENCH_SECRET}
    with Gunicorn("baseline:app", workers=args.workers, chdir=common.BENCH_DIR) as ceiling, \
            Gunicorn("wsgi:app", workers=args.workers, env=env, probe="/login") as server:
        bare = httpload.Session(ceiling.port)
        sessions = {False: httpload.Session(server.port)}
        sessions[False].sign_in(common.BENCH_EMAIL, common.BENCH_PASSWORD)
        if any(result.page.customer for result in results):
            sessions[True] = httpload.Session(server.port)
            sessions[True].sign_in(common.BENCH_CUSTOMER_EMAIL, common.BENCH_PASSWORD,
                                   login_path="/portal/login")
        for result in results:
            if result.path is None or result.note:
                continue
            session = sessions[result.page.customer]
            result.requested = args.requests
            result.bare, (result.latency, result.load), result.cpu = measure_pair(
                args, bare, session, result.path, result.page.headers, server.worker_pids())
            print(f"  http        {result.page.name:<34} p50 {result.latency.p50_ms:6.1f} ms  "
                  f"p95 {result.latency.p95_ms:6.1f} ms  {result.load.rps:6.0f} req/s  "
                  f"(bare p95 {result.bare[0].p95_ms:4.1f} ms, {result.bare[1].rps:4.0f} req/s)  "
                  f"errors {result.latency.errors + result.load.errors}", flush=True)
            print(f"  cpu/request {'':<34} {result.cpu.label()} (ms)", flush=True)
        return server.worker_rss_mb()


def main() -> None:
    args = parse_args()
    url = args.database_url or common.default_database_url(args.scale)
    dialect = common.dialect_of(url)
    stamp = time.strftime("%Y-%m-%d-%H%M")
    app = common.make_app(url)
    context = bench_context(app)
    context["portal_short_case"] = common.ensure_bench_customer(app, context["long_case"])
    print(f"Casebook bench on {dialect}: {context['cases']:,} cases, "
          f"{context['feed_items']:,} feed items", flush=True)
    results = []
    for page, path, small in catalogue.resolve(app, context):
        if args.only and not any(part.strip().lower() in page.name.lower()
                                 for part in args.only.split(",")):
            continue
        results.append(Result(page, path, small, "" if path else "not built yet"))
    measure_in_process(app, results, stamp, dialect, not args.no_profile)
    rss = [] if args.in_process_only else measure_http(args, url, results)
    text = report.render(results, rss, context, dialect, url, args)
    print()
    print(text)
    path = report.save(text, stamp, dialect)
    print(f"Saved {path}")


if __name__ == "__main__":
    main()
