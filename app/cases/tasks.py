"""Tasks: completing one from the feed or the list, and My tasks across cases."""
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from app.access import editable_case_ids
from app.cases import bp
from app.cases.page import case_link, get_editable_case_or_404, item_context, today_for
from app.cases.feed_forms import CompleteTaskForm
from app.cases.related import RELATED_CHANGED
from app.extensions import db
from app.htmx import is_fragment_request, render_page_or_fragment, with_trigger
from app.pagination import paginate, parse_page
from app.services import feed as feed_service

TASKS_PER_PAGE = 25


@bp.route("/tasks")
def my_tasks():
    """The signed-in agent's open tasks on cases they can see, overdue first."""
    page = paginate(feed_service.open_tasks_stmt(current_user),
                    page=parse_page(request.args.get("page")), per_page=TASKS_PER_PAGE)
    editable = editable_case_ids(current_user, {task.case for task in page.items})
    return render_page_or_fragment("cases/tasks.html", "cases/_task_list.html", tasks=page,
                                   today=today_for(current_user),
                                   may_edit=lambda case: case.id in editable,
                                   case_url=case_link,
                                   page_url=lambda n: url_for("cases.my_tasks", page=n))


@bp.route("/<int:number>/tasks/<int:task_id>/complete", methods=["POST"])
def complete_task(number: int, task_id: int):
    """Mark a task done and swap it in place (the feed's card or the list's row)."""
    case = get_editable_case_or_404(number)
    task = feed_service.get_task(case, task_id)
    if task is None:
        abort(404)
    form = CompleteTaskForm()
    feed_service.complete_task(task, actor=current_user)
    db.session.commit()
    if not is_fragment_request():
        flash(f"Done: {task.subject}", "success")
        target = url_for("cases.my_tasks") if form.from_list else case_link(case) + "#feed"
        return redirect(target, code=303)
    template = "cases/_task_row.html" if form.from_list else "cases/_task_card.html"
    return with_trigger(make_response(render_template(template, task=task, case_url=case_link,
                                                      **item_context(case, current_user))),
                        RELATED_CHANGED)
