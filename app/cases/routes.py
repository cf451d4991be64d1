"""Case list views, case creation and the case page (Feed and Details tabs, header)."""
import functools
from urllib.parse import quote, urlencode

from flask import abort, current_app, flash, g, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from app import access
from app.cases import bp
from app.cases.feed import feed_context
from app.cases.forms import INLINE_FORMS, CaseFilterForm, CaseForm
from app.database import write_transactions
from app.extensions import db
from app.forms import show_refusal
from app.htmx import hx_redirect, is_fragment_request, render_page_or_fragment
from app.pagination import parse_page
from app.services import case_lists
from app.services import cases as case_service
from app.services.errors import ValidationFailed
from app.services.verification import attach_verification
from app.teams.related import related_lists_context
from app.web import case_number, priority_badge, status_badge, time_cell, user_zone

# Service field names as the forms call them.
FORM_FIELDS = {"account": "account_id", "contact": "contact_id", "owner": "owner_id",
               "type": "case_type", "status": "status", "priority": "priority",
               "origin": "origin", "subject": "subject", "description": "description"}
# What a query string may carry unescaped, as url_for writes it, so links read the same.
URL_SAFE = "!$'()*,/:;?@"
TABS = (("feed", "Feed", "cases.view_case"), ("details", "Details", "cases.case_details"))


def sorted_by(query: case_lists.CaseQuery) -> tuple[str | None, str]:
    """The column and direction the rows are really in, for the header arrows."""
    if query.sort:
        return query.sort, query.direction
    return (None, "desc") if query.view == "recent" else ("updated", "desc")


def sort_link(query: case_lists.CaseQuery, column: str) -> str:
    """Sort by a column; a second click on the sorted column reverses it."""
    current, direction = sorted_by(query)
    if current == column:
        direction = "asc" if direction == "desc" else "desc"
    else:
        direction = "desc" if column in case_lists.DESCENDING_FIRST else "asc"
    return list_link(query, sort=column, direction=direction, page=1)


def list_link(query: case_lists.CaseQuery, **changes) -> str:
    """The list's URL for this query with some parts changed (a sort, a page, a view)."""
    base = g.get("case_list_url")
    if base is None:  # url_for once per request: a list page links to itself two dozen times
        base = g.case_list_url = url_for("cases.list_cases")
    return _query_url(base, query, tuple(changes.items()))


@functools.lru_cache(maxsize=4096)
def _query_url(base: str, query: case_lists.CaseQuery, changes: tuple) -> str:
    """A query's URL; the same few dozen (views, sorts, pages) recur on every list."""
    params = (query.with_(**dict(changes)) if changes else query).params()
    return f"{base}?{urlencode(params, quote_via=quote, safe=URL_SAFE)}" if params else base


def column_headers(query: case_lists.CaseQuery) -> list[dict]:
    """Each column's label, sort link and the arrow it shows, built once per list."""
    column, direction = sorted_by(query)
    return [{"key": key, "label": label, "href": sort_link(query, key),
             "sorted": direction if key == column else None}
            for key, label in case_lists.COLUMNS.items()]


def number_url(endpoint: str) -> str:
    """An endpoint's URL with "{}" where the case number goes, to format once per row."""
    marker = 987654321
    return url_for(endpoint, number=marker).replace(str(marker), "{}")


class CaseRow:
    """One row of a case list, formatted once in Python; the template only places it."""

    __slots__ = ("number", "href", "subject", "account", "contact", "status", "priority",
                 "owner", "opened", "updated")

    def __init__(self, row: tuple, case_url: str, zone) -> None:
        (_, number, self.subject, status, priority, created_at, updated_at, account, contact,
         owner) = row  # case_lists.ROW_COLUMNS
        self.number = case_number(number)
        self.href = case_url.format(number)
        self.account = account or ""
        self.contact = contact or ""
        self.status = status_badge(status)
        self.priority = priority_badge(priority)
        self.owner = owner or "Unassigned"
        self.opened = time_cell(created_at, zone)
        self.updated = time_cell(updated_at, zone)


# A rendered row depends only on its own values, the time zone and the case URL, and is cached
# by exactly those: a changed case, account, contact or owner name is a different key, so a
# cached row can never show stale data. An agent's lists repeat most rows request to request.
ROW_CACHE_SIZE = 4096


@functools.lru_cache(maxsize=ROW_CACHE_SIZE)
def case_row_html(row: tuple, case_url: str, zone) -> Markup:
    """One <tr> of a case list (templates/cases/_case_row.html; kept for the life of the
    process, so an edit to that template shows after a restart)."""
    macro = current_app.jinja_env.get_template("cases/_case_row.html").module.case_row
    return macro(CaseRow(row, case_url, zone))


def read_list(query: case_lists.CaseQuery) -> case_lists.CaseList:
    return case_lists.list_cases(current_user, query,
                                 per_page=current_app.config["CASES_PER_PAGE"],
                                 with_counts=not is_fragment_request())


