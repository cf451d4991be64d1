"""The results table, the target checks and the machine facts, as text and as a saved file."""
from __future__ import annotations

import os
import platform
import statistics
import sqlite3
import subprocess
import sys
from importlib import metadata

import common
import httpload

LIST_P95_MS, LIST_RPS, LIST_RATIO = 25.0, 500.0, 0.40
CASE_P95_MS, CASE_QUERIES = 20.0, 10
RSS_MB = 150.0


def ceiling(results) -> dict:
    """The bare app's figures over the run: the median of its runs beside each page."""
    runs = [r.bare for r in results if r.bare]
    if not runs:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "rps": 0.0, "runs": 0}
    return {"p50_ms": statistics.median(lat.p50_ms for lat, _ in runs),
            "p95_ms": statistics.median(lat.p95_ms for lat, _ in runs),
            "rps": statistics.median(load.rps for _, load in runs), "runs": len(runs)}


def machine_facts(url: str) -> list[tuple[str, str]]:
    """What the figures came from."""
    mem = next((line.split()[1] for line in open("/proc/meminfo")
                if line.startswith("MemTotal")), "0")
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    facts = [("CPU", f"{cpu} ({os.cpu_count()} cores, nproc)"),
             ("Memory", f"{int(mem) / 1024 / 1024:.1f} GiB"),
             ("OS", platform.platform()),
             ("Python", sys.version.split()[0]),
             ("SQLite", sqlite3.sqlite_version),
             ("gunicorn / Flask / SQLAlchemy", " / ".join(
                 metadata.version(p) for p in ("gunicorn", "flask", "sqlalchemy")))]
    if common.dialect_of(url) == "postgresql":
        facts.append(("PostgreSQL", postgres_version(url)))
    return facts


