"""Demo data: a small support desk with 90 days of history, built through the services.

Every demo user signs in with DEMO_PASSWORD. The same seed gives the same data every time.
"""
from __future__ import annotations

import random
import unicodedata
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr
from typing import Callable

import sqlalchemy as sa

from app.demo.content import (
    ACCOUNTS, CUSTOMER_REPLIES, CUSTOMERS, FIRST_NAMES, LAST_NAMES, PRODUCTS, STAFF,
    SUPPORT_NOTES, TITLES, TOPICS, VERIFICATION,
)
from app.demo.customers import enrich_demo_customers
from app.demo.entitlements import seed_entitlements_demo
from app.demo.feedback import seed_deflections_demo, seed_satisfaction_demo
from app.demo.knowledge import seed_knowledge_demo
from app.demo.portal import portal_case_count, seed_portal_demo
from app.demo.story import CaseStory
from app.extensions import db
from app.models import Asset, Case, Product, User
from app.models.common import utcnow
from app.services import accounts as account_service
from app.services import satisfaction
from app.services import users as user_service
from app.services.case_team import add_predefined_team
from app.services.mail_ingest import ingest_message
from app.services.team_admin import install_demo_teams
from app.services.workflow_admin import install_default_rules

DEMO_PASSWORD = "casebook-demo"
DEMO_SEED = 1729
HISTORY_DAYS = 90
CHUNK = 50
# (max age in days, weights for New, Working, Waiting on Customer, Escalated, Closed)
STATUS_BY_AGE = ((1, (40, 35, 10, 8, 7)), (7, (14, 26, 23, 13, 24)), (21, (3, 14, 15, 10, 58)),
                 (HISTORY_DAYS + 1, (1, 4, 4, 3, 88)))
FINAL_STATUSES = ("New", "Working", "Waiting on Customer", "Escalated", "Closed")


def demo_sign_ins() -> list[tuple[str, str, str]]:
    """(name, email, role) of every demo user, staff first."""
    return ([(name, email, role) for name, email, role, _ in STAFF]
            + [(name, email, "customer") for name, email, _ in CUSTOMERS])


def existing_demo_sign_ins() -> list[tuple[str, str, str]]:
    """The demo sign-ins that exist (and are active) in this database."""
    emails = {email for _, email, _ in demo_sign_ins()}
    found = set(db.session.scalars(sa.select(User.email).where(User.email.in_(emails),
                                                               User.active.is_(True))))
    return [row for row in demo_sign_ins() if row[1] in found]


def load_demo(*, accounts: int = 25, contacts: int = 80, cases: int = 400,
              seed: int = DEMO_SEED, now: datetime | None = None,
              checkpoint: Callable[[], None] | None = None) -> dict[str, int]:
    """Create the demo users, accounts, contacts, products, assets and cases; flush only."""
    seeder = DemoSeeder(random.Random(seed), now or utcnow(), checkpoint or db.session.flush)
    seeder.add_people_and_companies(min(accounts, len(ACCOUNTS)), max(contacts, 2))
    per_customer = portal_case_count(cases, len(seeder.customers))
    told = cases - per_customer * len(seeder.customers)
    # The history's closings are replayed, not happening now: they ask no questions by mail
    # (seed_satisfaction_demo adds answered ones, then the question is switched back on).
    satisfaction.set_surveys_enabled(False, actor=seeder.staff[0])
    # Open the oldest first, so case numbers rise with time as they would in real life.
    for index, opened in enumerate(sorted(seeder.opening_time() for _ in range(told))):
        seeder.add_case(opened)
        if (index + 1) % CHUNK == 0:
            seeder.checkpoint()
    seeder.checkpoint()
    seed_portal_demo(seeder, per_customer)
    seeder.add_teams_and_rules()
    enrich_demo_customers()
    seed_satisfaction_demo(seeder.now)
    seed_knowledge_demo()
    seed_deflections_demo(seeder.now)
    seed_entitlements_demo(seeder.now)
    satisfaction.set_surveys_enabled(True, actor=seeder.staff[0])
    seeder.checkpoint()
    return {"users": len(seeder.staff) + len(seeder.customers), "accounts": len(seeder.accounts),
            "contacts": len(seeder.contacts), "cases": cases}


