"""Load a realistic Casebook at scale (default 100k cases, 1M feed items, 5k articles) in bulk.

    .venv/bin/python bench/seed.py [--scale 100000] [--database-url URL]

Builds the schema through the app's migrations, then inserts with SQLAlchemy Core
executemany in batches against db.metadata tables, so columns added later by others get
their Python defaults. The target database is emptied first.
"""
from __future__ import annotations

import argparse
import json
import os
import time
from datetime import datetime, timedelta

import sqlalchemy as sa

import common
from seed_knowledge import KnowledgeSeeder, subject_word_rows
from textgen import Text, as_html

BATCH = 5_000
AGENTS = 20
STATUS_WEIGHTS = (("New", 6), ("Working", 12), ("Waiting on Customer", 6), ("Escalated", 3),
                  ("Closed", 73))
PRIORITY_WEIGHTS = (("Low", 25), ("Medium", 45), ("High", 22), ("Critical", 8))
ORIGINS = ("Phone", "Email", "Web", "Portal")
TYPES = ("Question", "Problem", "Incident", "Feature Request")
FEED_KINDS = (("post", 45), ("email", 25), ("change", 25), ("system", 5))


def weighted(rng, pairs):
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


class Seeder:
    def __init__(self, conn, scale: int, text: Text):
        self.conn, self.scale, self.text, self.rng = conn, scale, text, text.rng
        self.tables = common_tables()
        self.now = datetime.utcnow().replace(microsecond=0)

    def insert(self, name: str, rows) -> int:
        """Insert an iterable of dicts in batches; return how many went in."""
        started, table, batch, total = time.perf_counter(), self.tables[name], [], 0
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                self.conn.execute(table.insert(), batch)
                total, batch = total + len(batch), []
        if batch:
            self.conn.execute(table.insert(), batch)
            total += len(batch)
        print(f"  {name:<12} {total:>9,} rows  {time.perf_counter() - started:6.1f} s", flush=True)
        return total

    def users(self) -> list[int]:
        from werkzeug.security import generate_password_hash

        bench_hash = generate_password_hash(common.BENCH_PASSWORD)
        rows = [{"id": 1, "email": common.BENCH_EMAIL, "name": "Bench Agent", "role": "agent",
                 "password_hash": bench_hash, "created_at": self.now}]
        rows += [{"id": i + 2, "email": f"agent{i + 1}@example.com", "name": self.text.person(),
                  "role": "agent", "password_hash": bench_hash, "created_at": self.now}
                 for i in range(AGENTS - 1)]
        self.insert("users", rows)
        return [r["id"] for r in rows]

    def accounts(self, count: int = 5_000) -> None:
        tiers = ("Standard", "Premium", "Enterprise")
        self.insert("accounts", ({"id": i, "name": self.text.company(i),
                                  "phone": f"+44 20 7946 {i % 10000:04d}",
                                  "tier": self.rng.choice(tiers), "created_at": self.now}
                                 for i in range(1, count + 1)))

    def contacts(self, count: int = 20_000, accounts: int = 5_000) -> list[int]:
        owners = [1 + i % accounts for i in range(count)]
        self.insert("contacts", ({"id": i + 1, "account_id": owners[i], "name": self.text.person(),
                                  "email": f"contact{i + 1}@customer{owners[i]}.example.com",
                                  "title": self.text.title(), "created_at": self.now}
                                 for i in range(count)))
        return owners

    def cases_and_feed(self, agents: list[int], contact_accounts: list[int]) -> None:
        """Cases oldest first over three years, and each case's timeline right after it."""
        span = timedelta(days=3 * 365).total_seconds()
        start = self.now - timedelta(days=3 * 365)
        counts = {"cases": [0, 0.0], "feed_items": [0, 0.0], "case_subject_words": [0, 0.0]}
        for first in range(0, self.scale, BATCH):
            feed: list[dict] = []
            cases = [self._case(i, start + timedelta(seconds=span * i / self.scale), agents,
                                contact_accounts, feed)
                     for i in range(first, min(first + BATCH, self.scale))]
            words = [row for case in cases for row in subject_word_rows(case["id"],
                                                                        case["subject"])]
            for name, rows in (("cases", cases), ("feed_items", feed),
                               ("case_subject_words", words)):
                began = time.perf_counter()
                for at in range(0, len(rows), BATCH):
                    self.conn.execute(self.tables[name].insert(), rows[at:at + BATCH])
                counts[name][0] += len(rows)
                counts[name][1] += time.perf_counter() - began
        for name, (total, seconds) in counts.items():
            print(f"  {name:<12} {total:>9,} rows  {seconds:6.1f} s (insert only)", flush=True)

    def _case(self, i, created, agents, contact_accounts, feed) -> dict:
        rng = self.rng
        contact = rng.randrange(len(contact_accounts))
        status = weighted(rng, STATUS_WEIGHTS)
        closed_at = created + timedelta(hours=rng.randint(1, 400)) if status == "Closed" else None
        if closed_at and closed_at > self.now:
            closed_at = self.now
        owner = rng.choice(agents)
        row = {"id": i + 1, "number": common.FIRST_NUMBER + i, "subject": self.text.subject(),
               "description": self.text.description(), "status": status,
               "priority": weighted(rng, PRIORITY_WEIGHTS), "origin": rng.choice(ORIGINS),
               "type": rng.choice(TYPES), "account_id": contact_accounts[contact],
               "contact_id": contact + 1, "owner_id": owner, "created_by_id": rng.choice(agents),
               "created_at": created, "updated_at": closed_at or created,
               "first_response_at": created + timedelta(minutes=rng.randint(5, 600)),
               "closed_at": closed_at, "version": 1}
        feed.extend(self._feed(i, row, agents))
        return row

    def _feed(self, i: int, case: dict, agents: list[int]):
        rng = self.rng
        count = (common.LONG_FEED if i % common.LONG_FEED_EVERY == common.LONG_FEED_OFFSET
                 else rng.randint(0, 20))
        at = case["created_at"]
        for n in range(count):
            kind = "system" if n == 0 else weighted(rng, FEED_KINDS)
            body, changes = self._feed_body(kind, case)
            at = at + timedelta(minutes=rng.randint(3, 900))
            yield {"case_id": case["id"], "kind": kind, "author_id": rng.choice(agents),
                   "body": body, "body_html": as_html(body) if kind != "system" else "",
                   "visibility": "public" if kind == "email" else "internal",
                   "changes": changes, "case_version": 1, "created_at": at}

    def _feed_body(self, kind: str, case: dict):
        if kind == "system":
            return f"Opened the case ({case['origin']}).", None
        if kind == "change":
            old, new = self.rng.sample(["New", "Working", "Waiting on Customer", "Escalated"], 2)
            changes = [{"field": "status", "label": "Status", "old": old, "new": new}]
            return (self.text.reply() if self.rng.random() < 0.3 else ""), changes
        return self.text.reply(), None


