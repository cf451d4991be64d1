"""The demo data: seed-demo loads a believable desk once, through the real services."""
import struct
import zlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.models import (
    CASE_TYPES, ORIGINS, PRIORITIES, STATUSES, Account, Asset, Attachment, Case, Contact,
    FeedItem, InboundEmail, Task, User,
)
from app.models.common import utcnow
from app.demo import seed as demo
from app.demo.files import png_bytes, screenshot_png
from app.services.files import path_for
from tests.factories import make_user


def count(model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def seed(app, *options):
    return app.test_cli_runner().invoke(args=["seed-demo", *options])


@pytest.fixture
def small_demo(app):
    result = seed(app, "--accounts", "3", "--contacts", "8", "--cases", "12")
    assert result.exit_code == 0, result.output
    return result


def test_a_small_demo_loads_the_counts_asked_for(small_demo):
    assert (count(Account), count(Contact), count(Case)) == (3, 8, 12)
    assert count(User, User.role == "admin") == 1
    assert count(User, User.role == "agent") == 4
    assert count(User, User.role == "customer") == 2
    assert count(Asset) >= 3
    assert "12 cases" in small_demo.output


def test_the_demo_ships_case_teams_and_the_two_workflow_rules_without_queuing_mail(app):
    from app.models import CaseTeamMember, OutboxMessage, WorkflowRule

    demo.load_demo(accounts=8, contacts=20, cases=60)
    rules = set(db.session.scalars(sa.select(WorkflowRule.name)))
    assert rules == {"Priority changed to High", "New owner"}
    assert count(CaseTeamMember) > 0
    assert count(OutboxMessage) == 0


def test_seed_demo_prints_the_sign_ins_and_they_work_in_the_sign_in_form(app, small_demo):
    assert f"every password is {demo.DEMO_PASSWORD}" in small_demo.output
    for _, email, _ in demo.demo_sign_ins():
        assert email in small_demo.output
        response = app.test_client().post("/login", data={"email": email,
                                                           "password": demo.DEMO_PASSWORD})
        assert response.status_code == 303, email


def test_demo_customers_are_linked_to_contacts(small_demo):
    customers = db.session.scalars(sa.select(User).where(User.role == "customer")).all()
    assert all(c.contact is not None and c.contact.email == c.email for c in customers)


def test_demo_users_prints_the_sign_ins_again(app, small_demo):
    result = app.test_cli_runner().invoke(args=["demo-users"])
    assert result.exit_code == 0
    assert "admin@casebook.example" in result.output and demo.DEMO_PASSWORD in result.output


def test_seed_demo_can_leave_the_sign_ins_to_demo_users(app):
    result = seed(app, "--accounts", "2", "--contacts", "4", "--cases", "3", "--no-sign-ins")
    assert result.exit_code == 0 and "Loaded the demo data" in result.output
    assert "every password is" not in result.output
    assert "admin@casebook.example" in app.test_cli_runner().invoke(args=["demo-users"]).output


def test_seed_demo_does_nothing_when_the_database_has_users(app, admin):
    result = seed(app, "--cases", "5")
    assert result.exit_code == 0
    assert "already has users" in result.output
    assert count(Case) == count(Account) == 0


def test_demo_history_is_spread_over_ninety_days_and_never_in_the_future(app):
    demo.load_demo(accounts=8, contacts=20, cases=60)
    db.session.commit()
    now = utcnow()
    opened = db.session.scalars(sa.select(Case.created_at)).all()
    assert min(opened) >= now - timedelta(days=91)
    assert max(opened) - min(opened) > timedelta(days=30)
    for case in db.session.scalars(sa.select(Case)):
        times = [i.created_at for i in db.session.scalars(
            sa.select(FeedItem).where(FeedItem.case_id == case.id).order_by(FeedItem.id))]
        assert times == sorted(times) and times[0] == case.created_at and times[-1] <= now
        assert (case.closed_at is not None) == (case.status == "Closed")
        if case.first_response_at:
            assert case.created_at <= case.first_response_at <= now


def test_a_demo_holds_every_feed_kind_file_type_and_task_state(app):
    demo.load_demo(accounts=8, contacts=20, cases=60)
    db.session.commit()
    kinds = set(db.session.scalars(sa.select(FeedItem.kind).distinct()))
    assert {"system", "post", "change", "file", "task", "email"} <= kinds
    # Customers' replies came in through the mail ingest, threaded onto their cases.
    replies = db.session.scalars(sa.select(FeedItem).where(FeedItem.kind == "email")).all()
    assert replies and all(reply.author is None and reply.is_public for reply in replies)
    assert count(InboundEmail) == len(replies)
    assert count(FeedItem, FeedItem.visibility == "public") > 0
    assert count(FeedItem, FeedItem.visibility == "internal") > 0
    assert count(FeedItem, FeedItem.body_html.like("%<code>%")) > 0
    assert count(FeedItem, FeedItem.kind == "change", FeedItem.changes.is_not(None)) > 0
    assert "lorem" not in " ".join(db.session.scalars(sa.select(FeedItem.body))).lower()
    today = utcnow().date()
    tasks = db.session.scalars(sa.select(Task)).all()
    assert any(t.is_done for t in tasks) and any(t.is_overdue(today) for t in tasks)
    types = set(db.session.scalars(sa.select(Attachment.content_type).distinct()))
    assert {"image/png", "text/plain", "text/csv"} <= types
    for attachment in db.session.scalars(sa.select(Attachment)):
        assert path_for(attachment.sha256).stat().st_size == attachment.size


def test_the_png_encoder_writes_a_decodable_image():
    data = screenshot_png(1)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    length, kind = struct.unpack(">I4s", data[8:16])
    width, height = struct.unpack(">II", data[16:24])
    assert kind == b"IHDR" and (width, height) == (240, 150)
    idat_at = data.index(b"IDAT")
    size = struct.unpack(">I", data[idat_at - 4:idat_at])[0]
    raw = zlib.decompress(data[idat_at + 4:idat_at + 4 + size])
    assert len(raw) == height * (1 + width * 3)
    assert png_bytes(1, 1, [b"\xff\x00\x00"]).endswith(b"IEND\xaeB`\x82")


def test_the_same_seed_gives_the_same_demo(app):
    def subjects():
        class Config(TestConfig):
            SQLALCHEMY_DATABASE_URI = "sqlite://"
            UPLOAD_FOLDER = app.config["UPLOAD_FOLDER"]

        other = create_app(Config)
        with other.app_context():
            db.create_all()
            demo.load_demo(accounts=3, contacts=6, cases=8, now=utcnow())
            result = db.session.scalars(sa.select(Case.subject).order_by(Case.number)).all()
            db.session.remove()
            db.engine.dispose()
        return result

    assert subjects() == subjects()


def test_the_full_demo_covers_every_case_value_and_a_second_run_does_nothing(app):
    first = seed(app)
    assert first.exit_code == 0, first.output
    cases, items = count(Case), count(FeedItem)
    assert (count(Account), count(Contact), cases) == (25, 80, 400)
    for column, values in ((Case.status, STATUSES), (Case.priority, PRIORITIES),
                           (Case.origin, ORIGINS), (Case.type, CASE_TYPES)):
        assert set(db.session.scalars(sa.select(column).distinct())) == set(values), column
    second = seed(app)
    assert second.exit_code == 0
    assert "already has users" in second.output
    assert (count(Case), count(FeedItem), count(User)) == (cases, items, 7)


def test_a_failed_load_is_reported_clearly(app, monkeypatch):
    def broken(**kwargs):
        make_user()
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo, "load_demo", broken)
    result = seed(app)
    assert result.exit_code == 1
    assert "Loading the demo data stopped: disk full" in result.output
    assert count(User) == 0