def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


class DemoSeeder:
    """Holds the random source, the clock and what was created so far."""

    def __init__(self, rng: random.Random, now: datetime, checkpoint: Callable[[], None]):
        self.rng, self.now, self._checkpoint = rng, now, checkpoint
        self.staff: list[User] = []
        self.customers: dict[int, User] = {}  # contact id -> customer user
        self.accounts, self.contacts, self.by_account, self.assets = [], [], {}, {}
        self.password_hash: str | None = None
        self.emails: set[str] = set()

    def checkpoint(self) -> None:
        """Flush, or commit when the CLI passed db.session.commit."""
        self._checkpoint()

    @property
    def agents(self) -> list[User]:
        return [user for user in self.staff if user.role == "agent"]

    def add_teams_and_rules(self) -> None:
        """Case team roles, two predefined teams on the hottest open cases, and the demo rules.

        The rules come last so that loading the history queues no alerts.
        """
        admin = self.staff[0]
        self.add_customer_replies()
        teams = install_demo_teams(actor=admin, agents=self.agents, contacts=self.contacts[:1])
        hottest = db.session.scalars(
            sa.select(Case).where(Case.status != "Closed", Case.priority.in_(("High", "Critical")))
            .order_by(Case.number.desc()).limit(6)).all()
        for index, case in enumerate(hottest):
            add_predefined_team(case, teams[index % len(teams)], actor=admin)
        install_default_rules(actor=admin)

    def add_customer_replies(self) -> None:
        """Customers' email replies on the cases waiting for them, through the real mail
        ingest (threaded by the case number in the subject), so the feed shows inbound mail."""
        waiting = db.session.scalars(
            sa.select(Case).where(Case.status == "Waiting on Customer",
                                  Case.contact_id.is_not(None))
            .order_by(Case.number.desc()).limit(len(CUSTOMER_REPLIES))).all()
        for case, text in zip(waiting, CUSTOMER_REPLIES):
            if not case.contact.email:
                continue
            message = EmailMessage()
            message["From"] = formataddr((case.contact.name, case.contact.email))
            message["To"] = "support@casebook.example"
            message["Subject"] = f"Re: [Case {case.padded_number}] {case.subject}"
            message["Message-ID"] = f"<demo-reply-{case.number}@casebook.example>"
            message.set_content(text)
            ingest_message(message.as_bytes())

    def add_user(self, **values) -> User:
        """A demo user; hashing the shared password once keeps the load quick."""
        user = user_service.create_user(**values)
        if self.password_hash is None:
            user.set_password(DEMO_PASSWORD)
            self.password_hash = user.password_hash
        user.password_hash = self.password_hash
        return user

    def add_people_and_companies(self, accounts: int, contacts: int) -> None:
        for name, email, role, zone in STAFF:
            self.staff.append(self.add_user(email=email, name=name, role=role, time_zone=zone))
        admin = self.staff[0]
        products = [Product(name=name, code=code) for name, code, _ in PRODUCTS]
        db.session.add_all(products)
        for n, (name, domain, phone, tier) in enumerate(ACCOUNTS[:accounts]):
            account = account_service.create_account(
                actor=admin, name=name, phone=phone, tier=tier,
                website=f"https://www.{domain}.example",
                support_notes=SUPPORT_NOTES[n % len(SUPPORT_NOTES)],
                verification=VERIFICATION[(n * 3) % len(VERIFICATION)])
            account.created_at = self.now - timedelta(days=HISTORY_DAYS + 30 + n * 11)
            self.accounts.append(account)
            self.by_account[account.id] = []
            self._add_assets(account, products)
        self._add_contacts(contacts, admin)

    def _add_assets(self, account, products: list[Product]) -> None:
        # Everyone runs LedgerLine (the first product); most have some hardware or add-ons too.
        chosen = [0] + self.rng.sample(range(1, len(products)), self.rng.randint(1, 3))
        self.assets[account.id] = {}
        for index in chosen:
            serial = f"{PRODUCTS[index][2]}-{self.rng.randint(100000, 999999)}"
            installed = (self.now - timedelta(days=self.rng.randint(120, 1400))).date()
            asset = Asset(account=account, product=products[index], serial=serial,
                          install_date=installed)
            db.session.add(asset)
            self.assets[account.id][PRODUCTS[index][1]] = asset

    def _add_contacts(self, total: int, admin: User) -> None:
        for n, (name, email, title) in enumerate(CUSTOMERS):
            account = self.accounts[min(n, len(self.accounts) - 1)]
            contact = self._contact(admin, account, name, email, title)
            self.customers[contact.id] = self.add_user(email=email, name=name, role="customer",
                                                       contact=contact)
        for n in range(total - len(CUSTOMERS)):
            account = self.accounts[n] if n < len(self.accounts) else self.rng.choice(self.accounts)
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            domain = account.website.split("www.", 1)[1]
            email = f"{ascii_slug(first)}.{ascii_slug(last)}@{domain}"
            if email in self.emails:  # two people with one name at one company
                email = email.replace("@", f"{n}@")
            self._contact(admin, account, f"{first} {last}", email, self.rng.choice(TITLES))

    def _contact(self, admin, account, name, email, title):
        phone = f"{account.phone[:-2]}{self.rng.randint(10, 99)}"
        contact = account_service.create_contact(actor=admin, account=account, name=name,
                                                 email=email, phone=phone, title=title)
        self.contacts.append(contact)
        self.emails.add(email)
        self.by_account[account.id].append(contact)
        return contact

    def opening_time(self) -> datetime:
        """When a case was opened: within the history, a little more often recently."""
        return self.now - timedelta(days=HISTORY_DAYS * self.rng.random() ** 1.3,
                                    minutes=self.rng.randint(20, 600))

    def add_case(self, opened: datetime) -> Case:
        """One case with a believable history, then its clock set back in time."""
        rng = self.rng
        account = rng.choices(self.accounts, weights=[
            {"Enterprise": 4, "Premium": 2}.get(a.tier, 1) for a in self.accounts])[0]
        contact = rng.choice(self.by_account[account.id])
        topic = rng.choice([t for t in TOPICS if t["product"] in self.assets[account.id]])
        age = self.now - opened
        final = rng.choices(FINAL_STATUSES, weights=next(
            w for days, w in STATUS_BY_AGE if age < timedelta(days=days)))[0]
        story = CaseStory(self, topic, account, contact, opened, final)
        return story.tell()

    def words(self, topic: dict, contact, agent: User, account) -> dict[str, object]:
        """The values that fill a topic's placeholders for one case."""
        rng = self.rng
        asset = self.assets[account.id].get(topic["product"])
        product = next(name for name, code, _ in PRODUCTS if code == topic["product"])
        others = [a for a in self.agents if a.id != agent.id] or [agent]
        return {"first": contact.name.split()[0], "contact": contact.name,
                "agent": agent.name.split()[0], "agent_next": rng.choice(others).name.split()[0],
                "account": account.name, "account_domain": account.website.split("www.")[1]
                .split(".")[0], "product": product,
                "serial": asset.serial if asset else product,
                "n": rng.randint(2, 9), "invoice": f"INV-{rng.randint(24000, 26999)}",
                "amount": f"${rng.randint(120, 4800)}.00", "ticket": rng.randint(1000, 9999)}

    def asset_for(self, account, topic: dict):
        return self.assets[account.id].get(topic["product"])
