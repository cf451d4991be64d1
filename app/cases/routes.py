"""Case list views, case creation and the case page (Feed and Details tabs, header)."""
from flask import current_app, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from app import access
from app.cases import bp
from app.cases.feed import feed_context
from app.cases.forms import CaseFilterForm, CaseForm
from app.cases.page import FORM_FIELDS
from app.cases.related import related_lists_context
from app.database import write_transactions
from app.extensions import db
from app.forms import show_refusal
from app.htmx import is_fragment_request, render_form, render_page_or_fragment
from app.models import PRIORITIES, STATUSES
from app.pagination import parse_page
from app.services import accounts as account_service
from app.services import case_lists
from app.services import cases as case_service
from app.services import eligibility as eligibility_service
from app.services.errors import ValidationFailed
from app.services.verification import attach_verification
from app.submissions import create_once

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
    return url_for("cases.list_cases", **query.with_(**changes).params())


def column_headers(query: case_lists.CaseQuery) -> list[dict]:
    """Each column's label, sort link and the arrow it shows."""
    column, direction = sorted_by(query)
    return [{"key": key, "label": label, "href": sort_link(query, key),
             "sorted": direction if key == column else None}
            for key, label in case_lists.COLUMNS.items()]


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
    response = render_page_or_fragment(
        "cases/list.html", "cases/_results.html", form=form, query=query, results=results,
        problems=problems, counts=counts, count_cap=case_lists.TAB_COUNT_CAP,
        views=case_lists.VIEWS, headers=column_headers(query),
        list_link=lambda **changes: list_link(query, **changes),
        page_url=lambda n: list_link(query, page=n),
        bulk_choices={"owners": listed.owners, "statuses": STATUSES, "priorities": PRIORITIES})
    if is_fragment_request():  # the address bar shows the tidy form of what is listed
        response.headers["HX-Push-Url"] = list_link(query)
    return response


def open_case(form: CaseForm):
    """Create the case from the form, with the caller's verification carried over and the
    entitlement it opens under checked (a refusal rolls the whole case back)."""
    case = case_service.create_case(actor=current_user, **form.values())
    attach_verification(case, request.form.get("verification"), actor=current_user)
    eligibility_service.open_under_entitlement(case, request.form.get("entitlement_id"),
                                               request.form.get("no_entitlement_reason", ""),
                                               form.origin.data)
    return case


def opened(case) -> tuple[str, str]:
    """Where a new case leads, and what to say."""
    if not access.can_view_case(current_user, case):  # handed to someone, out of sight
        return url_for("cases.list_cases"), (
            f"Case {case.padded_number} is open and assigned to {case.owner.name}. "
            "With private case access you no longer see it.")
    return url_for("cases.view_case", number=case.number), f"Case {case.padded_number} is open."


@bp.route("/new", methods=["GET", "POST"])
def new_case():
    """Open a case; the creator owns it unless they choose someone else."""
    form = CaseForm(owners=case_lists.assignable_owners(), owner_id=current_user.id)
    if request.method == "GET":
        form.fill_links(*account_service.find_links(request.args.get("account_id"),
                                                    request.args.get("contact_id")))
    elif form.validate_on_submit():
        try:
            return create_once(form, lambda: open_case(form), opened)
        except ValidationFailed as exc:
            db.session.rollback()
            show_refusal(form, exc, FORM_FIELDS)
    carried = request.values.get("verification", "")
    return render_form("cases/form.html", form, "cases/_form.html", case=None,
                       eligibility=eligibility_service.eligibility(form.account, form.origin.data),
                       carried_verification=carried if carried.isdigit() else None)


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
