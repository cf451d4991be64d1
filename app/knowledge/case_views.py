"""Knowledge on a case: the related list, attaching and detaching articles, writing an
article from a case, and suggestions while a new case's subject is typed."""
import sqlalchemy as sa
from flask import abort, flash, make_response, render_template, request, url_for
from flask_login import current_user

from app.access import can_edit_case, get_case_or_404, require_edit
from app.extensions import db
from app.htmx import hx_redirect, is_fragment_request, with_trigger
from app.knowledge import bp
from app.knowledge.forms import AttachForm, ConfirmForm, article_form_class, field_values
from app.knowledge.loading import require_writer_here, type_or_404
from app.knowledge.routes import all_types, chosen_categories, fill_placement_choices
from app.models.knowledge import LANGUAGES, Article, CaseArticle
from app.services import knowledge_articles as articles
from app.services import knowledge_cases as case_kb
from app.services.errors import ValidationFailed


def panel(case, status: int = 200):
    """The Knowledge related list, alone (htmx) or back on the case page."""
    if not is_fragment_request():
        return hx_redirect(url_for("cases.view_case", number=case.number))
    response = make_response(render_template(
        "knowledge/_case_knowledge.html", case=case, can_edit=can_edit_case(current_user, case),
        **case_kb.case_knowledge(case, current_user)), status)
    return with_trigger(response, "case-changed")


@bp.route("/cases/<int:number>/panel")
def case_panel(number: int):
    case = get_case_or_404(number, current_user)
    return render_template("knowledge/_case_knowledge.html", case=case,
                           can_edit=can_edit_case(current_user, case),
                           **case_kb.case_knowledge(case, current_user))


@bp.post("/cases/<int:number>/attach")
def attach_to_case(number: int):
    """Attach an article's live version to the case."""
    case = get_case_or_404(number, current_user)
    require_edit(current_user, case)
    form = AttachForm()
    if not form.validate_on_submit():
        abort(400)
    article = db.session.get(Article, form.article_id.data)
    if article is None or not article.in_channel("internal"):
        abort(404)
    try:
        case_kb.attach_article(case, article, actor=current_user,
                               link=url_for("knowledge.view_article", slug=article.slug))
    except ValidationFailed as exc:
        flash(str(exc), "error")
        return panel(case, 422)
    db.session.commit()
    return panel(case)


@bp.post("/cases/<int:number>/articles/<int:case_article_id>/detach")
def detach_from_case(number: int, case_article_id: int):
    case = get_case_or_404(number, current_user)
    require_edit(current_user, case)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    row = db.session.scalar(sa.select(CaseArticle).where(CaseArticle.id == case_article_id,
                                                         CaseArticle.case_id == case.id))
    if row is None:
        abort(404)
    case_kb.detach_article(case, row, actor=current_user)
    db.session.commit()
    return panel(case)


@bp.route("/cases/<int:number>/new-article", methods=["GET", "POST"])
def article_from_case(number: int):
    """A draft prefilled from the case; it is attached to the case when published."""
    require_writer_here()
    case = get_case_or_404(number, current_user)
    if not request.args.get("type"):
        return render_template("knowledge/choose_type.html", types=all_types(), case=case)
    article_type = type_or_404(request.args.get("type", type=int))
    prefill = case_kb.draft_from_case(case, article_type)
    form_class = article_form_class(article_type, new=True)
    form = form_class() if request.method == "POST" else form_class(data={
        "title": prefill["title"], "channels": ["internal"], "change_note": "Written from a case",
        **{f"f_{key}": value for key, value in prefill["fields"].items()}})
    fill_placement_choices(form)
    if form.validate_on_submit():
        try:
            article = articles.create_article(
                actor=current_user, article_type=article_type, title=form.title.data,
                fields=field_values(form, article_type), language=form.language.data,
                categories=chosen_categories(form.categories.data),
                channels=form.channels.data or [], change_note=form.change_note.data,
                source_case=case)
        except ValidationFailed as exc:
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash("Draft saved. It is attached to the case when it is published.", "success")
            return hx_redirect(url_for("knowledge.view_article", slug=article.slug))
    return render_template("knowledge/edit.html", form=form, article_type=article_type,
                           article=None, language=None, languages=LANGUAGES, case=case), \
        422 if form.errors else 200


@bp.route("/suggest")
def suggest():
    """Articles for a subject being typed (a fragment for the new case form)."""
    q = (request.args.get("q") or request.args.get("subject") or "")[:1000]  # or the case form's
    suggestions = case_kb.suggest_articles(q, current_user, limit=5)
    return render_template("knowledge/_suggestions.html", suggestions=suggestions, q=q)
