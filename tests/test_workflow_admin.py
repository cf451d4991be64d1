"""Admin pages for workflow rules: list, create with criteria rows, edit, delete."""
import sqlalchemy as sa

from app.extensions import db
from app.models import RuleCriterion, WorkflowRule
from tests.conftest import HX, csrf_from, soup
from tests.factories import (
    make_case, make_email_template, make_role, make_user, make_workflow_rule,
)

URL = "/admin/workflow/rules"


def rule_data(template=None, **extra) -> dict:
    data = {"name": "Escalations", "description": "Tell the admins", "active": "y",
            "evaluate_on": "every_edit", "match": "all",
            "criteria-0-field": "priority", "criteria-0-operator": "changed_to",
            "criteria-0-value": "high", "template": str(template.id) if template else "",
            "recipient_kinds": ["admins", "owner"], "addresses": "oncall@example.com",
            "set_status": "", "set_priority": "", "set_owner": ""}
    return data | extra


def test_the_rules_list_shows_criteria_actions_and_when_each_last_fired(app, login, admin):
    client = login(admin)
    assert "No workflow rules yet" in client.get(URL).get_data(as_text=True)
    rule = make_workflow_rule([("priority", "changed_to", "High")], name="Escalate",
                              template=make_email_template(), kinds=["admins"],
                              updates={"status": "Escalated"})
    make_workflow_rule([], name="Quiet one", active=False)
    db.session.commit()
    rows = soup(client.get(URL)).find("table").find("tbody").find_all("tr")
    first = next(r for r in rows if "Escalate" in r.text)
    assert "Priority changed to High" in first.text
    assert "to All admins" in first.text and "Set Status to Escalated" in first.text
    assert "Never" in first.text
    make_case(actor=admin, priority="High")
    db.session.commit()
    rows = soup(client.get(URL)).find("table").find("tbody").find_all("tr")
    assert "Never" not in next(r for r in rows if "Escalate" in r.text).text
    assert "Inactive" in next(r for r in rows if "Quiet one" in r.text).text
    assert rule.id


def test_the_new_rule_form_starts_with_one_condition_as_page_and_fragment(app, login, admin):
    client = login(admin)
    page = client.get(f"{URL}/new")
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    assert len(soup(page).select(".criterion-row")) == 1
    fragment = client.get(f"{URL}/new", headers=HX)
    assert "<html" not in fragment.get_data(as_text=True)
    assert soup(fragment).find("form", id="rule-form")


def test_conditions_are_added_and_removed_without_saving(app, login, admin):
    client = login(admin)
    data = rule_data() | {"criteria-1-field": "status", "criteria-1-operator": "equals",
                          "criteria-1-value": "Working"}
    added = client.post(f"{URL}/new", data=data | {"action": "add-criterion"})
    assert added.status_code == 200 and "<html" in added.get_data(as_text=True)
    assert len(soup(added).select(".criterion-row")) == 3
    fragment = client.post(f"{URL}/new", data=data | {"action": "remove-criterion-0"},
                           headers=HX)
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    rows = soup(fragment).select(".criterion-row")
    assert len(rows) == 1
    assert rows[0].find("select", {"name": "criteria-0-field"}).find(selected=True)["value"] \
        == "status"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WorkflowRule)) == 0


def test_changing_a_conditions_field_offers_its_values(app, login, admin):
    fragment = login(admin).post(f"{URL}/new", headers=HX,
                                 data=rule_data() | {"action": "refresh"})
    datalist = soup(fragment).find("datalist", id="values-0")
    options = [o["value"] for o in datalist.find_all("option")]
    assert options == ["Low", "Medium", "High", "Critical"]


def test_saving_a_rule_stores_its_criteria_and_actions(app, login, admin):
    template = make_email_template()
    bea = make_user(name="Bea Baker")
    role = make_role("Technical")
    db.session.commit()
    response = login(admin).post(f"{URL}/new", data=rule_data(
        template, users=[str(bea.id)], team_role=str(role.id), set_status="Escalated"))
    assert response.status_code == 303 and response.headers["Location"] == URL
    rule = db.session.scalar(sa.select(WorkflowRule))
    assert [(c.field, c.operator, c.value) for c in rule.criteria] == [
        ("priority", "changed_to", "High")]
    (email,) = rule.email_actions
    assert email.template_id == template.id
    assert email.recipients == {"kinds": ["owner", "admins"], "team_role_id": role.id,
                                "user_ids": [bea.id], "addresses": ["oncall@example.com"]}
    assert [(a.field, a.value) for a in rule.field_updates] == [("status", "Escalated")]


def test_saving_with_csrf_on_needs_the_token(app, login, admin):
    app.config["WTF_CSRF_ENABLED"] = True
    template = make_email_template()
    db.session.commit()
    client = login(admin)
    token = csrf_from(client.get(f"{URL}/new"))
    assert client.post(f"{URL}/new", data=rule_data(template)).status_code == 400
    response = client.post(f"{URL}/new", data=rule_data(template) | {"csrf_token": token},
                           headers=HX)
    assert response.headers["HX-Redirect"] == URL


