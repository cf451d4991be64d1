"""Email templates: merge fields, sandboxing, validation on save, preview, admin pages."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import EmailTemplate
from app.services import notifications
from app.services.workflow_admin import InvalidTemplate, save_template
from tests.conftest import HX, csrf_from, soup
from tests.factories import make_case, make_contact, make_email_template, make_workflow_rule

URL = "/admin/workflow/templates"
GOOD = {"name": "Escalation", "subject": "[Case {{ case.number }}] {{ case.subject }}",
        "body_text": "{{ actor.name }} escalated {{ case.link }}\n{{ comment }}", "body_html": ""}


@pytest.mark.parametrize("source, message", [
    ("{{ case.nope }}", "Unknown merge field case.nope."),
    ("{{ customer }}", "Unknown merge field customer."),
    ("{{ case.__class__ }}", "Only the documented merge fields"),
    ("{{ case.__class__.__mro__ }}", "Only the documented merge fields"),
    ("{{ case.items() }}", "Unknown merge field case.items."),
    ("{{ case['__class__'] }}", "Only the documented merge fields"),
    ("{{ range(10) }}", "Unknown merge field range."),
    ("{{ case|attr('__class__') }}", "The filter “attr” is not allowed."),
    ("{{ comment.upper() }}", "Only the documented merge fields"),
    ("{% include 'base.html' %}", "imports and includes are not allowed"),
    ("{{ lipsum() }}", "Unknown merge field lipsum."),
    ("{% for x in case %}{{ x }}{% endfor %}", "Loops, function calls"),
    ("{{ case.number ", "Line 1"),
])
def test_templates_outside_the_documented_fields_are_refused(app, source, message):
    problems = notifications.validate_email_template("Subject", source)
    assert message in problems.get("body_text", ""), problems


def test_documented_fields_and_simple_filters_are_accepted(app):
    text = ("{{ case.number }} {{ case.subject|upper }} {{ case.status }} {{ case.priority }} "
            "{{ case.link }} {{ case.account }} {{ case.contact }} {{ case.owner }} "
            "{{ actor.name }} {{ actor.email }} {{ comment|truncate(20) }} "
            "{% if case.priority == 'High' %}urgent{% endif %} {{ case['number'] }}")
    assert notifications.validate_email_template("[Case {{ case.number }}]", text, text) == {}


def test_a_subject_must_render_to_one_line(app):
    problems = notifications.validate_email_template("Line one\nLine two", "Body")
    assert problems == {"subject": "The subject must be one line."}


def test_merge_fields_are_filled_for_a_case_with_the_latest_public_comment(app, agent):
    from app.services import feed as feed_service

    contact = make_contact(name="Jamie Doe")
    case = make_case(actor=agent, contact=contact, subject="Printer <b>broken</b>")
    feed_service.add_post(case, actor=agent, body="Internal only", visibility="internal")
    feed_service.add_post(case, actor=agent, body="We ordered the part.", visibility="public")
    feed_service.add_post(case, actor=agent, body="Internal again", visibility="internal")
    template = EmailTemplate(name="t", subject="[Case {{ case.number }}] {{ case.subject }}",
                             body_text="{{ comment }} / {{ case.contact }} / {{ case.owner }}",
                             body_html="<p>{{ case.subject }}</p><script>x()</script>")
    mail = notifications.render_alert(template, notifications.merge_context(case, agent))
    assert mail.subject == f"[Case {case.padded_number}] Printer <b>broken</b>"
    assert mail.text.startswith("We ordered the part. / Jamie Doe / Alex Agent")
    assert "<p>Printer &lt;b&gt;broken&lt;/b&gt;</p>" in mail.html
    assert "<script" not in mail.html


def test_saving_through_the_service_refuses_each_bad_part(app):
    with pytest.raises(InvalidTemplate) as caught:
        save_template(None, name="Bad", subject="{{ case.secret }}",
                      body_text="{{ case.__init__ }}", body_html="{{ foo }}")
    assert set(caught.value.problems) == {"subject", "body_text", "body_html"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EmailTemplate)) == 0


def test_admin_lists_templates_with_the_rules_that_use_them(app, login, admin):
    client = login(admin)
    empty = client.get(URL)
    assert "No email templates yet" in empty.get_data(as_text=True)
    template = make_email_template(name="Escalation")
    make_workflow_rule([("priority", "changed_to", "High")], template=template, name="Escalate")
    db.session.commit()
    row = soup(client.get(URL)).find("table").find("tbody").find("tr")
    assert "Escalation" in row.text and "Escalate" in row.text


def test_new_template_form_is_a_page_and_a_fragment(app, login, admin):
    client = login(admin)
    page = client.get(f"{URL}/new")
    assert page.status_code == 200 and soup(page).find("form", id="template-form")
    assert "{{ case.number }}" in soup(page).find(class_="merge-fields").text
    fragment = client.get(f"{URL}/new", headers=HX)
    assert "<html" not in fragment.get_data(as_text=True)
    assert soup(fragment).find("form", id="template-form")


def test_saving_a_valid_template_with_csrf_redirects_to_the_list(app, login, admin):
    app.config["WTF_CSRF_ENABLED"] = True
    client = login(admin)
    token = csrf_from(client.get(f"{URL}/new"))
    assert client.post(f"{URL}/new", data=GOOD).status_code == 400
    response = client.post(f"{URL}/new", data=GOOD | {"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == URL
    assert db.session.scalar(sa.select(EmailTemplate.name)) == "Escalation"


def test_an_unknown_merge_field_is_a_validation_error_when_saving(app, login, admin):
    client = login(admin)
    response = client.post(f"{URL}/new", data=GOOD | {"body_text": "Hi {{ case.secret }}"})
    assert response.status_code == 422
    error = soup(response).find(id="body_text-error")
    assert "Unknown merge field case.secret." in error.text
    fragment = client.post(f"{URL}/new", headers=HX,
                           data=GOOD | {"subject": "{{ case.__class__ }}"})
    assert fragment.status_code == 422 and "<html" not in fragment.get_data(as_text=True)
    assert "Only the documented merge fields" in soup(fragment).find(id="subject-error").text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EmailTemplate)) == 0


def test_editing_keeps_the_name_unique(app, login, admin):
    make_email_template(name="First")
    second = make_email_template(name="Second")
    db.session.commit()
    response = login(admin).post(f"{URL}/{second.id}", data=GOOD | {"name": "first"})
    assert response.status_code == 422
    assert "already one called" in soup(response).find(id="name-error").text


def test_preview_renders_the_unsaved_text_for_a_chosen_case(app, login, admin):
    case = make_case(actor=admin, subject="Scanner jams")
    make_case(actor=admin, subject="Newest case")
    db.session.commit()
    client = login(admin)
    data = GOOD | {"action": "preview", "preview_case": case.padded_number,
                   "body_html": "<p>{{ case.subject }}</p>"}
    fragment = client.post(f"{URL}/new", data=data, headers=HX)
    panel = soup(fragment).find(id="template-preview")
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    assert f"[Case {case.padded_number}] Scanner jams" in panel.text
    assert "Ada Admin escalated http://" in panel.find("pre").text
    assert panel.find(class_="email-html").find("p").text == "Scanner jams"
    page = client.post(f"{URL}/new", data=data | {"preview_case": ""})
    assert "Newest case" in soup(page).find(id="template-preview").text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EmailTemplate)) == 0


def test_preview_explains_an_unknown_case_or_a_bad_template(app, login, admin):
    client = login(admin)
    missing = client.post(f"{URL}/new", headers=HX,
                          data=GOOD | {"action": "preview", "preview_case": "424242"})
    assert "There is no case 424242." in missing.get_data(as_text=True)
    none_yet = client.post(f"{URL}/new", headers=HX, data=GOOD | {"action": "preview"})
    assert "no cases yet" in none_yet.get_data(as_text=True)
    bad = client.post(f"{URL}/new", headers=HX,
                      data=GOOD | {"action": "preview", "body_text": "{{ case.x }}"})
    assert "Unknown merge field case.x." in bad.get_data(as_text=True)


def test_a_template_in_use_cannot_be_deleted_and_an_unused_one_can(app, login, admin):
    used = make_email_template(name="Used")
    make_workflow_rule([], template=used, name="Uses it")
    unused = make_email_template(name="Unused")
    db.session.commit()
    client = login(admin)
    refused = client.post(f"{URL}/{used.id}/delete")
    assert "Uses it" in refused.get_data(as_text=True)
    assert db.session.get(EmailTemplate, used.id) is not None
    confirm = client.get(f"{URL}/{unused.id}/delete")
    assert "Delete the template “Unused”?" in confirm.get_data(as_text=True)
    response = client.post(f"{URL}/{unused.id}/delete")
    assert response.status_code == 303
    assert db.session.get(EmailTemplate, unused.id) is None


def test_agents_cannot_reach_email_templates(app, login, agent):
    assert login(agent).get(URL).status_code == 403


def test_a_missing_template_is_404(app, login, admin):
    assert login(admin).get(f"{URL}/999").status_code == 404
