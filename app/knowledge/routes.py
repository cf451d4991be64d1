"""Staff knowledge pages: the home (search and lists), browsing, reading and writing."""
import sqlalchemy as sa
from flask import abort, flash, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from app.database import write_transactions
from app.extensions import db
from app.forms import show_refusal
from app.htmx import hx_redirect, render_page_or_fragment
from app.knowledge import bp
from app.knowledge.forms import SearchForm, article_form_class, field_values
from app.knowledge.loading import (
    MovedArticle, article_by_slug, category_or_404, chosen_language, require_writer_here,
    type_or_404,
)
from app.models.knowledge import LANGUAGES, ArticleType, Category
from app.pagination import parse_page
from app.services import knowledge as kb
from app.services import knowledge_articles as articles
from app.services import knowledge_lists as lists
from app.services.deflections import deflection_count
from app.services.errors import AccessDenied, ValidationFailed
from app.services.markdown import render_markdown


@bp.errorhandler(MovedArticle)
def _moved(exc: MovedArticle):
    return exc.response


@bp.errorhandler(AccessDenied)
def _denied(exc: AccessDenied):
    abort(403)


def all_types() -> list[ArticleType]:
    return list(db.session.scalars(sa.select(ArticleType).order_by(ArticleType.name)))


@bp.route("/")
def home():
    """Search with filters; with no search, the lists that need attention."""
    settings = kb.get_knowledge_settings()
    form = SearchForm(request.args, types=all_types(), categories=kb.category_tree(),
                      languages=settings.language_codes)
    filters = form.filters()
    searching = bool((form.q.data or "").strip()) or any(filters.values())
    page, hits = lists.find_articles(current_user, form.q.data or "", filters,
                                     page=parse_page(request.args.get("page")))
    args = request.args.to_dict()
    context = {"form": form, "results": page, "hits": hits, "searching": searching,
               "page_url": lambda n: url_for("knowledge.home", **(args | {"page": n})),
               "languages": LANGUAGES, "can_write": kb.can_write(current_user)}
    if not searching:
        context |= {"drafts": lists.my_drafts(current_user),
                    "awaiting": lists.awaiting_approval(current_user),
                    "recent": lists.recently_published(current_user),
                    "attached": lists.most_attached(current_user),
                    "stale": lists.out_of_date_translations(),
                    "top_categories": lists.sub_categories(None),
                    "counts": lists.live_category_counts(current_user, "internal")}
    return render_page_or_fragment("knowledge/home.html", "knowledge/_results.html", **context)


@bp.route("/categories/<int:category_id>")
def browse_category(category_id: int):
    category = category_or_404(category_id)
    return render_template("knowledge/category.html", category=category,
                           path=kb.category_path(category),
                           children=lists.sub_categories(category),
                           counts=lists.live_category_counts(current_user, "internal"),
                           versions=lists.category_articles(category, current_user, "internal"),
                           article_url=lambda v: url_for("knowledge.view_article",
                                                         slug=v.article.slug))


@bp.route("/new", methods=["GET", "POST"])
def new_article():
    require_writer_here()
    types = all_types()
    if not request.args.get("type"):
        return render_template("knowledge/choose_type.html", types=types)
    article_type = type_or_404(request.args.get("type", type=int))
    form = article_form_class(article_type, new=True)()
    fill_placement_choices(form)
    if form.validate_on_submit():
        try:
            article = articles.create_article(
                actor=current_user, article_type=article_type, title=form.title.data,
                fields=field_values(form, article_type), language=form.language.data,
                categories=chosen_categories(form.categories.data),
                channels=form.channels.data or [], change_note=form.change_note.data)
        except ValidationFailed as exc:
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash("Draft saved.", "success")
            return hx_redirect(url_for("knowledge.view_article", slug=article.slug))
    status = 422 if form.errors else 200
    return render_template("knowledge/edit.html", form=form, article_type=article_type,
                           article=None, language=None, languages=LANGUAGES), status


