"""The what-if page for admins: a process, a priority, a start and some changes; every
deadline and why."""
from datetime import datetime, timezone

from flask import request
from flask_login import current_user

from app.entitlements import bp
from app.entitlements.common import optional_id
from app.entitlements.forms import WhatIfForm
from app.htmx import render_page_or_fragment
from app.services.errors import ValidationFailed
from app.services.milestone_views import parse_changes, process_choices, what_if

EXAMPLE = "+30m Waiting on Customer\n+2h Working\n+3h response\n+1d Closed"


@bp.route("/what-if")
def setup_what_if():
    """Recalculate on every change of the form (htmx), or on submit without JavaScript."""
    processes = process_choices()
    form = WhatIfForm(formdata=request.args if request.args else None)
    form.process_id.choices = [(str(p.id), p.name) for p in processes]
    if not request.args:
        form.changes.data = EXAMPLE
    process = next((p for p in processes if p.id == optional_id(form.process_id.data)),
                   processes[0] if processes else None)
    zone = current_user.zone
    opened = (form.opened.data.replace(tzinfo=zone) if form.opened.data
              else datetime.now(timezone.utc).astimezone(zone).replace(second=0, microsecond=0))
    form.opened.data = opened.replace(tzinfo=None)
    views, error = [], None
    if process is not None:
        try:
            events = parse_changes(form.changes.data, opened.astimezone(timezone.utc))
            views = what_if(process, form.priority.data, opened.astimezone(timezone.utc), events)
        except ValidationFailed as exc:
            error = str(exc)
    return render_page_or_fragment(
        "entitlements/what_if.html", "entitlements/_what_if_results.html", form=form,
        process=process, views=views, error=error, has_processes=bool(processes),
        status=422 if error else 200)
