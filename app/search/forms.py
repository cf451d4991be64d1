"""The search box: a GET form (no CSRF: it changes nothing)."""
from wtforms import StringField

from app.forms import Form
from app.services.search import GROUPS, QUERY_MAX


class SearchForm(Form):
    class Meta:
        csrf = False

    # Longer text is cut, never refused: any query gives results or an empty state.
    q = StringField("Search", filters=[lambda v: (v or "").strip()[:QUERY_MAX]])
    type = StringField("Type", filters=[lambda v: v if v in GROUPS else ""])
