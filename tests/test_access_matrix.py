"""Case access: three org-wide settings × six kinds of user × every way into a case.

Expected: admins see and change everything; the owner and Read/Write members change the case;
Read Only members only view it (unless every agent may edit every case); other agents see it
unless access is private; customers never reach agent case pages. A case the user may not see
answers 404, a visible case they may not change 403, and neither body holds anything of it.
"""
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from app import access
from app.extensions import db
from app.models import Case
from app.services.settings import set_case_access
from tests.conftest import HX
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


def assert_nothing_of_the_case(response, world: World) -> None:
    body = response.get_data(as_text=True)
    assert SUBJECT not in body and world.case.padded_number not in body
    assert "Olive Owner" not in body and "Rita Writer" not in body


def expect_view(response, world, level, who):
    """A read: 200 when visible, 404 when hidden, 403 for customers (no agent area at all)."""
    if allowed(level, who, "v"):
        assert response.status_code == 200, (level, who)
        return
    assert response.status_code == (403 if who == "customer" else 404), (level, who)
    assert_nothing_of_the_case(response, world)


def expect_change(response, world, level, who, right="e", ok=(200, 303)):
    """A change: done when allowed; 403 when visible but not changeable; 404 when hidden."""
    if allowed(level, who, right):
        assert response.status_code in ok, (level, who, response.status_code)
        return
    if who == "customer":
        assert response.status_code == 403
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


# The case team endpoints ---------------------------------------------------------------------

def test_case_team_page_and_fragment(scenario):
    world, level, who, client = scenario
    expect_view(client.get(f"/cases/{world.number}/team"), world, level, who)
    expect_view(client.get(f"/cases/{world.number}/team?edit=1", headers=HX), world, level, who)


def test_change_team(scenario):
    world, level, who, client = scenario
    newcomer = make_user(name="Nia Newcomer", password=None)
    db.session.commit()
    response = client.post(f"/cases/{world.number}/team/members", headers=HX,
                           data={"person": f"user:{newcomer.id}", "role": str(world.roles["ro"].id)})
    expect_change(response, world, level, who)


def test_team_typeahead(scenario):
    world, level, who, client = scenario
    response = client.get(f"/cases/{world.number}/team/people?q=Nia", headers=HX)
    expect_change(response, world, level, who, ok=(200,))


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