def test_a_condition_row_carries_no_csrf_token_of_its_own(app, login, admin):
    """The rule form carries the page's token once; its condition rows are plain sub-forms
    (a row built as a Flask-WTF form would sign and check a token of its own)."""
    from app.workflow.forms import RuleForm

    app.config["WTF_CSRF_ENABLED"] = True
    with app.test_request_context(f"{URL}/new"):
        form = RuleForm(formdata=None)
        form.criteria.append_entry()
        assert "csrf_token" in form._fields
        assert "csrf_token" not in form.criteria[0].form._fields
    page = soup(login(admin).get(f"{URL}/new"))
    names = [i["name"] for i in page.select("#rule-form input[type=hidden]") if i.get("name")]
    assert names.count("csrf_token") == 1


def test_bad_rules_are_refused_with_clear_messages(app, login, admin):
    template = make_email_template()
    db.session.commit()
    client = login(admin)
    cases = [
        (rule_data(recipient_kinds=[], addresses=""), "template-error", "Add an action"),
        (rule_data(template, **{"criteria-0-value": "Urgent"}), "criteria-0-value-error",
         "Priority must be one of: Low, Medium, High, Critical."),
        (rule_data(template, **{"criteria-0-field": "subject", "criteria-0-operator": "greater"}),
         "criteria-0-value-error", "works for Status and Priority only"),
        (rule_data(template, recipient_kinds=[], addresses=""), "recipient_kinds-error",
         "Choose who receives the email."),
        (rule_data(template, addresses="not-an-address"), "addresses-error",
         "not-an-address is not a valid email address."),
        (rule_data(None, set_status=""), "template-error", "Choose the email template"),
    ]
    for data, error_id, message in cases:
        response = client.post(f"{URL}/new", data=data)
        assert response.status_code == 422, message
        assert message in soup(response).find(id=error_id).text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WorkflowRule)) == 0


def test_an_htmx_save_with_errors_answers_the_form_fragment_with_422(app, login, admin):
    response = login(admin).post(f"{URL}/new", data=rule_data(name=""), headers=HX)
    assert response.status_code == 422 and "<html" not in response.get_data(as_text=True)
    assert "Name is required." in soup(response).find(id="name-error").text


def test_a_duplicate_rule_name_is_refused(app, login, admin):
    make_workflow_rule([], name="Escalations")
    template = make_email_template()
    db.session.commit()
    response = login(admin).post(f"{URL}/new", data=rule_data(template, name="escalations"))
    assert response.status_code == 422
    assert "already one called" in soup(response).find(id="name-error").text


def test_editing_a_rule_shows_and_replaces_what_it_has(app, login, admin):
    bea = make_user(name="Bea Baker")
    rule = make_workflow_rule([("status", "equals", "Working"), ("subject", "contains", "vip")],
                              match="any", updates={"owner": str(bea.id)})
    db.session.commit()
    client = login(admin)
    page = soup(client.get(f"{URL}/{rule.id}"))
    assert len(page.select(".criterion-row")) == 2
    assert page.find("input", {"name": "match", "value": "any"}).has_attr("checked")
    assert page.find("select", {"name": "set_owner"}).find(selected=True)["value"] == str(bea.id)
    response = client.post(f"{URL}/{rule.id}", data=rule_data(
        None, name=rule.name, set_priority="Critical", recipient_kinds=[], addresses=""))
    assert response.status_code == 303
    db.session.expire_all()
    rule = db.session.get(WorkflowRule, rule.id)
    assert [(c.field, c.value) for c in rule.criteria] == [("priority", "High")]
    assert [(a.field, a.value) for a in rule.actions] == [("priority", "Critical")]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RuleCriterion)) == 1


def test_deleting_a_rule_asks_first(app, login, admin):
    rule = make_workflow_rule([], name="Old rule")
    db.session.commit()
    client = login(admin)
    confirm = client.get(f"{URL}/{rule.id}/delete")
    assert "Delete the rule “Old rule”?" in confirm.get_data(as_text=True)
    response = client.post(f"{URL}/{rule.id}/delete", headers=HX)
    assert response.headers["HX-Redirect"] == URL
    assert db.session.get(WorkflowRule, rule.id) is None
    assert client.get(f"{URL}/{rule.id}").status_code == 404


def test_agents_cannot_manage_rules(app, login, agent):
    client = login(agent)
    assert client.get(URL).status_code == 403
    assert client.post(f"{URL}/new", data=rule_data()).status_code == 403


def test_the_admin_sub_navigation_links_the_workflow_pages(app, login, admin):
    nav = soup(login(admin).get(URL)).find("nav", class_="admin-subnav")
    labels = [a.text.strip() for a in nav.find_all("a")]
    assert {"Workflow rules", "Email templates", "Outbox"} <= set(labels)
    assert nav.find("a", attrs={"aria-current": "page"}).text.strip() == "Workflow rules"
