"""app/forms.py: the form base's helpers behave exactly as the library's they stand in for."""
import random

from markupsafe import Markup
from wtforms.widgets import core as widgets

from app.extensions import db
from app.forms import html_params, wtforms_html_params
from tests.conftest import soup
from tests.factories import make_case


def _values(rng: random.Random):
    alphabet = 'ab "<>&\'=x1\u00e9\u2014'
    text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
    return rng.choice([text, Markup(text), rng.randint(-5, 500), 2.5, None, True, False, ""])


def test_html_params_writes_what_wtforms_writes_for_any_attributes():
    rng = random.Random(5)
    keys = ["class_", "for_", "id", "name", "value", "data_hx_get", "aria_describedby",
            "placeholder", "rows", "checked", "required", "title"]
    for _ in range(400):
        kwargs = {key: _values(rng) for key in rng.sample(keys, rng.randint(0, len(keys)))}
        ours, theirs = html_params(**kwargs), wtforms_html_params(**kwargs)
        assert ours == theirs and type(ours) is type(theirs), kwargs


def test_every_widget_and_label_writes_its_attributes_with_ours():
    """WTForms looks html_params up in three places: the widgets' module, the widgets
    package (labels) and the Input and Button classes' own copies (every input)."""
    import wtforms
    from wtforms import fields

    assert widgets.html_params is html_params
    assert wtforms.widgets.html_params is html_params
    holders = [value for value in vars(widgets).values()
               if isinstance(value, type) and hasattr(value, "html_params")]
    assert widgets.Input in holders and widgets.Button in holders
    assert all(holder.html_params is html_params for holder in holders)

    class Sample(wtforms.Form):
        name = fields.StringField("Name")
        hidden = fields.HiddenField()
        agree = fields.BooleanField("Agree")

    form = Sample(data={"name": 'A "quoted" <name>'})
    assert str(form.name(class_="input")) == (
        '<input class="input" id="name" name="name" type="text" '
        'value="A &#34;quoted&#34; &lt;name&gt;">')
    assert str(form.name.label(class_="label")) == '<label class="label" for="name">Name</label>'
    assert str(form.agree()) == '<input id="agree" name="agree" type="checkbox" value="y">'


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
