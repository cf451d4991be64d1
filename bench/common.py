"""What the seeder and the runner agree on: where the data lives and who signs in."""
from __future__ import annotations

import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_SCALE = 100_000
BENCH_EMAIL = "bench@example.com"  # .test addresses fail the sign-in form's Email()
BENCH_PASSWORD = "bench-password-1"
BENCH_SECRET = "bench-only-secret-key-not-for-production"
# The portal pages are measured as this customer: the contact of the long-feed case.
BENCH_CUSTOMER_EMAIL = "customer@bench.example"
FIRST_NUMBER = 1001
# Every case whose index is LONG_FEED_OFFSET modulo LONG_FEED_EVERY gets LONG_FEED items.
LONG_FEED_EVERY = 1000
LONG_FEED_OFFSET = 500
LONG_FEED = 60


def default_database_url(scale: int) -> str:
    """A SQLite file per scale under bench/data/ (gitignored)."""
    (BENCH_DIR / "data").mkdir(exist_ok=True)
    return f"sqlite:///{BENCH_DIR / 'data' / f'casebook-{scale}.db'}"


def dialect_of(url: str) -> str:
    return "postgresql" if url.startswith(("postgres", "postgresql")) else "sqlite"


def long_feed_case_number() -> int:
    """The number of the first case seeded with a LONG_FEED-item feed."""
    return FIRST_NUMBER + LONG_FEED_OFFSET


def make_app(url: str):
    """The real Casebook app pointed at the bench database."""
    from app import create_app
    from app.config import Config

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = url
        SECRET_KEY = BENCH_SECRET

    return create_app(BenchConfig)


def ensure_bench_customer(app, case_number: int) -> int:
    """A portal customer (BENCH_CUSTOMER_EMAIL / BENCH_PASSWORD) signing in as the contact of
    the given case, made its account's admin, created on first use; returns the number of
    another case of theirs with the fewest public items (the portal case page's small
    variant; the given case when the contact has no other)."""
    import sqlalchemy as sa
    from werkzeug.security import generate_password_hash

    from app.extensions import db
    from app.models import Case, Contact, FeedItem, User

    with app.app_context():
        contact_id = db.session.scalar(sa.select(Case.contact_id).where(
            Case.number == case_number))
        user = db.session.scalar(sa.select(User).where(User.email == BENCH_CUSTOMER_EMAIL))
        if user is None:
            user = User(email=BENCH_CUSTOMER_EMAIL, name="Bench Customer", role="customer",
                        password_hash=generate_password_hash(BENCH_PASSWORD))
            db.session.add(user)
        user.contact_id = contact_id
        # An account admin, so "All our cases" lists the whole account's cases.
        db.session.execute(sa.update(Contact).where(Contact.id == contact_id)
                           .values(portal_account_admin=True))
        db.session.commit()
        public = (sa.select(sa.func.count()).where(FeedItem.case_id == Case.id,
                                                   FeedItem.visibility == "public")
                  .scalar_subquery())
        short = db.session.scalar(sa.select(Case.number).where(
            Case.contact_id == contact_id, Case.number != case_number)
            .order_by(public, Case.number).limit(1))
        db.session.remove()
    return short or case_number
