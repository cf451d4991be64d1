"""Full-text search over article versions, through the one full-text index (search_index).

index_article(version) after a version's text changes (the index's flush listener does it too),
unindex_versions(ids) for versions deleted in bulk, match_versions(q) and search_articles(q, ...)
returning (version, score) pairs best first. Query text is never handed to either engine's
syntax: it is cut into word tokens, each quoted by search_index, so quotes, `*`, `:`, NEAR or
stray parentheses are words or nothing, never an error.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

import sqlalchemy as sa
from markupsafe import Markup, escape

from app.extensions import db
from app.models.knowledge import ArticleVersion
from app.services import search_index

TOKEN = re.compile(r"[^\W_]+")
MAX_TOKENS = 24
MAX_TOKEN_LENGTH = 60
SNIPPET_LENGTH = 220


def query_tokens(q: str | None) -> list[str]:
    """The distinct word tokens of a query, lower-cased, in order, bounded in number."""
    seen: dict[str, None] = {}
    for token in TOKEN.findall((q or "")[:2000].lower()):
        seen.setdefault(token[:MAX_TOKEN_LENGTH], None)
        if len(seen) >= MAX_TOKENS:
            break
    return list(seen)


def document_text(version: ArticleVersion) -> str:
    """What the index reads of a version: its title and every field's text."""
    return version.search_text


def index_article(version: ArticleVersion) -> None:
    """Bring the full-text index up to date with this version's title and fields."""
    db.session.flush()
    search_index.index_article_version(version)


def unindex_versions(version_ids: Iterable[int]) -> None:
    """Forget versions about to be deleted."""
    search_index.unindex_article_versions(version_ids)


def match_versions(q: str | None, *, any_terms: bool = False):
    """A selectable of (version_id, score) for the query, higher score better; None when the
    query holds no word to look for."""
    return search_index.match_article_versions(query_tokens(q), any_terms=any_terms)


def search_articles(q: str | None, *, where: Iterable = (), any_terms: bool = False,
                    limit: int = 20, offset: int = 0) -> list[tuple[ArticleVersion, float]]:
    """Versions matching the query (and the caller's filters), best first, with their score."""
    matches = match_versions(q, any_terms=any_terms)
    if matches is None:
        return []
    stmt = (sa.select(ArticleVersion, matches.c.score)
            .join(matches, matches.c.version_id == ArticleVersion.id)
            .where(*where).order_by(matches.c.score.desc(), ArticleVersion.id.desc())
            .limit(limit).offset(offset))
    return [(version, score) for version, score in db.session.execute(stmt).all()]


def highlight(text: str, tokens: list[str], *, length: int = SNIPPET_LENGTH) -> Markup:
    """A snippet of plain text around the first match, escaped, with matches in <mark>."""
    text = re.sub(r"[#*_`\[\]]+", "", text or "")
    text = re.sub(r"\s+", " ", text).strip()
    if not tokens:
        return escape(text[:length] + ("…" if len(text) > length else ""))
    pattern = re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, tokens)) + r")[^\W_]*",
                         re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, (first.start() if first else 0) - length // 3)
    if start:
        start = text.rfind(" ", 0, start) + 1  # begin at a word
    window = text[start:start + length]
    pieces = [Markup("…") if start else Markup("")]
    position = 0
    for found in pattern.finditer(window):
        pieces.append(escape(window[position:found.start()]))
        pieces.append(Markup("<mark>{}</mark>").format(found.group()))
        position = found.end()
    pieces.append(escape(window[position:]))
    if start + length < len(text):
        pieces.append(Markup("…"))
    return Markup("").join(pieces)