def test_the_demo_customers_are_portal_customers_of_two_accounts_one_an_admin(app, small_demo):
    from app.models import Case, FeedItem

    customers = {u.email: u for u in db.session.scalars(
        sa.select(User).where(User.role == "customer"))}
    one, two = customers["customer1@casebook.example"], customers["customer2@casebook.example"]
    assert one.contact.account_id != two.contact.account_id
    assert one.contact.portal_account_admin and not two.contact.portal_account_admin
    for customer in (one, two):
        cases = db.session.scalars(sa.select(Case).where(
            Case.contact_id == customer.contact_id)).all()
        assert len(cases) >= 1
        visibilities = set(db.session.scalars(sa.select(FeedItem.visibility).where(
            FeedItem.case_id.in_([c.id for c in cases]), FeedItem.kind == "post")))
        assert visibilities == {"public", "internal"}
        client = app.test_client()
        signed_in = client.post("/portal/login", data={"email": customer.email,
                                                       "password": demo.DEMO_PASSWORD})
        assert signed_in.status_code == 303
        assert cases[0].subject.encode() in client.get(
            "/portal/?state=" + ("open" if cases[0].is_open else "closed")).data


def test_demo_users_names_the_portal_sign_in(app, small_demo):
    result = app.test_cli_runner().invoke(args=["demo-users"])
    assert "customer1@casebook.example" in result.output
    assert "customer2@casebook.example" in result.output and "/portal/login" in result.output
