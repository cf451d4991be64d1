"""Admin setup: business hours, entitlement processes, service levels and the policy for
cases without an entitlement."""
import sqlalchemy as sa
from flask import flash, render_template, request, url_for

from app.entitlements import bp
from app.entitlements.common import confirm_then, get_or_404, optional_id, require_admin
from app.entitlements.forms import (
    CalendarForm, ConfirmForm, PolicyForm, ProcessForm, TemplateForm,
)
from app.extensions import db
from app.forms import show_refusal
from app.htmx import hx_redirect, render_form
from app.models import PRIORITIES
from app.models.entitlements import (
    MILESTONE_KINDS, PRIORITY_COLUMNS, BusinessCalendar, EntitlementProcess, EntitlementTemplate,
)
from app.services import entitlement_setup as setup
from app.services import eligibility as eligibility_service
from app.services.calendar_text import (
    format_holidays, format_windows, parse_holidays, parse_windows,
)
from app.services.errors import ValidationFailed


@bp.before_request
def _admins_only_for_setup() -> None:
    if request.endpoint and request.endpoint.split(".")[-1].startswith("setup_"):
        require_admin()


@bp.route("/setup")
def setup_overview():
    """Calendars, processes, service levels and the policy, on one page."""
    calendars = setup.calendars()
    return render_template(
        "entitlements/setup.html", calendars=calendars, processes=setup.processes(),
        templates=db.session.scalars(sa.select(EntitlementTemplate)
                                     .order_by(EntitlementTemplate.name)).all(),
        policy_form=PolicyForm(policy=eligibility_service.no_entitlement_policy()),
        window_text={c.id: format_windows(c.windows) for c in calendars})


@bp.route("/setup/policy", methods=["POST"])
def setup_policy():
    form = PolicyForm()
    if form.validate_on_submit():
        eligibility_service.set_no_entitlement_policy(form.policy.data)
        db.session.commit()
        flash("Saved the policy for cases without an entitlement.", "success")
    return hx_redirect(url_for(".setup_overview"))


def _calendar_page(form, calendar):
    return render_form("entitlements/calendar_form.html", form, "entitlements/_calendar_form.html", calendar=calendar, zones=setup.zone_names())


@bp.route("/setup/calendars/new", methods=["GET", "POST"])
@bp.route("/setup/calendars/<int:calendar_id>", methods=["GET", "POST"])
def setup_calendar(calendar_id: int | None = None):
    calendar = get_or_404(BusinessCalendar, calendar_id) if calendar_id else None
    form = CalendarForm(obj=calendar)
    if request.method == "GET":
        form.windows.data = (format_windows(calendar.windows) if calendar
                             else "Mon-Fri 09:00-17:00")
        form.holidays.data = format_holidays(calendar.holidays) if calendar else ""
    if form.validate_on_submit():
        try:
            saved = setup.save_calendar(
                calendar, name=form.name.data, zone=form.zone.data,
                description=form.description.data, windows=parse_windows(form.windows.data),
                holidays=parse_holidays(form.holidays.data))
        except ValidationFailed as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(f"Saved the business hours {saved.name}.", "success")
            return hx_redirect(url_for(".setup_overview"))
    return _calendar_page(form, calendar)


@bp.route("/setup/calendars/<int:calendar_id>/delete", methods=["GET", "POST"])
def setup_delete_calendar(calendar_id: int):
    calendar = get_or_404(BusinessCalendar, calendar_id)
    name = calendar.name
    return confirm_then(
        ConfirmForm(), lambda: setup.delete_calendar(calendar),
        lambda _: (f"Deleted the business hours {name}.", url_for(".setup_overview")),
        "entitlements/confirm_delete.html", name=name,
        back=url_for(".setup_calendar", calendar_id=calendar.id))