@bp.route("/")
def list_cases():
    """A case view, filtered, sorted and paged; htmx gets just the results."""
    form = CaseFilterForm(formdata=request.args)
    query, problems = form.to_query(parse_page(request.args.get("page")))
    listed = read_list(query)
    if problem := form.settle_owner(listed.owners):  # no one who may own a case: list again
        problems.append(problem)
        query = query.with_(owner="")
        listed = read_list(query)
    results, counts = listed.page, listed.counts
    query = query.with_(page=results.page)
    case_url, zone = number_url("cases.view_case"), user_zone()
    # One string: the template places it whole instead of copying fifty. The rows are Markup
    # already; a plain join copies them once, where Markup.join escaped (copied) each first.
    rows_html = Markup("".join([case_row_html(row, case_url, zone) for row in results.items]))
    response = render_page_or_fragment(
        "cases/list.html", "cases/_results.html", form=form, query=query, results=results,
        rows_html=rows_html, problems=problems, counts=counts, count_cap=case_lists.TAB_COUNT_CAP,
        views=case_lists.VIEWS, headers=column_headers(query),
        list_link=lambda **changes: list_link(query, **changes),
        page_url=lambda n: list_link(query, page=n))
    if is_fragment_request():  # the address bar shows the tidy form of what is listed
        response.headers["HX-Push-Url"] = list_link(query)
    return response


@bp.route("/new", methods=["GET", "POST"])
def new_case():
    """Open a case; the creator owns it unless they choose someone else."""
    form = CaseForm(owners=case_service.assignable_owners(), owner_id=current_user.id)
    if request.method == "GET":
        form.fill_links(*case_service.find_links(request.args.get("account_id"),
                                                 request.args.get("contact_id")))
    elif form.validate_on_submit():
        try:
            case = case_service.create_case(actor=current_user, **form.values())
            attach_verification(case, request.form.get("verification"), actor=current_user)
        except ValidationFailed as exc:
            db.session.rollback()
            show_refusal(form, exc, FORM_FIELDS)
        else:
            db.session.commit()
            if not access.can_view_case(current_user, case):  # handed to someone, out of sight
                flash(f"Case {case.padded_number} is open and assigned to {case.owner.name}. "
                      "With private case access you no longer see it.", "info")
                return hx_redirect(url_for("cases.list_cases"))
            flash(f"Case {case.padded_number} is open.", "success")
            return hx_redirect(url_for("cases.view_case", number=case.number))
    return render_form_page(form, None, 422 if form.errors else 200)


def case_context(case, tab: str = "feed", **extra) -> dict:
    """What the case page needs: header, tabs, related lists, and the Feed tab's own context."""
    context = feed_context(case, current_user, request.args.get("feed", "all")) \
        if tab == "feed" else {}
    if not is_fragment_request():  # the side column: the lists Admin → Page layout picks
        context |= related_lists_context(case, current_user)
    return context | {"case": case, "tab": tab, "tabs": TABS, "edit_field": None,
                      "edit_form": None, "edit_changes": None, "focus": None,
                      "perms": access.case_permissions(current_user, case)} | extra


def case_tab(number: int, tab: str):
    """The case page on one tab; an htmx tab switch gets just the tab."""
    case, viewed_at = access.get_case_and_last_view_or_404(number, current_user,
                                                           creator=tab == "details")
    seen = case_service.viewed_recently(viewed_at)
    response = render_page_or_fragment("cases/case.html", "cases/_tabs.html",
                                       **case_context(case, tab))
    if not seen:
        remember_view(case, current_user)
    return response


def remember_view(case, user) -> None:
    """Record the visit in a write transaction of its own, begun once the page is built: a case
    view then holds SQLite's write lock only for one upsert, and most views (a minute apart
    or less) never take it."""
    session = db.session()
    # The page is built: what it loaded need not be reloaded (under the lock, too) after commit.
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()  # ends the page's transaction, which only read
        with write_transactions():
            case_service.record_view(case, user)
            session.commit()
    except SQLAlchemyError:
        # Only Recently viewed is lost (the next visit records it); the page still shows.
        session.rollback()
        current_app.logger.warning("Could not record a view of case %s", case.number,
                                   exc_info=True)
    finally:
        session.expire_on_commit = expire


@bp.route("/<int:number>")
def view_case(number: int):
    """The case page: header and the Feed tab."""
    return case_tab(number, "feed")


@bp.route("/<int:number>/details")
def case_details(number: int):
    """The case page: header and the Details tab."""
    return case_tab(number, "details")


def header_response(case, status: int = 200, **extra):
    """The header for htmx; the whole case page (Feed tab) for a browser without it."""
    if is_fragment_request():
        context = case_context(case, tab="header", **extra)
    else:
        context = case_context(case, **extra)
    return render_page_or_fragment("cases/case.html", "cases/_header.html", status=status,
                                   **context)


@bp.route("/<int:number>/header")
def case_header(number: int):
    """The case header; `?edit=status|priority|owner` opens that field's editor."""
    case = access.get_case_or_404(number, current_user)
    field = request.args.get("edit")
    focus = request.args.get("focus")
    if field is None:
        return header_response(case, focus=focus if focus in INLINE_FORMS else None)
    if field not in INLINE_FORMS:
        abort(404)
    editing.require_field_edit(case, field)
    return header_response(case, edit_field=field,
                           edit_form=editing.inline_form(case, field, formdata=None))


def render_form_page(form, case, status: int, template: str = "form", **extra):
    """A case form page (new, edit, close) or its partial for htmx."""
    return render_page_or_fragment(f"cases/{template}.html", f"cases/_{template}.html",
                                   status=status, form=form, case=case, **extra)


from app.cases import editing  # noqa: E402,F401  (its routes join the blueprint)
