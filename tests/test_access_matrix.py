"""Case access: three org-wide settings × six kinds of user × every way into a case.

Expected: admins see and change everything; the owner and Read/Write members change the case;
Read Only members only view it (unless every agent may edit every case); other agents see it
unless access is private; customers never reach agent case pages. A case the user may not see
answers 404, a visible case they may not change 403, and neither body holds anything of it.
"""
import io
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from app import access
from app.extensions import db
from app.models import Case
from app.services.settings import set_case_access
from tests.conftest import HX, sent_to_portal, soup
from tests.factories import add_team_member, make_case, make_contact, make_role, make_user

LEVELS = ("public_edit", "public_read", "private")
WHO = ("admin", "owner", "rw_member", "ro_member", "other_agent", "customer")
SUBJECT = "Quarterly merger printer Zebra-7731"

# What each kind of user may do under each setting: v(iew), e(dit), o(wner change).
GRANTS = {
    "public_edit": {"admin": "veo", "owner": "veo", "rw_member": "veo", "ro_member": "veo",
                    "other_agent": "veo", "customer": ""},
    "public_read": {"admin": "veo", "owner": "veo", "rw_member": "ve", "ro_member": "v",
                    "other_agent": "v", "customer": ""},
    "private": {"admin": "veo", "owner": "veo", "rw_member": "ve", "ro_member": "v",
                "other_agent": "", "customer": ""},
}
CASES = [(level, who) for level in LEVELS for who in WHO]


@dataclass
class World:
    case: Case
    users: dict
    roles: dict

    @property
    def number(self) -> int:
        return self.case.number


def build_world(level: str) -> World:
    """One case owned by an agent, with a Read/Write and a Read Only member."""
    users = {"admin": make_user("admin", name="Ada Admin", password=None),
             "owner": make_user(name="Olive Owner", password=None),
             "rw_member": make_user(name="Rita Writer", password=None),
             "ro_member": make_user(name="Reed Reader", password=None),
             "other_agent": make_user(name="Otto Outsider", password=None)}
    contact = make_contact(name="Cora Customer")
    users["customer"] = make_user("customer", name="Cora Customer", contact=contact, password=None)
    roles = {"rw": make_role("Technical Lead", "edit", True), "ro": make_role("Observer", "read")}
    case = make_case(actor=users["owner"], subject=SUBJECT, account=contact.account, contact=contact)
    add_team_member(case, users["rw_member"], roles["rw"])
    add_team_member(case, users["ro_member"], roles["ro"])
    set_case_access(level, actor=users["admin"])
    db.session.commit()
    return World(case=case, users=users, roles=roles)


def allowed(level: str, who: str, right: str) -> bool:
    return right in GRANTS[level][who]


def customer_refusal(response) -> int:
    """A customer opening a staff page is redirected to the portal; htmx and posts: 403."""
    asked = response.request
    opened = asked.method == "GET" and asked.headers.get("HX-Request") != "true"
    if opened:
        assert sent_to_portal(response), asked.path
    return 302 if opened else 403


def assert_nothing_of_the_case(response, world: World) -> None:
    body = response.get_data(as_text=True)
    assert SUBJECT not in body and world.case.padded_number not in body
    assert "Olive Owner" not in body and "Rita Writer" not in body


def expect_view(response, world, level, who):
    """A read: 200 when visible, 404 when hidden; customers have no agent area at all."""
    if allowed(level, who, "v"):
        assert response.status_code == 200, (level, who)
        return
    expected = customer_refusal(response) if who == "customer" else 404
    assert response.status_code == expected, (level, who)
    assert_nothing_of_the_case(response, world)


def expect_change(response, world, level, who, right="e", ok=(200, 303)):
    """A change: done when allowed; 403 when visible but not changeable; 404 when hidden."""
    if allowed(level, who, right):
        assert response.status_code in ok, (level, who, response.status_code)
        return
    if who == "customer":
        assert response.status_code == customer_refusal(response)
    elif allowed(level, who, "v"):
        assert response.status_code == 403, (level, who)
    else:
        assert response.status_code == 404, (level, who)
    assert_nothing_of_the_case(response, world)


@pytest.fixture(params=CASES, ids=[f"{level}-{who}" for level, who in CASES])
def scenario(request, app, login):
    level, who = request.param
    world = build_world(level)
    return world, level, who, login(world.users[who])


# The access functions themselves -------------------------------------------------------------

def test_access_functions_follow_the_matrix(scenario):
    world, level, who, _ = scenario
    user, case = world.users[who], world.case
    assert access.can_view_case(user, case) == allowed(level, who, "v")
    assert access.can_edit_case(user, case) == allowed(level, who, "e")
    assert access.can_change_owner(user, case) == allowed(level, who, "o")
    visible = db.session.scalar(sa.select(sa.func.count()).select_from(Case)
                                .where(access.visible_cases(user)))
    assert visible == (1 if allowed(level, who, "v") else 0)


