"""The At risk and Violated lists, and the case page's Milestones list with its reasons."""
from datetime import timedelta

from bs4 import BeautifulSoup
from flask import render_template

from app.extensions import db
from app.models import FeedItem, Setting
from app.models.common import utcnow
from app.services.eligibility import attach_entitlement
from app.services.milestone_views import milestones_context
from app.services.milestones import recalculate_milestones
from tests.conftest import HX, soup
from tests.entitlement_factories import make_entitlement, make_process
from tests.factories import make_case, make_user


def case_opened_ago(minutes, process, owner, subject="Printer jam"):
    case = make_case(actor=owner, subject=subject)
    case.created_at = utcnow() - timedelta(minutes=minutes)
    db.session.flush()
    attach_entitlement(case, make_entitlement(process=process))
    return case


def test_at_risk_and_violated_list_only_cases_the_viewer_may_see(app, login, agent):
    db.session.add(Setting(key="case_access", value="private"))
    process = make_process(minutes=60, kinds=("first_response",))
    other = make_user(name="Olga Other")
    case_opened_ago(40, process, agent, "Mine, at risk")
    case_opened_ago(90, process, agent, "Mine, violated")
    case_opened_ago(40, process, other, "Hidden, at risk")
    case_opened_ago(5, process, agent, "Mine, on time")
    db.session.commit()
    client = login(agent)
    at_risk = client.get("/entitlements/at-risk").get_data(as_text=True)
    assert "Mine, at risk" in at_risk and "Hidden" not in at_risk
    assert "Mine, violated" not in at_risk and "on time" not in at_risk
    violated = client.get("/entitlements/violated").get_data(as_text=True)
    assert "Mine, violated" in violated and "Overdue by" in violated
    assert "Hidden" not in violated and "Mine, at risk" not in violated


def test_the_lists_sort_by_time_left_both_ways_as_page_and_fragment(app, login, agent):
    process = make_process(minutes=60, kinds=("first_response",))
    case_opened_ago(35, process, agent, "More time")
    case_opened_ago(55, process, agent, "Less time")
    db.session.commit()
    client = login(agent)
    page = soup(client.get("/entitlements/at-risk"))
    assert [td.text.strip().split(" ", 1)[1] for td in page.select("#milestone-results td.subject")] \
        == ["Less time", "More time"]
    fragment = soup(client.get("/entitlements/at-risk?sort=-left", headers=HX))
    assert fragment.find("html") is None
    assert [td.text.strip().split(" ", 1)[1] for td in fragment.select("td.subject")] == \
        ["More time", "Less time"]


def test_empty_lists_say_everything_is_on_time(app, login, agent):
    text = login(agent).get("/entitlements/violated").get_data(as_text=True)
    assert "Nothing violated" in text


def test_the_milestones_list_explains_each_deadline(app, agent):
    process = make_process(minutes=60)
    case = case_opened_ago(30, process, agent)
    db.session.add(FeedItem(case_id=case.id, kind="change", author=agent,
                            created_at=utcnow() - timedelta(minutes=20),
                            changes=[{"field": "status", "label": "Status", "old": "New",
                                      "new": "Waiting on Customer"}]))
    case.status = "Waiting on Customer"
    recalculate_milestones(case)
    html = render_template("entitlements/_related_milestones.html",
                           **milestones_context(case, agent))
    page = BeautifulSoup(html, "html.parser")
    items = page.select(".ms-item")
    assert [i.select_one(".subject").text for i in items] == ["First response", "Resolution"]
    assert items[0].select_one(".badge").text == "Paused"
    assert "50 min of business time left when it resumes" in items[0].text
    assert "Alex Agent set the status to “Waiting on Customer”" in items[0].text
    assert "Runs on" in items[0].text


def test_a_case_without_an_entitlement_says_why(app, agent):
    case = make_case(actor=agent)
    attach_entitlement(case, None, reason="Goodwill while the renewal is signed")
    html = render_template("entitlements/_related_milestones.html",
                           **milestones_context(case, agent))
    assert "Opened without an entitlement: Goodwill while the renewal is signed" in html
