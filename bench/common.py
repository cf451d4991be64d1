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
