"""The case feed and its publisher (Post, File, Share, Task)."""
# Contract with the case page (app/cases/routes.py):
#   feed_context(case, user, feed_filter) -> dict of template variables that
#   templates/cases/_publisher.html and templates/cases/_feed.html need.
from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request
from flask_login import current_user

from app.access import can_edit_case, get_case_or_404
from app.cases import bp
from app.cases.feed_forms import FileForm, PostForm, ShareForm, TaskForm
from app.cases.page import case_link, get_editable_case_or_404, item_context, today_for
from app.cases.related import RELATED_CHANGED
from app.extensions import db
from app.forms import show_refusal
from app.htmx import is_fragment_request, with_trigger
from app.models import User
from app.models.users import initials_of
from app.pagination import parse_page
from app.services import feed as feed_service
from app.services import files as file_store
from app.services.errors import CaseConflict, ValidationFailed
from app.services.feed import FEED_FILTERS, DuplicateSubmission

ACTIONS = {"post": "Post", "email": "Email", "file": "File", "share": "Share", "task": "Task"}
# The newest 25 items, then "Show older": most visits read only the latest activity.
FEED_PER_PAGE = 25
DONE_MESSAGES = {"post": "Posted.", "file": "Files attached.", "share": "Update shared.",
                 "task": "Task added."}


@bp.app_template_filter("filesize")
def filesize(value) -> str:
    """A byte count as people read it (12 KB, 3.2 MB)."""
    return file_store.human_size(int(value or 0))


@bp.app_template_filter("initials")
def initials(name: str) -> str:
    return initials_of(name or "")


def timeline_context(case, user, feed_filter: str = "all", page: int = 1) -> dict:
    """The feed's items (one page, newest first) and what its templates need."""
    feed_filter = feed_filter if feed_filter in FEED_FILTERS else "all"
    items, has_more = feed_service.list_feed(case, feed_filter, page=page, per_page=FEED_PER_PAGE)
    return {"case": case, "feed_filter": feed_filter, "feed_filters": FEED_FILTERS,
            "feed_items": items, "feed_page": page, "feed_has_more": has_more,
            "today": today_for(user), "can_edit": can_edit_case(user, case),
            "case_link": lambda **params: case_link(case, **params)}


# A fresh form per publisher action, each with a new idempotency key (Email builds its own).
BLANK_FORMS = {
    "post": lambda case, user: PostForm.blank(),
    "file": lambda case, user: FileForm.blank(),
    "share": lambda case, user: ShareForm.blank(status=case.status, priority=case.priority,
                                                version=case.version),
    "task": lambda case, user: TaskForm.blank(assignees=feed_service.assignable_users(),
                                              assignee=user.id),
}


def publisher_context(case, user, action: str | None = None, *, notice: str | None = None,
                      conflict: CaseConflict | None = None, **forms) -> dict:
    """The publisher open on one action, with the form given or a fresh one; the other tabs
    load their forms when first opened (publisher_panel)."""
    action = action if action in ACTIONS else request.args.get("publish")
    action = action if action in ACTIONS else "post"
    can_edit = can_edit_case(user, case)
    form_name = f"{action}_form"
    if can_edit and action in BLANK_FORMS and not forms.get(form_name):
        forms[form_name] = BLANK_FORMS[action](case, user)
    return forms | {"case": case, "publisher_actions": ACTIONS, "publisher_action": action,
                    "publisher_notice": notice, "conflict": conflict, "can_edit": can_edit,
                    "upload_limit": file_store.max_upload_bytes(),
                    "case_link": lambda **params: case_link(case, **params)}


def feed_context(case, user, feed_filter: str = "all") -> dict:
    """Everything the Feed tab's templates need; `feed_page` and `publish` come from the URL."""
    page = parse_page(request.args.get("feed_page"))
    return timeline_context(case, user, feed_filter, page) | publisher_context(case, user)


@bp.route("/<int:number>/feed")
def feed(number: int):
    """The feed component for htmx (or one older page of it); a cold load opens the case."""
    case = get_case_or_404(number, current_user)
    feed_filter = request.args.get("feed", "all")
    page = parse_page(request.args.get("page"))
    if not is_fragment_request():
        return redirect(case_link(case, feed=feed_filter, feed_page=page,
                                  publish=request.args.get("publish")) + "#feed", code=303)
    context = timeline_context(case, current_user, feed_filter, page)
    template = "cases/_feed_items.html" if page > 1 else "cases/_feed.html"
    return render_template(template, **context)


