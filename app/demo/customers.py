"""Demo customers ready for "identify the caller": phone numbers written the many ways
people write them, and verification instructions an agent can follow on the 360 page."""
from __future__ import annotations

import random

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Account
from app.services.search_index import digits_of

SECURITY_QUESTIONS = (
    "Name of the first site we installed for them?",
    "Which city is their head office in?",
    "What is the customer number on the latest invoice (starts with CN-)?",
    "Which product did they buy first?",
)


def phone_styles(phone: str) -> list[str]:
    """The same number as people type it: spaced, dashed, dotted, bracketed, bare digits."""
    digits = digits_of(phone)
    if len(digits) < 10:
        return [phone]
    country, local = digits[:-10], digits[-10:]
    if country not in ("", "1"):  # keep other countries' grouping; vary only the separators
        return [phone, phone.replace(" ", "-"), phone.replace(" ", ""), digits]
    area, exchange, line = local[:3], local[3:6], local[6:]
    plus = f"+{country} " if country else ""
    return [phone, f"{plus}({area}) {exchange}-{line}", f"{plus}{area}-{exchange}-{line}",
            f"{area}.{exchange}.{line}", f"{country}{local}", f"{plus}{area} {exchange} {line}"]


def verification_text(account: Account, rng: random.Random) -> str:
    """A support PIN, a security question and the authorised contacts, then the old note."""
    authorised = ", ".join(c.name for c in account.contacts[:2]) or "the IT manager"
    lines = [f"Support PIN: {rng.randint(1000, 9999)}",
             f"Security question: {rng.choice(SECURITY_QUESTIONS)}",
             f"Authorised contacts: {authorised}"]
    if account.verification and not account.verification.startswith("Support PIN"):
        lines.append(account.verification)
    return "\n".join(lines)


def enrich_demo_customers(seed: int = 1042) -> int:
    """Vary the demo contacts' phone formats and give every demo account structured
    verification instructions; the number of accounts changed (idempotent, flushes)."""
    rng = random.Random(seed)
    accounts = db.session.scalars(sa.select(Account).order_by(Account.id)
                                  .options(selectinload(Account.contacts))).all()
    for account in accounts:
        account.verification = verification_text(account, rng)
        for n, contact in enumerate(account.contacts):
            styles = phone_styles(contact.phone)
            contact.phone = styles[(contact.id + n) % len(styles)]
    db.session.flush()
    return len(accounts)
