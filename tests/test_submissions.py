"""A double click or a browser retry of a create form makes one record and lands on the first
answer, on every create form (and on PostgreSQL even when both arrive at once)."""
import io
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.mail.sender import run_cycle
from app.models import (
    Account, Case, CaseTeamRole, Contact, EmailTemplate, FeedItem, FormSubmission, PredefinedTeam,
    Task, User, WorkflowRule,
)
from app.models.common import utcnow
from tests.conftest import HX, IS_POSTGRES, soup
from tests.factories import make_account, make_case, make_contact, make_email_template, make_role


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def filled(response, data: dict) -> dict:
    """The form's data as a browser sends it: its hidden one-time token plus what was typed."""
    hidden = soup(response).find("input", attrs={"name": lambda n: n and n.endswith("request_key")})
    assert hidden is not None and hidden.get("value"), "the form carries no one-time token"
    return {hidden["name"]: hidden["value"]} | data


def case_spec(agent, admin):
    return agent, "/cases/new", "/cases/new", {
        "subject": "Printer on fire", "status": "New", "priority": "High", "origin": "Phone",
        "case_type": "Problem", "owner_id": str(agent.id)}, (Case,)


def account_spec(agent, admin):
    return agent, "/accounts/new", "/accounts/new", {"name": "Northwind", "tier": "Standard"}, \
        (Account, Account.name == "Northwind")


def contact_spec(agent, admin):
    acme = make_account(name="Acme")
    db.session.commit()
    return agent, "/contacts/new", "/contacts/new", {
        "account_id": str(acme.id), "account_id_label": "Acme", "name": "Jane Doe",
        "email": "jane@acme.example"}, (Contact,)


def user_spec(agent, admin):
    return admin, "/admin/users/new", "/admin/users/new", {
        "name": "Maya Agent", "email": "maya@example.com", "role": "agent", "time_zone": "UTC",
        "password": "long enough pw", "confirm": "long enough pw"}, \
        (User, User.email == "maya@example.com")


def role_spec(agent, admin):
    return admin, "/teams/roles/new", "/teams/roles/new", {"name": "Lead", "access": "edit"}, \
        (CaseTeamRole,)


def team_spec(agent, admin):
    role = make_role("Lead")
    db.session.commit()
    return admin, "/teams/new", "/teams/new", {
        "name": "Tier 2", "members-0-person": f"user:{agent.id}",
        "members-0-person_label": agent.name, "members-0-role": str(role.id)}, (PredefinedTeam,)


def rule_spec(agent, admin):
    template = make_email_template()
    db.session.commit()
    return admin, "/admin/workflow/rules/new", "/admin/workflow/rules/new", {
        "name": "Escalations", "active": "y", "evaluate_on": "every_edit", "match": "all",
        "criteria-0-field": "priority", "criteria-0-operator": "changed_to",
        "criteria-0-value": "high", "template": str(template.id), "recipient_kinds": ["owner"],
        "set_status": "", "set_priority": "", "set_owner": ""}, (WorkflowRule,)


def template_spec(agent, admin):
    return admin, "/admin/workflow/templates/new", "/admin/workflow/templates/new", {
        "name": "Heads up", "subject": "Case {{ case.number }}",
        "body_text": "{{ case.subject }}"}, (EmailTemplate,)


def publisher(action: str, data: dict, *where):
    def spec(agent, admin):
        case = make_case(actor=agent, contact=make_contact(email="jamie@customer.test"))
        db.session.commit()
        base = f"/cases/{case.number}"
        form_url = (f"{base}/emails/new" if action == "email" else f"{base}/publisher/{action}")
        post_url = {"post": "feed/posts", "file": "feed/files", "task": "feed/tasks",
                    "share": "feed/share", "email": "emails"}[action]
        return agent, form_url, f"{base}/{post_url}", data | (
            {"task-assignee": str(agent.id)} if action == "task" else {}), where
    return spec


