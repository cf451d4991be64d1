"""Moving an article through its life: submit, approve or reject, publish, discard, archive,
delete, and its placement (address, categories, channels)."""
from flask import abort, flash, render_template, request, url_for
from flask_login import current_user

from app.extensions import db
from app.forms import show_refusal
from app.htmx import hx_redirect
from app.knowledge import bp
from app.knowledge.forms import ArticleSettingsForm, ConfirmForm, ReviewForm
from app.knowledge.loading import (
    article_by_slug, chosen_language, require_admin_here, require_writer_here, version_of,
)
from app.knowledge.routes import chosen_categories, fill_placement_choices
from app.services import knowledge as kb
from app.services import knowledge_articles as articles
from app.services.errors import ValidationFailed


def back_to(version, message: str, category: str = "success"):
    flash(message, category)
    return hx_redirect(url_for("knowledge.view_article", slug=version.article.slug,
                               lang=version.language, v=version.number))


def act(slug: str, version_id: int, action, message: str, **kwargs):
    """Load the version through its article, run the action, commit, go back."""
    article = article_by_slug(slug)
    version = version_of(article, version_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        action(version, actor=current_user, **kwargs)
    except ValidationFailed as exc:
        db.session.rollback()
        return back_to(version, str(exc), "error")
    db.session.commit()
    return back_to(version, message)


@bp.post("/articles/<slug>/versions/<int:version_id>/submit")
def submit_version(slug: str, version_id: int):
    require_writer_here()
    needs_review = kb.get_knowledge_settings().approval_required
    return act(slug, version_id, articles.submit_version,
               "Sent for review." if needs_review else "Published.")


@bp.post("/articles/<slug>/versions/<int:version_id>/publish")
def publish_version(slug: str, version_id: int):
    if kb.get_knowledge_settings().approval_required and not kb.can_approve(current_user):
        abort(403)
    return act(slug, version_id, articles.publish_version, "Published.")


@bp.post("/articles/<slug>/versions/<int:version_id>/approve")
def approve_version(slug: str, version_id: int):
    if not kb.can_approve(current_user):
        abort(403)
    return act(slug, version_id, articles.approve_version, "Approved and published.",
               comment=ReviewForm().comment.data or "")


@bp.post("/articles/<slug>/versions/<int:version_id>/reject")
def reject_version(slug: str, version_id: int):
    if not kb.can_approve(current_user):
        abort(403)
    return act(slug, version_id, articles.reject_version,
               "Sent back to the author with your comment.",
               comment=ReviewForm().comment.data or "")


@bp.route("/articles/<slug>/versions/<int:version_id>/discard", methods=["GET", "POST"])
def discard_draft(slug: str, version_id: int):
    require_writer_here()
    article = article_by_slug(slug)
    version = version_of(article, version_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        only = len(article.versions) == 1
        articles.discard_draft(version, actor=current_user)
        db.session.commit()
        flash("Draft discarded.", "success")
        return hx_redirect(url_for("knowledge.home") if only else
                           url_for("knowledge.view_article", slug=slug, lang=version.language))
    return render_template("knowledge/confirm.html", form=form, article=article,
                           title=f"Discard version {version.number} ({version.status_label})?",
                           text="Its text is lost. The published version, if any, stays live.",
                           button="Discard draft")


@bp.route("/articles/<slug>/archive", methods=["GET", "POST"])
def archive_article(slug: str):
    require_writer_here()
    article = article_by_slug(slug)
    form = ConfirmForm()
    if form.validate_on_submit():
        if article.is_archived:
            articles.unarchive_article(article, actor=current_user)
            message = "Article restored to its channels."
        else:
            articles.archive_article(article, actor=current_user)
            message = "Article archived: it is in no channel, search or suggestion."
        db.session.commit()
        flash(message, "success")
        return hx_redirect(url_for("knowledge.view_article", slug=article.slug))
    if article.is_archived:
        return render_template("knowledge/confirm.html", form=form, article=article,
                               title="Bring the article back?", danger=False,
                               text="It returns to its channels, search and suggestions.",
                               button="Unarchive")
    return render_template("knowledge/confirm.html", form=form, article=article,
                           title="Archive this article?",
                           text=f"It leaves every channel, search and suggestion. It is "
                                f"attached to {article.attach_count} case(s); they keep the link.",
                           button="Archive article")


@bp.route("/articles/<slug>/delete", methods=["GET", "POST"])
def delete_article(slug: str):
    require_admin_here()
    article = article_by_slug(slug)
    form = ConfirmForm()
    if form.validate_on_submit():
        articles.delete_article(article, actor=current_user)
        db.session.commit()
        flash("Article deleted.", "success")
        return hx_redirect(url_for("knowledge.home"))
    return render_template("knowledge/confirm.html", form=form, article=article,
                           title="Delete this article and every version?",
                           text=f"This cannot be undone. It is attached to "
                                f"{article.attach_count} case(s).",
                           button="Delete article")


@bp.route("/articles/<slug>/settings", methods=["GET", "POST"])
def article_settings(slug: str):
    require_writer_here()
    article = article_by_slug(slug)
    form = ArticleSettingsForm(data={"slug": article.slug, "channels": article.channels,
                                     "categories": [c.id for c in article.categories]}
                               if request.method == "GET" else None)
    fill_placement_choices(form)
    if form.validate_on_submit():
        try:
            articles.update_article_settings(
                article, actor=current_user, slug=form.slug.data,
                categories=chosen_categories(form.categories.data),
                channels=form.channels.data or [])
        except ValidationFailed as exc:
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash("Article settings saved.", "success")
            return hx_redirect(url_for("knowledge.view_article", slug=article.slug))
    return render_template("knowledge/article_settings.html", form=form, article=article,
                           language=chosen_language(article)), 422 if form.errors else 200