def fill_placement_choices(form) -> None:
    if hasattr(form, "language"):
        form.language.choices = [(c, LANGUAGES[c])
                                 for c in kb.get_knowledge_settings().language_codes]
    form.categories.choices = [(c.id, " › ".join(p.name for p in kb.category_path(c)))
                               for c, _depth in kb.category_tree()]


def chosen_categories(ids) -> list[Category]:
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Category).where(Category.id.in_(ids))))


@bp.route("/articles/<slug>")
def view_article(slug: str):
    """The article in one language: its live version, or the version asked for."""
    article = article_by_slug(slug)
    language = chosen_language(article)
    history = articles.versions_of(article, language)
    number = request.args.get("v", type=int)
    live = next((v for v in history if v.status == "published"), None)
    draft = next((v for v in history if v.is_open), None)
    shown = next((v for v in history if v.number == number), None) if number else (live or draft)
    if shown is None and language != article.master_language and kb.can_write(current_user):
        # No version in this language yet: start the translation.
        return hx_redirect(url_for("knowledge.edit_article", slug=article.slug, lang=language))
    if shown is None:
        abort(404)
    master_live = articles.live_version(article, article.master_language)
    response = render_template(
        "knowledge/article.html", article=article, version=shown, live=live, draft=draft,
        language=language, languages=LANGUAGES, article_languages=translation_rows(article),
        out_of_date=articles.is_out_of_date(live, master_live), master_live=master_live,
        can_write=kb.can_write(current_user), can_approve=kb.can_approve(current_user),
        approval_required=kb.get_knowledge_settings().approval_required,
        path=[kb.category_path(c) for c in article.categories],
        deflections=deflection_count(article))
    count_view(article)
    return response


def translation_rows(article) -> list[dict]:
    """Per language offered: its live and open versions and whether it is out of date."""
    master_live = articles.live_version(article, article.master_language)
    rows = []
    for code in kb.get_knowledge_settings().language_codes:
        live = articles.live_version(article, code)
        rows.append({"code": code, "name": LANGUAGES[code], "live": live,
                     "open": articles.open_version(article, code),
                     "master": code == article.master_language,
                     "out_of_date": articles.is_out_of_date(live, master_live)})
    return rows


def count_view(article) -> None:
    """Count the read in a short write transaction of its own, after the page is built."""
    session = db.session()
    session.commit()
    with write_transactions():
        session.execute(sa.update(type(article)).where(type(article).id == article.id)
                        .values(view_count=type(article).view_count + 1))
        session.commit()


@bp.route("/articles/<slug>/edit", methods=["GET", "POST"])
def edit_article(slug: str):
    """Edit the open draft of a language (a published article gets a new draft)."""
    require_writer_here()
    article = article_by_slug(slug)
    language = chosen_language(article)
    article_type = article.article_type
    form = article_form_class(article_type, new=False)()
    if request.method == "GET":
        source = (articles.open_version(article, language)
                  or articles.live_version(article, language)
                  or articles.live_version(article, article.master_language)
                  or articles.open_version(article, article.master_language))
        if source is not None:
            form.title.data = source.title
            for field in article_type.fields:
                getattr(form, f"f_{field.key}").data = source.field_text(field.key)
    elif form.validate_on_submit():
        try:
            articles.save_draft(article, actor=current_user, language=language,
                                title=form.title.data, fields=field_values(form, article_type),
                                change_note=form.change_note.data)
        except ValidationFailed as exc:
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash("Draft saved. The published version stays live until this one is published.",
                  "success")
            return hx_redirect(url_for("knowledge.view_article", slug=article.slug,
                                       lang=language, v=articles.open_version(
                                           article, language).number))
    status = 422 if form.errors else 200
    return render_template("knowledge/edit.html", form=form, article_type=article_type,
                           article=article, language=language, languages=LANGUAGES,
                           master=articles.live_version(article, article.master_language)
                           if language != article.master_language else None), status


@bp.app_template_filter("kb_markdown")
def kb_markdown(text: str) -> Markup:
    """An article field's Markdown as sanitised HTML (nh3 allowlist: safe to mark safe)."""
    return Markup(render_markdown(text or ""))