def common_tables():
    from app.extensions import db

    return db.metadata.tables


def reset_database(url: str) -> None:
    """Start from empty: remove the SQLite file or recreate PostgreSQL's public schema."""
    if common.dialect_of(url) == "sqlite":
        path = sa.engine.make_url(url).database
        for suffix in ("", "-wal", "-shm"):
            try:
                os.remove(path + suffix)
            except FileNotFoundError:
                pass
        return
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def finish(conn, dialect: str, scale: int) -> None:
    """Set the case counter and the PostgreSQL id sequences, then refresh planner statistics."""
    tables = common_tables()
    conn.execute(tables["counters"].insert(), [{"name": "case_number",
                                                "value": common.FIRST_NUMBER + scale - 1}])
    if dialect == "postgresql":
        for name in ("users", "accounts", "contacts", "cases", "feed_items", "articles",
                     "article_versions", "case_articles", "search_documents",
                     "knowledge_categories"):
            conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                 f"(SELECT coalesce(max(id), 1) FROM {name}))"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=common.DEFAULT_SCALE,
                        help="number of cases (feed items are ten times that on average)")
    parser.add_argument("--database-url", help="default: a SQLite file under bench/data/")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--schema", choices=("migrations", "models"), default="migrations",
                        help="models: db.create_all(), for when models are ahead of migrations")
    parser.add_argument("--articles", type=int, default=5_000, help="knowledge articles")
    parser.add_argument("--knowledge-only", action="store_true",
                        help="add the knowledge base to a database seeded before it had one "
                             "(upgraded by the migrations first)")
    args = parser.parse_args()
    if args.knowledge_only:
        return add_knowledge(args)
    url = args.database_url or common.default_database_url(args.scale)
    dialect = common.dialect_of(url)
    print(f"Seeding {args.scale:,} cases into {dialect} ({url})", flush=True)
    started = time.perf_counter()
    reset_database(url)
    app = common.make_app(url)
    with app.app_context():
        from flask_migrate import upgrade

        from app.extensions import db

        if args.schema == "migrations":
            upgrade()
            warn_if_behind(db.engine)
        else:
            name_multicolumn_uniques(db.metadata)
            db.create_all()
        print(f"  schema       {args.schema:<14} {time.perf_counter() - started:6.1f} s", flush=True)
        with db.engine.begin() as conn:
            seeder = Seeder(conn, args.scale, Text(args.seed))
            agents = seeder.users()
            seeder.accounts()
            contact_accounts = seeder.contacts()
            seeder.cases_and_feed(agents, contact_accounts)
            KnowledgeSeeder(conn, seeder.tables, seeder.text, agents, seeder.now).run(
                args.articles)
            finish(conn, dialect, args.scale)
        analyse(db.engine, dialect)
        db.engine.dispose()
    print(f"Done in {time.perf_counter() - started:.1f} s. Sign in as {common.BENCH_EMAIL} / "
          f"{common.BENCH_PASSWORD}; case {common.long_feed_case_number()} has a "
          f"{common.LONG_FEED}-item feed.", flush=True)
    print(json.dumps({"scale": args.scale, "database": dialect}))


