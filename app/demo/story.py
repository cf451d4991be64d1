"""One demo case told as it would happen: replies, status changes, notes, files and tasks."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app.demo.content import (
    CALL_NOTES, CLOSE_NOTES, GREETINGS, INTERNAL_FOLLOW_UPS, SIGN_OFFS, TRIAGE_NOTES,
    WAITING_NUDGES,
)
from app.demo.files import make_file
from app.extensions import db
from app.models import PRIORITIES, Case, FeedItem, Task
from app.services import cases as case_service
from app.services import feed as feed_service

PRIORITY_WEIGHTS = {"Low": 20, "Medium": 45, "High": 25, "Critical": 10}
URGENT_WEIGHTS = {"Low": 0, "Medium": 10, "High": 45, "Critical": 45}
ORIGIN_WEIGHTS = {"Phone": 30, "Email": 35, "Web": 20, "Portal": 15}
RESOLUTION_FILES = ("invoice", "outage", "privacy")  # topics whose answer carries a document


def weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class CaseStory:
    """Plays one case forward from New to its final status through the real services."""

    def __init__(self, seeder, topic: dict, account, contact, opened: datetime,
                 final: str):
        self.seeder, self.rng, self.topic = seeder, seeder.rng, topic
        self.account, self.contact, self.opened, self.final = account, contact, opened, final
        self.owner = self.rng.choice(seeder.agents)
        self.customer = seeder.customers.get(contact.id)
        self.words = seeder.words(topic, contact, self.owner, account)
        self.case: Case | None = None

    def fill(self, text: str) -> str:
        return text.format_map(self.words)

    def pick(self, options) -> str:
        return self.fill(self.rng.choice(options))

    def tell(self) -> Case:
        """Open the case, play its history, then set its clock back to when it happened."""
        rng, topic = self.rng, self.topic
        origin = weighted(rng, ORIGIN_WEIGHTS)
        if origin == "Portal" and self.customer is None:
            origin = "Web"
        urgent = topic["key"] == "outage"
        self.case = case_service.create_case(
            actor=self.customer if origin == "Portal" else self.owner,
            subject=self.pick(topic["subjects"]), description=self.fill(topic["description"]),
            priority=weighted(rng, URGENT_WEIGHTS if urgent else PRIORITY_WEIGHTS),
            origin=origin, type=rng.choice(topic["types"]), account=self.account,
            contact=self.contact, owner=self.owner)
        # The case services take no asset yet; the demo links the installed product directly.
        self.case.asset = self.seeder.asset_for(self.account, topic)
        if self.final == "New":
            if rng.random() < 0.3:
                self.note(self.pick(TRIAGE_NOTES))
        else:
            self.work()
        retime_case(self.case, self.opened, self.seeder.now, rng, self.final == "Closed")
        return self.case

    def work(self) -> None:
        """Working, maybe waiting on the customer or escalated, then resolved or left open."""
        self.reply(self.topic["reply"])
        self.change(status="Working")
        self.note(self.fill(self.topic["internal"][0]), with_file=self.rng.random() < 0.35)
        self.adjust()
        if self.wait_for_customer() or self.escalate():
            return
        self.follow_up()

    def adjust(self) -> None:
        """Sometimes hand the case over, sometimes raise its priority."""
        if self.rng.random() < 0.12:
            self.reassign()
        if self.rng.random() < 0.2 and self.case.priority not in ("High", "Critical"):
            higher = PRIORITIES[PRIORITIES.index(self.case.priority) + 1]
            self.change(priority=higher, note="Raising priority: more people are affected "
                                              "than first reported.")

    def wait_for_customer(self) -> bool:
        """Ask the customer something; True when the case is still waiting for the answer."""
        if self.final != "Waiting on Customer" and self.rng.random() >= 0.55:
            return False
        self.share("Waiting on Customer", self.fill(self.topic["ask"]))
        if self.final == "Waiting on Customer":
            if self.rng.random() < 0.4:
                self.reply(self.rng.choice(WAITING_NUDGES))
            self.task(done=False)
            return True
        self.customer_says(self.topic["customer"][0], with_file=self.rng.random() < 0.3)
        self.change(status="Working")
        return False

    def escalate(self) -> bool:
        """Escalate the case; True when it stays escalated."""
        if self.final != "Escalated" and not (self.final == "Closed" and self.rng.random() < 0.12):
            return False
        self.change(status="Escalated", note=self.fill(self.topic["escalate"]))
        if self.final == "Escalated":
            self.task(done=False, chance=0.7)
            return True
        return False

    def follow_up(self) -> None:
        """The second round of work, then the resolution for cases that end closed."""
        if len(self.topic["internal"]) > 1:
            self.note(self.fill(self.topic["internal"][1]))
        self.task(done=self.final == "Closed" or self.rng.random() < 0.3)
        if self.final == "Closed":
            self.resolve()
        elif self.rng.random() < 0.4:
            self.note(self.pick(INTERNAL_FOLLOW_UPS))

    def resolve(self) -> None:
        topic, rng = self.topic, self.rng
        attach = topic["key"] in RESOLUTION_FILES and rng.random() < 0.6
        self.reply(topic["resolution"], with_file=attach)
        if len(topic["customer"]) > 1 and rng.random() < 0.6:
            self.customer_says(topic["customer"][1])
        self.change(status="Closed", note=rng.choice(CLOSE_NOTES))

    def reply(self, text: str, with_file: bool = False) -> None:
        """A public answer to the customer, with greeting and sign-off."""
        body = f"{self.pick(GREETINGS)}\n\n{self.fill(text)}\n\n{self.pick(SIGN_OFFS)}"
        self.post(self.owner, body, "public", with_file)

    def note(self, text: str, with_file: bool = False) -> None:
        self.post(self.owner, text, "internal", with_file)

    def customer_says(self, text: str, with_file: bool = False) -> None:
        """The customer answers: in the portal when they have a login, else logged by us."""
        text = self.fill(text)
        if self.customer is not None:
            self.post(self.customer, text, "public", with_file)
        elif self.case.origin == "Email":
            self.post(self.owner, f"Reply from {self.words['first']} by email:\n\n> {text}",
                      "internal", with_file)
        else:
            template = self.rng.choice(CALL_NOTES)
            self.post(self.owner, template.format_map(self.words | {"text": text}), "internal",
                      with_file)

    def post(self, actor, body: str, visibility: str, with_file: bool = False) -> None:
        if with_file and self.topic["files"]:
            name, kind = self.rng.choice(self.topic["files"])
            upload = make_file(kind, name, self.rng, self.opened + timedelta(hours=2),
                               self.case.subject)
            feed_service.add_files(self.case, actor=actor, uploads=[upload], comment=body,
                                   visibility=visibility)
        else:
            feed_service.add_post(self.case, actor=actor, body=body, visibility=visibility)

    def change(self, note: str = "", **values) -> None:
        case_service.update_case(self.case, actor=self.owner,
                                 expected_version=self.case.version, note=note, **values)

    def share(self, status: str, note: str) -> None:
        feed_service.share_update(self.case, actor=self.owner,
                                  expected_version=self.case.version, status=status, note=note)

    def reassign(self) -> None:
        others = [a for a in self.seeder.agents if a.id != self.owner.id]
        if not others:
            return
        new_owner = self.rng.choice(others)
        self.change(owner=new_owner, note=f"Handing over to {new_owner.name.split()[0]}, who "
                                          f"knows this {self.account.name} setup well.")
        self.owner = new_owner
        self.words["agent"] = new_owner.name.split()[0]

    def task(self, done: bool, chance: float = 0.45) -> None:
        if not self.topic["tasks"] or self.rng.random() > chance:
            return
        task = feed_service.create_task(self.case, actor=self.owner,
                                        subject=self.pick(self.topic["tasks"]),
                                        assignee=self.owner)
        if done:
            feed_service.complete_task(task, actor=self.owner)


def retime_case(case: Case, opened: datetime, now: datetime, rng: random.Random,
                closed: bool) -> None:
    """Spread the case's timeline from when it was opened, keeping the order it was made in."""
    items = list(db.session.scalars(
        sa.select(FeedItem).where(FeedItem.case_id == case.id).order_by(FeedItem.id)
        .options(selectinload(FeedItem.attachments), joinedload(FeedItem.task))))
    gaps = [0.0] + [rng.uniform(0.2, 5.0) if n == 1 else rng.choice(
        (rng.uniform(0.3, 6), rng.uniform(0.3, 6), rng.uniform(12, 60))) for n in
        range(1, len(items))]
    room = (now - opened).total_seconds() / 3600 * 0.92
    scale = min(1.0, room / max(sum(gaps), 0.01))
    moment, times = opened, []
    for gap in gaps:
        moment += timedelta(hours=gap * scale)
        times.append(moment)
    for item, when in zip(items, times):
        item.created_at = when
        for attachment in item.attachments:
            attachment.created_at = when
        if item.task is not None:
            _retime_task(item.task, when, times[-1], now, rng, closed)
    public = [t for item, t in zip(items, times)
              if item.visibility == "public" and item.author and item.author.is_staff]
    case.created_at, case.updated_at = opened, times[-1]
    case.first_response_at = public[0] if public else None
    case.closed_at = times[-1] if closed else None


def _retime_task(task: Task, created: datetime, last: datetime, now: datetime,
                 rng: random.Random, closed: bool) -> None:
    task.created_at = created
    task.due_date = (created + timedelta(days=rng.randint(1, 6))).date()
    if task.completed_at is not None:
        done = created + timedelta(hours=rng.uniform(1, 48))
        task.completed_at = min(done, last, now) if closed else min(done, now)