SPECS = {
    "case": case_spec, "account": account_spec, "contact": contact_spec, "user": user_spec,
    "role": role_spec, "predefined team": team_spec, "workflow rule": rule_spec,
    "email template": template_spec,
    "task": publisher("task", {"task-subject": "Call back"}, Task),
    "email": publisher("email", {"email-to": "jamie@customer.test", "email-subject": "Hello",
                                 "email-body": "We are on it."}, FeedItem, FeedItem.kind == "email"),
    "post": publisher("post", {"post-body": "Looked at it", "post-visibility": "internal"},
                      FeedItem, FeedItem.kind == "post"),
    "file": publisher("file", {"file-visibility": "internal"}, FeedItem, FeedItem.kind == "file"),
    "share": publisher("share", {"share-status": "Working", "share-priority": "High",
                                 "share-note": "On it", "share-version": "1"},
                       FeedItem, FeedItem.kind == "change", FeedItem.body == "On it"),
}


@pytest.mark.parametrize("kind", list(SPECS))
def test_the_same_create_form_posted_twice_makes_one_record_and_lands_on_the_first(
        kind, login, agent, admin):
    user, form_url, post_url, data, (model, *where) = SPECS[kind](agent, admin)
    client = login(user)
    form_page = client.get(form_url, headers=HX if "publisher" in form_url else {})
    sent = filled(form_page, data)

    def post():
        files = ({"file-files": (io.BytesIO(b"log line"), "log.txt")} if kind == "file" else {})
        return client.post(post_url, data=sent | files, content_type="multipart/form-data")

    first, second = post(), post()
    assert count(model, *where) == 1
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    landing = client.get(second.headers["Location"])
    assert landing.status_code == 200 and soup(landing).select("#flash-messages .flash")


def test_a_repeat_of_a_create_form_answers_htmx_with_the_same_redirect(login, agent):
    client = login(agent)
    sent = filled(client.get("/accounts/new"), {"name": "Initech", "tier": "Standard"})
    first = client.post("/accounts/new", data=sent, headers=HX)
    second = client.post("/accounts/new", data=sent, headers=HX)
    assert second.headers["HX-Redirect"] == first.headers["HX-Redirect"]
    assert count(Account) == 1
    assert "Created the account Initech." in client.get(second.headers["HX-Redirect"]).text


def test_each_rendering_of_a_create_form_carries_a_fresh_token(login, agent):
    client = login(agent)
    first = filled(client.get("/accounts/new"), {})
    again = filled(client.get("/accounts/new"), {})
    assert first != again
    for token in (first, again):
        client.post("/accounts/new", data=token | {"name": "Acme", "tier": "Standard"})
    assert count(Account, Account.name == "Acme") == 2


def test_a_token_another_user_saved_is_refused_not_replayed(login, agent):
    colleague = User(email="cole@example.com", name="Cole", role="agent", password_hash="x")
    db.session.add(colleague)
    db.session.commit()
    sent = filled(login(agent).get("/accounts/new"), {"name": "Mine", "tier": "Standard"})
    assert login(agent).post("/accounts/new", data=sent).status_code == 303
    refused = login(colleague).post("/accounts/new", data=sent | {"name": "Theirs"})
    assert refused.status_code == 422 and "Reload the page" in refused.text
    assert count(Account) == 1


@pytest.mark.skipif(not IS_POSTGRES, reason="concurrent writers need PostgreSQL")
def test_two_identical_posts_at_the_same_moment_make_one_case(app, login, agent):
    sent = filled(login(agent).get("/cases/new"), {
        "subject": "Twice at once", "status": "New", "priority": "High", "origin": "Phone",
        "case_type": "Problem", "owner_id": str(agent.id)})
    start, answers, errors = threading.Barrier(2), [], []
    clients = [login(agent), login(agent)]

    def work(client):
        try:
            start.wait()
            answers.append(client.post("/cases/new", data=sent))
        except BaseException as exc:  # reported below
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(client,)) for client in clients]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert errors == []
    assert [a.status_code for a in answers] == [303, 303]
    assert answers[0].headers["Location"] == answers[1].headers["Location"]
    assert count(Case, Case.subject == "Twice at once") == 1


def test_the_mail_tick_forgets_tokens_older_than_a_week_and_keeps_recent_ones(app, agent):
    db.session.add_all([
        FormSubmission(token="old", user_id=agent.id, created_at=utcnow() - timedelta(days=8)),
        FormSubmission(token="new", user_id=agent.id, created_at=utcnow() - timedelta(days=1))])
    db.session.commit()
    run_cycle()
    db.session.expire_all()
    assert db.session.scalars(sa.select(FormSubmission.token)).all() == ["new"]
