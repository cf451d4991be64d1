"""app/forms.py: Casebook's forms carry Flask-WTF's CSRF token and escape what users typed."""
from bs4 import BeautifulSoup
from flask_wtf.csrf import generate_csrf

from app.extensions import db
from app.forms import Form
from tests.conftest import soup
from tests.factories import make_case


def test_a_form_carries_the_pages_csrf_token_and_accepts_only_it(app):
    """Forms use Flask-WTF's own token: the one the layout's csrf_token() gives."""
    from wtforms import StringField

    class Sample(Form):
        name = StringField("Name")

    app.config["WTF_CSRF_ENABLED"] = True
    with app.test_request_context("/", method="POST"):
        token = generate_csrf()
        hidden = BeautifulSoup(str(Sample().hidden_tag()), "html.parser").find("input")
        assert hidden["name"] == "csrf_token" and hidden["value"] == token
    with app.test_request_context("/", method="POST", data={"csrf_token": "forged"}):
        assert not Sample().validate()


def test_a_subject_kept_after_a_refusal_comes_back_escaped_in_its_value(login, agent):
    """A user's text in a re-rendered input's value stays text: its quote cannot end the
    attribute and its tag is not markup."""
    case = make_case(actor=agent)
    db.session.commit()
    client = login(agent)
    typed = 'Call "back"><script>alert(1)</script>'
    response = client.post(f"/cases/{case.number}/feed/tasks", headers={"HX-Request": "true"},
                           data={"task-subject": typed, "task-due_date": "not a date",
                                 "task-assignee": str(agent.id)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<script>alert(1)" not in html
    assert 'value="Call &#34;back&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert soup(response).find("input", {"name": "task-subject"})["value"] == typed