def add_knowledge(args) -> None:
    """Upgrade an existing bench database by the migrations, then seed its knowledge base."""
    url = args.database_url or common.default_database_url(args.scale)
    dialect = common.dialect_of(url)
    started = time.perf_counter()
    app = common.make_app(url)
    with app.app_context():
        from flask_migrate import upgrade

        from app.extensions import db

        upgrade()
        print(f"  upgrade      migrations     {time.perf_counter() - started:6.1f} s", flush=True)
        with db.engine.begin() as conn:
            agents = list(conn.execute(sa.text("SELECT id FROM users WHERE role = 'agent'"))
                          .scalars())
            now = datetime.utcnow().replace(microsecond=0)
            KnowledgeSeeder(conn, db.metadata.tables, Text(args.seed), agents, now).run(
                args.articles)
            if dialect == "postgresql":
                for name in ("articles", "article_versions", "case_articles",
                             "search_documents", "knowledge_categories"):
                    conn.execute(sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT coalesce(max(id), 1) FROM {name}))"))
        analyse(db.engine, dialect)
        db.engine.dispose()
    print(f"Done in {time.perf_counter() - started:.1f} s.", flush=True)


def name_multicolumn_uniques(metadata) -> None:
    """Give unnamed multi-column unique constraints every column in their name.

    The naming convention names them after their first column only, so two on one table
    collide on PostgreSQL; the migrations will name them, create_all() cannot.
    """
    from sqlalchemy.sql.elements import conv

    for table in metadata.tables.values():
        for constraint in table.constraints:
            columns = [c.name for c in constraint.columns] if isinstance(
                constraint, sa.UniqueConstraint) else []
            if len(columns) > 1:
                constraint.name = conv(f"uq_{table.name}_{'_'.join(columns)}")


def warn_if_behind(engine) -> None:
    """Say so when the models have columns or tables the migrations do not build yet."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from app.models.common import render_migration_item
    from app.extensions import db

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False,
                                                         "render_item": render_migration_item})
        diff = [d for d in compare_metadata(context, db.metadata) if d[0].startswith("add_")]
    if diff:
        print(f"  WARNING: the models are ahead of the migrations ({len(diff)} additions); pages "
              "that use them will fail. Use --schema models until the migrations catch up.",
              flush=True)


def analyse(engine, dialect: str) -> None:
    """Fresh statistics, as a running system would have (autovacuum / PRAGMA optimize)."""
    started = time.perf_counter()
    raw = engine.raw_connection()
    try:
        if dialect == "postgresql":
            raw.driver_connection.autocommit = True
        raw.cursor().execute("VACUUM ANALYZE" if dialect == "postgresql" else "ANALYZE")
        if dialect == "sqlite":
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    print(f"  analyze                     {time.perf_counter() - started:6.1f} s", flush=True)


if __name__ == "__main__":
    main()