@bp.route("/<int:number>/publisher/<action>")
def publisher_panel(number: int, action: str):
    """One publisher tab's panel, loaded when the tab is first opened; a cold load opens the
    case page on that tab."""
    case = get_editable_case_or_404(number)
    if action not in BLANK_FORMS:
        abort(404)
    if not is_fragment_request():
        return redirect(case_link(case, publish=action) + "#publisher", code=303)
    return render_template("cases/_publisher_panel.html",
                           **publisher_context(case, current_user, action))


def publisher_response(case, action: str, status: int, **publisher):
    """Re-render the publisher in place: the form, not the feed, shows what went wrong."""
    context = publisher_context(case, current_user, action, **publisher)
    if not is_fragment_request():
        page = timeline_context(case, current_user) | context
        return make_response(render_template("cases/publish.html", **page), status)
    response = make_response(render_template("cases/_publisher.html", **context), status)
    response.headers["HX-Retarget"] = "#publisher"
    response.headers["HX-Reswap"] = "outerHTML"
    return response


def _published(case, action: str, item, *, case_changed: bool):
    """The new item for the top of the feed plus a fresh publisher; 303 without JavaScript."""
    if not is_fragment_request():
        flash(DONE_MESSAGES[action], "success")
        return redirect(case_link(case) + "#feed", code=303)
    html = (render_template("cases/_feed_item.html", item=item, **item_context(case, current_user))
            + render_template("cases/_publisher.html", publisher_oob=True,
                              **publisher_context(case, current_user, action)))
    # Every action adds to the feed and may add a file, a task or history to the side lists.
    events = (RELATED_CHANGED, "case-changed") if case_changed else (RELATED_CHANGED,)
    return with_trigger(make_response(html), *events)


def _publish(number: int, action: str, form_name: str, form, save):
    """Validate, save once, commit, and answer; the one path every publisher action takes."""
    case = get_editable_case_or_404(number)
    if not form.validate_on_submit():
        return publisher_response(case, action, 422, **{form_name: form})
    version = case.version
    try:
        item = save(case, form)
    except ValidationFailed as exc:
        db.session.rollback()
        show_refusal(form, exc)
        return publisher_response(case, action, 422, **{form_name: form})
    except DuplicateSubmission as exc:
        db.session.rollback()
        if not is_fragment_request():
            flash(str(exc), "info")
            return redirect(case_link(case) + "#feed", code=303)
        return publisher_response(case, action, 200, notice=str(exc))
    except CaseConflict as exc:
        db.session.rollback()
        if isinstance(form, ShareForm):  # resubmitting now applies over what changed
            form.version.data = str(case.version)
        return publisher_response(case, action, 409, conflict=exc, **{form_name: form})
    db.session.commit()
    return _published(case, action, item, case_changed=case.version != version)


@bp.route("/<int:number>/feed/posts", methods=["POST"])
def publish_post(number: int):
    """Post a Markdown comment, internal or public."""
    return _publish(number, "post", "post_form", PostForm(), lambda case, form: (
        feed_service.add_post(case, actor=current_user, body=form.body.data,
                              visibility=form.visibility.data,
                              request_key=form.request_key.data)))


@bp.route("/<int:number>/feed/files", methods=["POST"])
def publish_files(number: int):
    """Attach one or more files with an optional comment."""
    return _publish(number, "file", "file_form", FileForm(), lambda case, form: (
        feed_service.add_files(case, actor=current_user, comment=form.comment.data or "",
                               uploads=[(f.filename, f.stream, f.mimetype)
                                        for f in form.chosen_files()],
                               visibility=form.visibility.data,
                               request_key=form.request_key.data)))


@bp.route("/<int:number>/feed/share", methods=["POST"])
def publish_share(number: int):
    """Change status and/or priority with a note; a stale version answers 409."""
    return _publish(number, "share", "share_form", ShareForm(), lambda case, form: (
        feed_service.share_update(case, actor=current_user,
                                  expected_version=form.expected_version,
                                  status=form.status.data, priority=form.priority.data,
                                  note=form.note.data or "", request_key=form.request_key.data)))


@bp.route("/<int:number>/feed/tasks", methods=["POST"])
def publish_task(number: int):
    """Add a task with a subject, due date and assignee."""
    form = TaskForm(assignees=feed_service.assignable_users())
    return _publish(number, "task", "task_form", form, lambda case, form: (
        feed_service.task_item(feed_service.create_task(
            case, actor=current_user, subject=form.subject.data, due_date=form.due_date.data,
            assignee=db.session.get(User, form.assignee.data),
            request_key=form.request_key.data))))