def _fill_process(form: ProcessForm, process: EntitlementProcess | None) -> None:
    calendars = setup.calendars()
    existing = {m.kind: m for m in process.milestones} if process else {}
    for entry, kind in zip(form.milestones, MILESTONE_KINDS):
        entry.calendar.choices = [(str(c.id), c.name) for c in calendars]
        entry.kind_label = MILESTONE_KINDS[kind]
        if request.method != "GET":
            continue
        row = existing.get(kind)
        entry.enabled.data = row is not None or (process is None and kind != "next_response")
        entry.pause_statuses.data = list(row.pause_statuses) if row else ["Waiting on Customer"]
        entry.warn_owner.data = entry.violation_owner.data = True
        if row is not None:
            entry.calendar.data = str(row.calendar_id)
            for column in PRIORITY_COLUMNS.values():
                entry[column].data = getattr(row, column)
            entry.warn_percent.data = row.warn_percent
            entry.warn_owner.data = bool((row.warn_recipients or {}).get("owner"))
            entry.violation_owner.data = bool((row.violation_recipients or {}).get("owner"))
            entry.addresses.data = ", ".join((row.violation_recipients or {})
                                             .get("addresses") or [])
            entry.violation_status.data = row.violation_status


def _specs(form: ProcessForm) -> list[setup.MilestoneSpec]:
    specs = []
    for entry, kind in zip(form.milestones, MILESTONE_KINDS):
        if not entry.enabled.data:
            continue
        calendar = db.session.get(BusinessCalendar, optional_id(entry.calendar.data) or 0)
        if calendar is None:
            raise ValidationFailed(f"Choose the business hours {MILESTONE_KINDS[kind].lower()} "
                                   "runs on.")
        addresses = [a.strip() for a in (entry.addresses.data or "").split(",") if a.strip()]
        specs.append(setup.MilestoneSpec(
            kind=kind, calendar=calendar,
            minutes={p: entry[PRIORITY_COLUMNS[p]].data or 0 for p in PRIORITIES},
            pause_statuses=entry.pause_statuses.data or [],
            warn_percent=entry.warn_percent.data, warn_owner=entry.warn_owner.data,
            warn_addresses=addresses, violation_owner=entry.violation_owner.data,
            violation_addresses=addresses, violation_status=entry.violation_status.data))
    return specs


@bp.route("/setup/processes/new", methods=["GET", "POST"])
@bp.route("/setup/processes/<int:process_id>", methods=["GET", "POST"])
def setup_process(process_id: int | None = None):
    process = get_or_404(EntitlementProcess, process_id) if process_id else None
    form = ProcessForm(obj=process) if request.method == "GET" else ProcessForm()
    _fill_process(form, process)
    if form.validate_on_submit():
        try:
            saved = setup.save_process(process, name=form.name.data,
                                       description=form.description.data,
                                       milestones=_specs(form))
        except ValidationFailed as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(f"Saved the process {saved.name}.", "success")
            return hx_redirect(url_for(".setup_overview"))
    return render_form("entitlements/process_form.html", form, "entitlements/_process_form.html", process=process, has_calendars=bool(setup.calendars()))


@bp.route("/setup/templates/new", methods=["GET", "POST"])
@bp.route("/setup/templates/<int:template_id>", methods=["GET", "POST"])
def setup_template(template_id: int | None = None):
    template = get_or_404(EntitlementTemplate, template_id) if template_id else None
    form = TemplateForm(obj=template) if request.method == "GET" else TemplateForm()
    form.process_id.choices = [("", "No milestones")] + [(str(p.id), p.name)
                                                      for p in setup.processes()]
    if request.method == "GET" and template:
        form.process_id.data = str(template.process_id or "")
    if form.validate_on_submit():
        try:
            saved = setup.save_template(
                template, name=form.name.data, kind=form.kind.data,
                term_days=form.term_days.data, allowance=form.allowance.data,
                tiers=form.tiers.data or [],
                process=db.session.get(EntitlementProcess, optional_id(form.process_id.data) or 0))
        except ValidationFailed as exc:
            db.session.rollback()
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash(f"Saved the service level {saved.name}.", "success")
            return hx_redirect(url_for(".setup_overview"))
    return render_form("entitlements/template_form.html", form, "entitlements/_template_form.html", template=template)
