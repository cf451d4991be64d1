"""Search views: the results page (or its fragment), the dropdown, and the reindex command."""
import click
from flask import render_template, request, url_for
from flask_login import current_user

from app.extensions import db
from app.htmx import render_page_or_fragment
from app.pagination import Page, parse_page
from app.search import bp
from app.search.forms import SearchForm
from app.services import search as search_service
from app.services import search_index

PER_PAGE = 20


@bp.route("/search")
def results():
    """Results grouped by type with counts; one type paged when `type` is given."""
    form = SearchForm(formdata=request.args)
    form.validate()
    q, kind = form.q.data or "", form.type.data or None
    page = parse_page(request.args.get("page"))
    query, groups = search_service.search(current_user, q, kind=kind, page=page,
                                          per_page=PER_PAGE)
    paged = (Page(groups[0].items, page, PER_PAGE, groups[0].total) if kind and groups
             else None)
    return render_page_or_fragment(
        "search/results.html", "search/_results.html", form=form, q=q, kind=kind,
        query=query, groups=groups, paged=paged, prefill=search_service.prefill(q),
        labels=search_service.GROUP_LABELS,
        page_url=lambda n: url_for(".results", q=q, type=kind, page=n))


@bp.route("/search/suggest")
def suggest():
    """The dropdown under the top bar's box: the best few contacts, accounts and cases."""
    q = (request.args.get("q") or "")[:search_service.QUERY_MAX]
    query, groups = search_service.suggest(current_user, q)
    return render_template("search/_suggestions.html", q=q.strip(), query=query, groups=groups)


@bp.cli.command("reindex")
@click.option("--if-empty", is_flag=True,
              help="Only when the index holds nothing yet (a desk upgraded from an earlier "
                   "Casebook); otherwise do nothing.")
def reindex(if_empty: bool) -> None:
    """Rebuild the full-text index and the search columns from the tables."""
    if if_empty and not search_index.needs_rebuild():
        return
    total = search_index.rebuild()
    db.session.commit()
    click.echo(f"Indexed {total} documents.")