def postgres_version(url: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return conn.execute(text("SHOW server_version")).scalar()
    finally:
        engine.dispose()


def misses(result) -> list[str]:
    """Each target this page misses, with by how much."""
    out, page, lat, load, inproc = [], result.page, result.latency, result.load, result.inproc
    if inproc and inproc.small_queries is not None and inproc.small_queries != inproc.queries:
        out.append(f"query count depends on rows shown ({inproc.queries} vs "
                   f"{inproc.small_queries} with fewer rows)")
    if lat is None:
        return out
    if page.group == "list":
        if lat.p95_ms >= LIST_P95_MS:
            out.append(f"p95 {lat.p95_ms:.1f} ms > {LIST_P95_MS:.0f} ms "
                       f"(+{lat.p95_ms - LIST_P95_MS:.1f} ms)")
        if load.rps < LIST_RPS:
            out.append(f"{load.rps:.0f} req/s < {LIST_RPS:.0f} ({load.rps / LIST_RPS:.0%} of target)")
        bare_rps = result.bare[1].rps
        if load.rps < LIST_RATIO * bare_rps:
            out.append(f"{load.rps / bare_rps:.0%} of the bare ceiling < 40 %")
    if page.group == "case":
        if lat.p95_ms >= CASE_P95_MS:
            out.append(f"p95 {lat.p95_ms:.1f} ms > {CASE_P95_MS:.0f} ms "
                       f"(+{lat.p95_ms - CASE_P95_MS:.1f} ms)")
        if inproc and inproc.queries > CASE_QUERIES:
            out.append(f"{inproc.queries} queries > {CASE_QUERIES}")
    if lat.errors or load.errors:
        out.append(f"{lat.errors + load.errors} non-200 answers")
    return out


def args_requests(result) -> int:
    return getattr(result, "requested", 0)


def table(results) -> list[str]:
    head = ("| page | p50 ms | p95 ms | req/s @8 | × bare req/s | × bare p95 | queries "
            "(fewer rows) | SQL ms | app CPU ms | status |")
    lines = [head, "|" + "---|" * 10,
             "| *bare Flask 50-row table (median of its runs)* | {p50_ms:.1f} | {p95_ms:.1f} "
             "| {rps:.0f} | 1.00 | 1.00 | – | – | – | ceiling |".format(**ceiling(results))]
    for r in results:
        if r.latency is None:
            status = r.note or "not measured"
            q = f"{r.inproc.queries}" if r.inproc else "–"
            cpu = f"{r.inproc.cpu_ms:.1f}" if r.inproc else "–"
            lines.append(f"| {r.page.name} | – | – | – | – | – | {q} | – | {cpu} | {status} |")
            continue
        q = str(r.inproc.queries)
        if r.latency.count < args_requests(r):
            status_note = f" (p95 of {r.latency.count} requests: 15 s cap)"
        else:
            status_note = ""
        if r.inproc.small_queries is not None:
            q += f" ({r.inproc.small_queries})"
        missed = misses(r)
        status = "meets targets" if not missed else "MISS: " + "; ".join(missed)
        if r.page.group == "other" and not missed:
            status = "no target"
        status += status_note
        lines.append(
            f"| {r.page.name} | {r.latency.p50_ms:.1f} | {r.latency.p95_ms:.1f} | "
            f"{r.load.rps:.0f} | {r.load.rps / r.bare[1].rps:.2f} | "
            f"{r.latency.p95_ms / r.bare[0].p95_ms:.1f} | {q} | {r.inproc.sql_ms:.1f} | {r.inproc.cpu_ms:.1f} | {status} |")
    return lines


def slow_queries(results) -> list[str]:
    lines = []
    for r in results:
        if not r.inproc:
            continue
        lines.append(f"- **{r.page.name}** `{r.path}`: {r.inproc.queries} queries, "
                     f"{r.inproc.sql_ms:.1f} ms SQL of {r.inproc.request_ms:.1f} ms in-process "
                     f"(CPU of the app process {r.inproc.cpu_ms:.1f} ms)"
                     + (f"; profile `{r.inproc.profile_path.relative_to(common.BENCH_DIR)}`"
                        if r.inproc.profile_path else ""))
        for statement, ms in r.inproc.slowest:
            lines.append(f"  - {ms:.1f} ms: `{statement[:220]}`")
    return lines


def cpu_split(results) -> list[str]:
    lines = ["| page | req/s @8 | workers | database server | load client | whole machine |",
             "|---|---|---|---|---|---|"]
    for r in results:
        if r.cpu is None:
            continue
        c = r.cpu
        lines.append(f"| {r.page.name} | {r.load.rps:.0f} | {c.workers:.2f} | {c.database:.2f} "
                     f"| {c.client:.2f} | {c.machine:.2f} |")
    return lines


def render(results, rss, context, dialect, url, args) -> str:
    rss_line = ", ".join(f"{mb:.0f}" for mb in rss)
    worst = max(rss) if rss else 0.0
    lines = [f"## Casebook on {dialect}: {context['cases']:,} cases, "
             f"{context['feed_items']:,} feed items",
             "",
             f"{args.workers} gunicorn sync workers on loopback; {args.requests} sequential "
             f"requests per page after 5 warm-ups; {args.clients} clients for {args.seconds:g} s "
             "per page. The bare ceiling is measured right before each page; the ratios "
             "use that run (page req/s ÷ bare req/s, page p95 ÷ bare p95).",
             "", *table(results), "",
             f"Worker RSS after the run (MB): {rss_line} — max {worst:.0f} MB "
             + ("(meets < 150 MB)" if worst < RSS_MB else f"(MISS: +{worst - RSS_MB:.0f} MB)"),
             "", "### CPU per request under load (ms, from /proc, during the 8-client run)", "",
             *cpu_split(results),
             "", "### SQL per page (in-process, Flask test client, slowest statements)", "",
             *slow_queries(results), "", "### Machine", "",
             *[f"- {name}: {value}" for name, value in machine_facts(url)]]
    return "\n".join(lines) + "\n"


def save(text: str, stamp: str, dialect: str):
    path = common.BENCH_DIR / "results" / f"{stamp}-{dialect}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path
