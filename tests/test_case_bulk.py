"""Working the list: one change to many selected cases, each through the case service; and
Assign to me on the case page."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, FeedItem
from app.services.settings import set_case_access
from tests.conftest import HX, csrf_from, soup
from tests.factories import add_team_member, make_case, make_role, make_user, make_workflow_rule


def history(case):
    return list(db.session.scalars(sa.select(FeedItem).where(
        FeedItem.case_id == case.id, FeedItem.kind == "change").order_by(FeedItem.id)))


def post_bulk(client, cases, headers=None, **values):
    data = {"case": [str(c.number) for c in cases], "back": "/cases/?view=open"}
    data |= {f"version-{c.number}": str(c.version) for c in cases}
    return client.post("/cases/bulk", data=data | values, headers=headers or {})


def test_the_list_has_a_checkbox_per_row_a_select_all_and_the_bulk_bar(login, agent):
    cases = [make_case(actor=agent, subject=f"Case {n}") for n in range(3)]
    db.session.commit()
    page = soup(login(agent).get("/cases/"))
    bar = page.select_one("form#bulk-form")
    assert bar["method"] == "post" and bar["action"] == "/cases/bulk"
    assert bar.find("input", attrs={"name": "csrf_token"})
    assert [o.text for o in bar.select("select[name=status] option")][:2] == ["Keep status", "New"]
    boxes = page.select("#case-rows input[type=checkbox][name=case][form=bulk-form]")
    assert sorted(b["value"] for b in boxes) == sorted(str(c.number) for c in cases)
    assert all(b.get("aria-label", "").startswith("Select case") for b in boxes)
    assert page.select_one("thead input[data-select-all]")["aria-label"]
    fragment = soup(login(agent).get("/cases/", headers=HX))
    assert fragment.find("html") is None and fragment.select_one("#case-results form#bulk-form")


def test_a_bulk_change_writes_one_history_item_and_fires_the_rules_for_each_case(login, agent):
    make_workflow_rule([("priority", "changed_to", "High")], updates={"status": "Escalated"})
    cases = [make_case(actor=agent, subject=f"Case {n}") for n in range(3)]
    db.session.commit()
    client = login(agent)
    response = post_bulk(client, cases, priority="High")
    assert response.status_code == 303
    assert response.headers["Location"] == "/cases/?view=open"
    for case in cases:
        db.session.refresh(case)
        assert case.priority == "High"
        assert case.status == "Escalated"  # the rule fired for this case
        [changed, escalated] = history(case)
        assert changed.author_id == agent.id
        assert changed.changes == [{"field": "priority", "label": "Priority", "old": "Medium",
                                    "new": "High"}]
        assert escalated.changes[0]["field"] == "status"
    page = client.get("/cases/?view=open")
    assert "Changed 3 cases." in page.get_data(as_text=True)


def test_read_only_cases_are_skipped_and_named_in_the_summary(login, admin):
    set_case_access("private", actor=admin)
    agent, owner = make_user(name="Alex Agent"), make_user(name="Olga Owner")
    mine = make_case(actor=agent, subject="Mine")
    theirs = [make_case(actor=owner, subject=f"Theirs {n}") for n in range(2)]
    reader = make_role("Observer", "read")
    for case in theirs:
        add_team_member(case, agent, reader)
    db.session.commit()
    client = login(agent)
    response = post_bulk(client, [mine, *theirs], status="Working")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Case, mine.id).status == "Working"
    assert [db.session.get(Case, c.id).status for c in theirs] == ["New", "New"]
    assert all(history(c) == [] for c in theirs)
    flashed = client.get("/cases/").get_data(as_text=True)
    assert "Changed 1 case; 2 skipped: you can only read them." in flashed


def test_a_case_changed_since_the_list_was_shown_is_skipped(login, agent):
    fresh, stale = make_case(actor=agent, subject="Fresh"), make_case(actor=agent, subject="Stale")
    db.session.commit()
    client = login(agent)
    data = {"case": [str(fresh.number), str(stale.number)], "priority": "Low",
            f"version-{fresh.number}": str(fresh.version),
            f"version-{stale.number}": str(stale.version - 1)}
    assert client.post("/cases/bulk", data=data).status_code == 303
    db.session.expire_all()
    assert db.session.get(Case, fresh.id).priority == "Low"
    assert db.session.get(Case, stale.id).priority == "Medium"
    assert "1 skipped: they changed after the list was shown" in client.get(
        "/cases/").get_data(as_text=True)


def test_hidden_cases_are_not_touched_and_nothing_chosen_changes_nothing(login, admin):
    set_case_access("private", actor=admin)
    agent = make_user(name="Alex Agent")
    hidden = make_case(actor=make_user(name="Olga Owner"), subject="Hidden")
    db.session.commit()
    client = login(agent)
    post_bulk(client, [hidden], priority="Critical")
    huge = client.post("/cases/bulk", data={"case": ["99999999999", "-1"], "priority": "Low"})
    assert huge.status_code == 303
    mine = make_case(actor=agent, subject="Mine")
    db.session.commit()
    garbled = client.post("/cases/bulk", data={"case": [str(mine.number)], "priority": "Low",
                                               f"version-{mine.number}": "99999999999"})
    assert garbled.status_code == 303  # an impossible version is no version: not a 500
    db.session.expire_all()
    assert db.session.get(Case, hidden.id).priority == "Medium"
    db.session.refresh(mine)
    post_bulk(client, [mine])
    assert "Choose an owner, a status or a priority to change." in client.get(
        "/cases/").get_data(as_text=True)
    assert [item.changes[0]["new"] for item in history(mine)] == ["Low"]


def test_a_bulk_owner_change_needs_csrf(app, login, agent):
    other = make_user(name="Bea Buddy")
    case = make_case(actor=agent)
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    client = login(agent)
    refused = post_bulk(client, [case], owner=str(other.id))
    assert refused.status_code == 400
    db.session.expire_all()
    assert db.session.get(Case, case.id).owner_id == agent.id
    token = csrf_from(client.get("/cases/"))
    response = post_bulk(client, [case], owner=str(other.id), csrf_token=token)
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Case, case.id).owner_id == other.id


def test_assign_to_me_makes_the_user_the_owner_through_the_case_service(login, agent):
    other = make_user(name="Olga Owner")
    case = make_case(actor=other)
    db.session.commit()
    client = login(agent)
    header = soup(client.get(f"/cases/{case.number}")).select_one("#case-header")
    form = header.find("form", action=f"/cases/{case.number}/assign-to-me")
    assert form.find("button").text == "Assign to me"
    response = client.post(f"/cases/{case.number}/assign-to-me", headers=HX,
                           data={"version": form.find("input", attrs={"name": "version"})["value"]})
    assert response.status_code == 200
    assert "case-changed" in response.headers["HX-Trigger-After-Settle"]
    db.session.refresh(case)
    assert case.owner_id == agent.id
    assert history(case)[0].changes[0] == {"field": "owner", "label": "Owner",
                                           "old": "Olga Owner", "new": "Alex Agent"}
    # Now the owner: the button is gone.
    assert "Assign to me" not in soup(response).select_one("#case-header").text
    stale = client.post(f"/cases/{case.number}/assign-to-me", headers=HX, data={"version": "1"})
    assert stale.status_code == 409


def test_assign_to_me_is_hidden_and_refused_without_the_right_to_reassign(login, admin):
    set_case_access("public_read", actor=admin)
    agent, owner = make_user(name="Alex Agent"), make_user(name="Olga Owner")
    case = make_case(actor=owner)
    db.session.commit()
    client = login(agent)
    assert "Assign to me" not in client.get(f"/cases/{case.number}").get_data(as_text=True)
    refused = client.post(f"/cases/{case.number}/assign-to-me", data={"version": str(case.version)})
    assert refused.status_code == 403
    db.session.refresh(case)
    assert case.owner_id == owner.id
