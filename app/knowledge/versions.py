"""An article's versions: the history, comparing two, restoring an old one."""
from flask import abort, flash, render_template, request, url_for
from flask_login import current_user

from app.extensions import db
from app.htmx import hx_redirect
from app.knowledge import bp
from app.knowledge.forms import ConfirmForm
from app.knowledge.loading import (
    article_by_slug, chosen_language, require_writer_here, version_of,
)
from app.models.knowledge import LANGUAGES
from app.services import knowledge_articles as articles
from app.services.errors import ValidationFailed


@bp.route("/articles/<slug>/versions")
def version_history(slug: str):
    article = article_by_slug(slug)
    language = chosen_language(article)
    history = articles.versions_of(article, language)
    return render_template("knowledge/versions.html", article=article, language=language,
                           languages=LANGUAGES, history=history, form=ConfirmForm(),
                           article_languages=articles.languages_of(article))


@bp.route("/articles/<slug>/compare")
def compare_versions(slug: str):
    """Two versions of one language side by side, field by field (older first)."""
    article = article_by_slug(slug)
    first = version_of(article, request.args.get("a", type=int) or 0)
    second = version_of(article, request.args.get("b", type=int) or 0)
    if first.language != second.language:
        abort(404)
    old, new = sorted((first, second), key=lambda v: v.number)
    return render_template("knowledge/compare.html", article=article, old=old, new=new,
                           diff=articles.diff_versions(old, new, article.article_type))


@bp.post("/articles/<slug>/versions/<int:version_id>/restore")
def restore_version(slug: str, version_id: int):
    require_writer_here()
    article = article_by_slug(slug)
    version = version_of(article, version_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        draft = articles.restore_version(version, actor=current_user)
    except ValidationFailed as exc:
        flash(str(exc), "error")
        return hx_redirect(url_for("knowledge.version_history", slug=slug,
                                   lang=version.language))
    db.session.commit()
    flash(f"Version {version.number} restored as a new draft (version {draft.number}).",
          "success")
    return hx_redirect(url_for("knowledge.view_article", slug=slug, lang=draft.language,
                               v=draft.number))
