"""The demo's portal customers: customer1@ (an account admin) and customer2@, contacts of two
different accounts, each with cases that hold public and internal items."""
from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from app.demo.content import TOPICS
from app.demo.story import CaseStory
from app.extensions import db
from app.models import Case, Contact, FeedItem
from app.services import feed as feed_service

PORTAL_CASES = 4  # cases told for each demo customer (fewer in a small demo)
PORTAL_SEED = 2718
ADMIN_NOTE = "Internal: checked their contract tier before answering; nothing to add for them."


def portal_case_count(cases: int, customers: int) -> int:
    """How many of the demo's cases are told for each demo customer: PORTAL_CASES, or a
    quarter of a small demo shared out (at least one each)."""
    return max(1, min(PORTAL_CASES, cases // 4 // max(customers, 1)))


def seed_portal_demo(seeder, per_customer: int) -> None:
    """Tell per_customer cases for each demo customer (like every other demo case, from a
    separate random source so the rest of the demo stays as it was), make the first one their
    account's admin, and make sure each has an internal note to keep from them."""
    main_rng, seeder.rng = seeder.rng, random.Random(PORTAL_SEED)
    try:
        for contact_id in seeder.customers:
            contact = db.session.get(Contact, contact_id)
            _tell_cases(seeder, contact, per_customer)
            _ensure_internal_note(seeder, contact)
    finally:
        seeder.rng = main_rng
    first = db.session.get(Contact, next(iter(seeder.customers), None))
    if first is not None:
        first.portal_account_admin = True
    db.session.flush()


def _tell_cases(seeder, contact: Contact, count: int) -> None:
    topics = [t for t in TOPICS if t["product"] in seeder.assets[contact.account_id]]
    for n in range(count):
        # The newest (opened this morning) and the next stay open, the older ones were solved.
        final = ("Working", "Waiting on Customer", "Closed", "Closed")[n % 4]
        opened = seeder.now - (timedelta(hours=seeder.rng.randint(2, 5)) if n == 0 else
                               timedelta(days=2 + n * 9, hours=seeder.rng.randint(1, 8)))
        CaseStory(seeder, seeder.rng.choice(topics), contact.account, contact, opened,
                  final).tell()


def _ensure_internal_note(seeder, contact: Contact) -> None:
    case = db.session.scalar(sa.select(Case).where(Case.contact_id == contact.id)
                             .order_by(Case.number.desc()).limit(1))
    has_note = db.session.scalar(sa.select(FeedItem.id).where(
        FeedItem.case_id == case.id, FeedItem.visibility == "internal",
        FeedItem.kind == "post").limit(1))
    if has_note is None:
        last = db.session.scalar(sa.select(sa.func.max(FeedItem.created_at))
                                 .where(FeedItem.case_id == case.id))
        note = feed_service.add_post(case, actor=case.owner or seeder.staff[0], body=ADMIN_NOTE)
        # In the demo's own time, just after the case's last item, never in the future.
        note.created_at = min(last + timedelta(minutes=20), seeder.now) if last else seeder.now
