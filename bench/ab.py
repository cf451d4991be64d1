"""Compare two checkouts of Casebook on the same database, in alternating rounds.

    git worktree add /tmp/casebook-base <commit>      # the code to compare against
    .venv/bin/python bench/ab.py --base /tmp/casebook-base [--database-url URL] \
        [--only "My open,Case page"] [--rounds 6]

Both checkouts are served at once by gunicorn (4 sync workers each, loopback), from this
checkout's venv. For each page, each round measures the base and then this checkout (the
order swaps every round): sequential latency and requests per second at 8 clients. On a
machine whose speed drifts within minutes, the two sides of a round see the same drift, so
the median of the per-round ratios says more than two separate runs of run.py. Bounded in
time: rounds × pages × 2 × (requests + seconds).
"""
from __future__ import annotations

import argparse
import statistics
from pathlib import Path

import common
import httpload
import pages as catalogue
from run import bench_context
from server import Gunicorn


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, type=Path,
                        help="another checkout of Casebook (a git worktree), the baseline")
    parser.add_argument("--scale", type=int, default=common.DEFAULT_SCALE)
    parser.add_argument("--database-url", help="default: the SQLite file seed.py made for --scale")
    parser.add_argument("--base-database-url",
                        help="serve the base on this URL instead (the same database reached "
                             "another way, to compare connection settings; --base may then be "
                             "this checkout)")
    parser.add_argument("--only", default="My open,Case page",
                        help="pages whose name contains this text (comma-separated)")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--requests", type=int, default=60, help="sequential requests a round")
    parser.add_argument("--seconds", type=float, default=3.0, help="concurrent load a round")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    return parser.parse_args()


def measure(session: httpload.Session, page, path: str, args) -> tuple[float, float, float]:
    latency = httpload.sequential(session, path, args.requests, page.headers)
    load = httpload.concurrent(session, path, args.clients, args.seconds, page.headers)
    if latency.errors or load.errors:
        raise SystemExit(f"{page.name}: {latency.errors + load.errors} requests failed")
    return latency.p50_ms, latency.p95_ms, load.rps


def main() -> None:
    args = parse_args()
    url = args.database_url or common.default_database_url(args.scale)
    app = common.make_app(url)
    context = bench_context(app)
    wanted = [part.strip().lower() for part in args.only.split(",")]
    chosen = [(page, path) for page, path, _ in catalogue.resolve(app, context)
              if path and any(part in page.name.lower() for part in wanted)]
    env = {"FLASK_SQLALCHEMY_DATABASE_URI": url, "FLASK_SECRET_KEY": common.BENCH_SECRET}
    base_env = dict(env, FLASK_SQLALCHEMY_DATABASE_URI=args.base_database_url or url)
    print(f"A/B on {common.dialect_of(url)}: base {args.base} against {common.ROOT}; "
          f"{args.rounds} rounds", flush=True)
    if args.base_database_url:
        print(f"  base on {args.base_database_url}, new on {url}", flush=True)
    with Gunicorn("wsgi:app", workers=args.workers, env=base_env, chdir=args.base.resolve(),
                  probe="/login") as base, \
            Gunicorn("wsgi:app", workers=args.workers, env=env, probe="/login") as new:
        sides = {"base": httpload.Session(base.port), "new": httpload.Session(new.port)}
        for session in sides.values():
            session.sign_in(common.BENCH_EMAIL, common.BENCH_PASSWORD)
        rows = []
        for page, path in chosen:
            figures = {"base": [], "new": []}
            for round_ in range(args.rounds):
                order = ("base", "new") if round_ % 2 == 0 else ("new", "base")
                for side in order:
                    figures[side].append(measure(sides[side], page, path, args))
            ratios = [tuple(n / b for n, b in zip(new_, base_))
                      for new_, base_ in zip(figures["new"], figures["base"])]
            rows.append((page.name, figures, ratios))
            print(f"  {page.name:<34} p95 new/base "
                  f"{statistics.median(r[1] for r in ratios):.3f}  req/s new/base "
                  f"{statistics.median(r[2] for r in ratios):.3f}", flush=True)
    print()
    print("| page | base p50 / p95 ms | new p50 / p95 ms | base req/s | new req/s "
          "| p50 new/base | p95 new/base | req/s new/base |")
    print("|---|---|---|---|---|---|---|---|")
    for name, figures, ratios in rows:
        base_, new_ = ([statistics.median(run[i] for run in figures[side]) for i in range(3)]
                       for side in ("base", "new"))
        print(f"| {name} | {base_[0]:.1f} / {base_[1]:.1f} | {new_[0]:.1f} / {new_[1]:.1f} "
              f"| {base_[2]:.0f} | {new_[2]:.0f} "
              + " ".join(f"| {statistics.median(r[i] for r in ratios):.3f}" for i in range(3))
              + " |")
    print("\nMedians over the rounds; a ratio is this checkout's figure over the base's, "
          "per round.")


if __name__ == "__main__":
    main()
