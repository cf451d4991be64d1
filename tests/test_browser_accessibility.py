"""In a real browser: axe-core finds no serious or critical problem on the main pages."""
from datetime import date, timedelta

import pytest

from app.extensions import db
from tests.factories import (
    PASSWORD, add_team_member, make_account, make_asset, make_case, make_contact,
    make_predefined_team, make_role, make_user, make_workflow_rule,
)

pytestmark = pytest.mark.browser
AXE = "/static/vendor/axe-core-4.14.1.min.js"
SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.impact} ${v.id}: ${v.help}\\n    ` + v.nodes.slice(0, 4)
      .map(n => n.target.join(" ") + " | " + n.failureSummary.replace(/\\s+/g, " "))
      .join("\\n    "));
}"""


def build_desk():
    """A small desk like the demo: a case with feed items and a team, an account, a contact."""
    from app.services import feed as feed_service
    from app.services.outbox import enqueue_message

    agent = make_user(email="maya@example.com", name="Maya Okafor")
    admin = make_user("admin", email="ada@example.com", name="Ada Admin")
    account = make_account(name="Harbour Dental Group", website="https://harbour.example",
                           support_notes="Ask for the practice manager.",
                           verification="Caller gives the practice's postcode.")
    contact = make_contact(account=account, name="Priya Natarajan", email="priya@harbour.example")
    make_asset(account=account)
    case = make_case(actor=agent, subject="Receipt printer prints blank pages", account=account,
                     contact=contact, priority="High")
    make_case(actor=agent, subject="Card reader disconnects", account=account, contact=contact)
    feed_service.add_post(case, actor=agent, body="Asked Priya for a **photo** of the output.",
                          visibility="public")
    feed_service.create_task(case, actor=agent, subject="Call Priya back",
                             due_date=date.today() + timedelta(days=1), assignee=agent)
    editor = make_role(name="Escalation engineer", access="edit")
    make_role(name="Observer")
    add_team_member(case, admin, editor)
    make_predefined_team([(agent, editor)], name="Printer experts")
    make_workflow_rule([("priority", "changed_to", "High")], name="High priority alert")
    enqueue_message(to=["priya@harbour.example"], subject="Your case", text="We are on it.",
                    case=case)
    db.session.commit()
    return {"case": case.number, "account": account.id, "contact": contact.id,
            "agent": agent.id}


def sign_in(page, url, email):
    page.goto(url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


DUPLICATE_IDS = """() => {
  const seen = {};
  document.querySelectorAll("[id]").forEach(e => { seen[e.id] = (seen[e.id] || 0) + 1; });
  return Object.keys(seen).filter(id => seen[id] > 1).map(id => `duplicate id="${id}"`);
}"""


def problems_on(page, url):
    page.goto(url)
    page.add_script_tag(url=AXE)
    found = page.evaluate(SERIOUS) + page.evaluate(DUPLICATE_IDS)
    return [f"{url}\n  {line}" for line in found]


def test_the_agent_pages_have_no_serious_accessibility_problems(page, live_server):
    with live_server.app.app_context():
        desk = build_desk()
    base = live_server.url
    problems = problems_on(page, base + "/login")
    sign_in(page, base, "maya@example.com")
    for path in ("/cases/", f"/cases/{desk['case']}", f"/cases/{desk['case']}?publish=task",
                 "/cases/new", "/cases/tasks", "/accounts/", f"/accounts/{desk['account']}",
                 "/contacts/", f"/contacts/{desk['contact']}", "/account/settings"):
        problems += problems_on(page, base + path)
    assert not problems, "\n".join(problems)


def test_the_admin_pages_have_no_serious_accessibility_problems(page, live_server):
    with live_server.app.app_context():
        desk = build_desk()
    base = live_server.url
    sign_in(page, base, "ada@example.com")
    problems = []
    for path in (f"/cases/{desk['case']}", f"/cases/{desk['case']}/team", "/admin/users",
                 f"/admin/users/{desk['agent']}",
                 "/admin/settings", "/admin/page-layout", "/teams/roles", "/teams/",
                 "/admin/workflow/rules", "/admin/workflow/rules/new",
                 "/admin/workflow/templates", "/admin/workflow/outbox"):
        problems += problems_on(page, base + path)
    assert not problems, "\n".join(problems)


def test_the_customer_welcome_page_has_no_serious_accessibility_problems(page, live_server):
    with live_server.app.app_context():
        make_user("customer", email="dana@customer.example", name="Dana Whitfield")
        db.session.commit()
    sign_in(page, live_server.url, "dana@customer.example")
    assert not problems_on(page, live_server.url + "/welcome")