def test_a_missing_case_and_a_hidden_case_answer_alike(app, login):
    world = build_world("private")
    client = login(world.users["other_agent"])
    hidden = client.get(f"/cases/{world.number}/team")
    missing = client.get("/cases/99999999/team")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_data(as_text=True) == missing.get_data(as_text=True)


def test_private_access_takes_the_same_queries_whatever_the_number_of_cases(app, count_queries):
    world = build_world("private")
    agent = world.users["rw_member"]

    def counted() -> tuple[int, int]:
        db.session.expire_all()
        with count_queries() as counter:
            rows = db.session.scalars(sa.select(Case).where(access.visible_cases(agent))).all()
        return len(rows), counter.count

    visible, few = counted()
    assert visible == 1
    for _ in range(5):
        make_case(actor=world.users["owner"])
        add_team_member(make_case(actor=world.users["owner"]), agent, world.roles["ro"])
    db.session.commit()
    assert counted() == (6, few)


def test_editable_case_ids_agrees_with_can_edit_case_in_constant_queries(scenario, count_queries):
    world, level, who, _ = scenario
    user = world.users[who]
    mine = make_case(actor=user) if user.is_staff else None
    cases = [world.case] + ([mine] if mine else [])
    db.session.commit()
    expected = {c.id for c in cases if access.can_edit_case(user, c)}
    db.session.expire_all()
    cases = [db.session.get(Case, c.id) for c in cases]
    user = db.session.get(type(user), user.id)
    with count_queries() as counter:
        assert access.editable_case_ids(user, cases) == expected
    assert counter.count <= 2, counter.statements  # the setting, then one membership query


# Every way into a case that the other areas built -------------------------------------------

def version_of(world: World) -> str:
    db.session.expire_all()
    return str(db.session.get(Case, world.case.id).version)


def add_extras(world: World, who: str) -> dict:
    """A file on the case and a task for the acting user (when staff), for downloads and My tasks."""
    from app.services import feed as feed_service

    owner = world.users["owner"]
    item = feed_service.add_files(world.case, actor=owner, uploads=[("plan.txt", b"top secret", "text/plain")])
    assignee = world.users[who] if world.users[who].is_staff else owner
    task = feed_service.create_task(world.case, actor=owner, subject="Call the customer back",
                                    assignee=assignee)
    db.session.commit()
    return {"attachment": item.attachments[0].id, "task": task.id}


# (name, right needed, request) — requests run in this order; the owner change comes last.
def endpoint_checks(world: World, extras: dict) -> list:
    n = world.number
    newcomer = world.users["other_agent"].id
    return [
        ("case page", "v", lambda c: c.get(f"/cases/{n}")),
        ("details tab", "v", lambda c: c.get(f"/cases/{n}/details", headers=HX)),
        ("header partial", "v", lambda c: c.get(f"/cases/{n}/header", headers=HX)),
        ("feed partial", "v", lambda c: c.get(f"/cases/{n}/feed", headers=HX)),
        ("case team list", "v", lambda c: c.get(f"/cases/{n}/team", headers=HX)),
        ("file download", "v", lambda c: c.get(f"/cases/{n}/attachments/{extras['attachment']}")),
        ("post", "e", lambda c: c.post(f"/cases/{n}/feed/posts", headers=HX, data={
            "post-body": "An update", "post-visibility": "internal"})),
        ("file upload", "e", lambda c: c.post(f"/cases/{n}/feed/files", headers=HX, data={
            "file-files": (io.BytesIO(b"log line"), "log.txt"), "file-visibility": "internal"},
            content_type="multipart/form-data")),
        ("share", "e", lambda c: c.post(f"/cases/{n}/feed/share", headers=HX, data={
            "share-status": "Working", "share-priority": "High", "share-note": "On it",
            "share-version": version_of(world)})),
        ("new task", "e", lambda c: c.post(f"/cases/{n}/feed/tasks", headers=HX, data={
            "task-subject": "Follow up", "task-assignee": str(world.users["owner"].id)})),
        ("complete task", "e", lambda c: c.post(f"/cases/{n}/tasks/{extras['task']}/complete",
                                                headers=HX)),
        ("inline edit form", "e", lambda c: c.get(f"/cases/{n}/header?edit=priority", headers=HX)),
        ("inline edit", "e", lambda c: c.post(f"/cases/{n}/fields/priority", headers=HX, data={
            "value": "Critical", "version": version_of(world)})),
        ("edit form", "e", lambda c: c.get(f"/cases/{n}/edit")),
        ("close form", "e", lambda c: c.get(f"/cases/{n}/close")),
        ("email form", "e", lambda c: c.get(f"/cases/{n}/emails/new", headers=HX)),
        ("publisher panel", "e", lambda c: c.get(f"/cases/{n}/publisher/task", headers=HX)),
        ("change team", "e", lambda c: c.post(f"/cases/{n}/team/members", headers=HX, data={
            "person": f"user:{newcomer}", "role": str(world.roles["ro"].id)})),
        ("team type-ahead", "e", lambda c: c.get(f"/cases/{n}/team/people?q=Otto", headers=HX)),
        ("team manage page", "v", lambda c: c.get(f"/cases/{n}/team")),
        ("owner editor", "o", lambda c: c.get(f"/cases/{n}/header?edit=owner", headers=HX)),
        ("owner change", "o", lambda c: c.post(f"/cases/{n}/fields/owner", headers=HX, data={
            "value": str(world.users["admin"].id), "version": version_of(world)})),
    ]


