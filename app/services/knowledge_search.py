"""Full-text search over article versions: FTS5 on SQLite, tsvector + GIN on PostgreSQL.

Two entry points: index_article(version) after a version's text changes, and
search_articles(q, ...) returning (version, score) pairs best first. Query text is never handed
to either engine's syntax: it is cut into word tokens, and each token is quoted (FTS5) or
passed as a bound value (PostgreSQL), so quotes, `*`, `:`, NEAR or stray parentheses are words
or nothing, never an error.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

import sqlalchemy as sa
from markupsafe import Markup, escape

from app.extensions import db
from app.models.knowledge import FTS_TABLE, ArticleVersion

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
    parts = [version.title or ""]
    parts += [str(value) for value in (version.fields or {}).values() if value]
    return "\n".join(parts)


def _is_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def index_article(version: ArticleVersion) -> None:
    """Bring the full-text index up to date with this version's title and fields."""
    version.search_text = document_text(version)
    db.session.flush()
    if _is_sqlite():
        db.session.execute(sa.text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"),
                           {"id": version.id})
        db.session.execute(sa.text(f"INSERT INTO {FTS_TABLE} (rowid, search_text) "
                                   "VALUES (:id, :text)"),
                           {"id": version.id, "text": version.search_text})


def unindex_versions(version_ids: Iterable[int]) -> None:
    """Forget deleted versions (PostgreSQL's index goes with the row by itself)."""
    ids = list(version_ids)
    if ids and _is_sqlite():
        db.session.execute(sa.text(f"DELETE FROM {FTS_TABLE} WHERE rowid IN :ids")
                           .bindparams(sa.bindparam("ids", expanding=True)), {"ids": ids})


def _fts5_expression(tokens: list[str], any_terms: bool) -> str:
    # Each token quoted (a token holds no quote) and matched as a prefix.
    return (" OR " if any_terms else " AND ").join(f'"{token}"*' for token in tokens)


def _tsquery(tokens: list[str], any_terms: bool):
    """A tsquery of prefix matches, each token a bound value, joined with | or &."""
    parts = [sa.func.to_tsquery(sa.literal_column("'simple'"),
                                sa.func.quote_literal(sa.bindparam(f"t{i}", token)).op("||")(
                                    sa.literal(":*")))
             for i, token in enumerate(tokens)]
    query = parts[0]
    for part in parts[1:]:
        query = query.op("||" if any_terms else "&&")(part)
    return query


def match_versions(q: str | None, *, any_terms: bool = False):
    """A selectable of (version_id, score) for the query, higher score better; None when the
    query holds no word to look for."""
    tokens = query_tokens(q)
    if not tokens:
        return None
    if _is_sqlite():
        return (sa.text(f"SELECT rowid AS version_id, -bm25({FTS_TABLE}) AS score "
                        f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts_query")
                .bindparams(fts_query=_fts5_expression(tokens, any_terms))
                .columns(version_id=sa.Integer, score=sa.Float).subquery("matches"))
    # The GIN index's own expression (app.models.knowledge), so PostgreSQL uses the index.
    vector = sa.func.to_tsvector(sa.literal_column("'simple'"), sa.func.translate(
        ArticleVersion.search_text, sa.literal_column("'<>'"), sa.literal_column("'  '")))
    query = _tsquery(tokens, any_terms)
    return (sa.select(ArticleVersion.id.label("version_id"),
                      sa.func.ts_rank(vector, query).label("score"))
            .where(vector.op("@@")(query)).subquery("matches"))


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