def check_endpoint(name, right, response, world, level, who) -> str | None:
    """The refusal expected for this user, or None when the response is right."""
    status = response.status_code
    if allowed(level, who, right):
        return None if status in (200, 303) else f"{name}: {status}, expected success"
    if who == "customer":
        expected = customer_refusal(response)
    elif right != "v" and allowed(level, who, "v"):
        expected = 403
    else:
        expected = 404
    if status != expected:
        return f"{name}: {status}, expected {expected}"
    body = response.get_data(as_text=True)
    if SUBJECT in body or world.case.padded_number in body or "Olive Owner" in body:
        return f"{name}: the refusal shows the case"
    return None


def test_every_case_endpoint_follows_the_matrix(scenario):
    world, level, who, client = scenario
    extras = add_extras(world, who)
    problems = [check_endpoint(name, right, request(client), world, level, who)
                for name, right, request in endpoint_checks(world, extras)]
    assert [p for p in problems if p] == []


def test_lists_counts_my_tasks_and_360_pages_show_the_case_only_to_those_who_see_it(scenario):
    world, level, who, client = scenario
    add_extras(world, who)
    account, contact = world.case.account_id, world.case.contact_id
    pages = {"case list": client.get("/cases/?view=open"),
             "case list fragment": client.get("/cases/?view=open", headers=HX),
             "my tasks": client.get("/cases/tasks"),
             "account page": client.get(f"/accounts/{account}"),
             "contact page": client.get(f"/contacts/{contact}")}
    if who == "customer":
        assert {name: r.status_code for name, r in pages.items()} == {
            name: customer_refusal(r) for name, r in pages.items()}
        assert pages["case list fragment"].status_code == 403
        return
    sees = allowed(level, who, "v")
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert (SUBJECT in response.get_data(as_text=True)) == sees, (name, level, who)
    count = soup(pages["case list"]).select_one("a[aria-current=page] .count").text
    assert count == ("1" if sees else "0")


def test_my_tasks_takes_the_same_queries_for_any_number_of_team_cases_under_private(app, login, count_queries):
    from app.services import feed as feed_service

    world = build_world("private")
    reader, owner = world.users["ro_member"], world.users["owner"]
    client = login(reader)

    def add_task_on_a_new_case():
        case = make_case(actor=owner)
        add_team_member(case, reader, world.roles["ro"])
        feed_service.create_task(case, actor=owner, subject="Check the logs", assignee=reader)
        db.session.commit()

    def counted() -> int:
        db.session.expire_all()
        with count_queries() as counter:
            assert client.get("/cases/tasks").status_code == 200
        return counter.count

    add_task_on_a_new_case()
    few = counted()
    for _ in range(6):
        add_task_on_a_new_case()
    assert counted() == few


def test_the_case_list_takes_the_same_queries_for_any_number_of_cases_under_private(app, login, count_queries):
    world = build_world("private")
    member, owner = world.users["ro_member"], world.users["owner"]
    client = login(member)

    def counted() -> tuple[int, int]:
        db.session.expire_all()
        with count_queries() as counter:
            response = client.get("/cases/?view=open")
        assert response.status_code == 200
        return len(soup(response).select("#case-rows tr, table.data tbody tr")), counter.count

    rows, few = counted()
    assert rows == 1
    for i in range(8):
        case = make_case(actor=owner, subject=f"Team case {i}")
        add_team_member(case, member, world.roles["ro"] if i % 2 else world.roles["rw"])
        make_case(actor=owner, subject=f"Hidden case {i}")
    db.session.commit()
    rows, many = counted()
    assert rows == 9
    assert many == few
    body = client.get("/cases/?view=open").get_data(as_text=True)
    assert "Team case 7" in body and "Hidden case" not in body
