"""Find the caller: contacts, accounts, cases and people for one line of text, best first.

Order of evidence: a case number exactly; an email exactly, a phone number by its digits,
then an email by its start; names by the start of each word (accents and case ignored); then
full-text relevance. Cases are read through access.visible_cases, so a hidden case never
shows in a result, a count or a snippet.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.access import visible_articles, visible_cases
from app.extensions import db
from app.models import Account, Case, Contact, User
from app.models.knowledge import Article, ArticleVersion
from app.services import knowledge_search, search_index
from app.services.search_index import digits_of, fold

QUERY_MAX = 200
MIN_PHONE_DIGITS = 7
GROUPS = ("contacts", "accounts", "cases", "articles", "people")
GROUP_LABELS = {"contacts": "Contacts", "accounts": "Accounts", "cases": "Cases",
                "articles": "Articles", "people": "People"}
PHONE_TEXT = re.compile(r"[\d\s()+\-./]+")
CASE_NUMBER = re.compile(r"#?\s*0*(\d{1,10})")

EXACT_NUMBER, EXACT_EMAIL, EXACT_PHONE, PHONE_END, EMAIL_START, NAME = (
    1000, 900, 850, 800, 700, 600)
FULL_TEXT = 100  # plus a relevance between 0 and 1


@dataclass
class Query:
    """What one line of text could be: a number, a phone, an email, words."""

    text: str
    words: list[str]
    number: int | None = None
    digits: str = ""
    email: str = ""

    @classmethod
    def parse(cls, text: str | None) -> Query:
        text = " ".join((text or "").split())[:QUERY_MAX]
        query = cls(text=text, words=search_index.query_tokens(fold(text)))
        match = CASE_NUMBER.fullmatch(text)
        if match and int(match.group(1)) < 2**31:
            query.number = int(match.group(1))
        if PHONE_TEXT.fullmatch(text) and len(digits_of(text)) >= MIN_PHONE_DIGITS:
            query.digits = digits_of(text)
        if " " not in text and len(text) >= 2 and not text.isdigit():
            query.email = text.lower()
        return query

    @property
    def is_empty(self) -> bool:
        return not self.words and self.number is None and not self.email


@dataclass
class Group:
    key: str
    total: int
    items: list
    snippets: dict = field(default_factory=dict)
    best: float = 0

    @property
    def label(self) -> str:
        return GROUP_LABELS[self.key]


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _words_match(column, words: list[str]) -> sa.ColumnElement[bool]:
    """Every word starts a word of the folded name."""
    return sa.and_(*(sa.or_(column.like(f"{_like_escape(w)}%", escape="\\"),
                            column.like(f"% {_like_escape(w)}%", escape="\\"))
                     for w in words))


def _phone_score(column, digits: str):
    """Exact digits; else either number ends with the other (a country or area code)."""
    ends = sa.or_(column.like(f"%{digits}"),
                  sa.and_(sa.func.length(column) >= MIN_PHONE_DIGITS,
                          sa.literal(digits).like(sa.literal("%") + column)))
    return [(column == digits, EXACT_PHONE), (ends, PHONE_END)]


def _scored(model, query: Query, *, name=True, email=None, phone=None) -> sa.Select | None:
    """(id, score) for rows of a model matching by email, phone or name."""
    cases = []
    if email is not None and query.email:
        cases += [(sa.func.lower(email) == query.email, EXACT_EMAIL),
                  (sa.func.lower(email).like(f"{_like_escape(query.email)}%", escape="\\"),
                   EMAIL_START)]
    if phone is not None and query.digits:
        cases += _phone_score(phone, query.digits)
    if name and query.words:
        cases.append((_words_match(model.search_name, query.words), NAME))
    if not cases:
        return None
    score = sa.case(*cases, else_=0)
    return sa.select(model.id.label("id"), score.label("score")).where(
        sa.or_(*(condition for condition, _ in cases)))


def _full_text(query: Query, kind_column: str, kinds: tuple[str, ...]) -> sa.Select | None:
    documents = search_index.match_documents(query.text)
    if documents is None:
        return None
    found = documents.subquery()
    return (sa.select(found.c[kind_column].label("id"),
                      (found.c.score + FULL_TEXT).label("score"))
            .where(found.c.kind.in_(kinds), found.c[kind_column].is_not(None)))


def _combine(parts: list) -> sa.Subquery | None:
    """One row per id with its best score."""
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    union = sa.union_all(*parts).subquery()
    return (sa.select(union.c.id, sa.func.max(union.c.score).label("score"))
            .group_by(union.c.id).subquery())


def _candidates(key: str, query: Query, user: User) -> tuple[sa.Subquery | None, object]:
    """The (id, score) rows of one group, and the model they point at."""
    if key == "contacts":
        return _combine([_scored(Contact, query, email=Contact.email,
                                 phone=Contact.phone_digits)]), Contact
    if key == "accounts":
        return _combine([_scored(Account, query, phone=Account.phone_digits),
                         _full_text(query, "account_id", ("account",))]), Account
    if key == "people":
        if not user.is_staff:
            return None, User
        found = _scored(User, query, email=User.email)
        return _combine([found.where(User.active_staff()) if found is not None else None]), User
    number = (sa.select(Case.id.label("id"), sa.literal(EXACT_NUMBER).label("score"))
              .where(Case.number == query.number) if query.number is not None else None)
    return _combine([number, _full_text(query, "case_id", ("case", "feed"))]), Case


def _article_group(query: Query, user: User, *, page: int, per_page: int) -> Group:
    """Published knowledge articles the user may read on the internal channel, by relevance
    (the knowledge base's own full-text index)."""
    matches = knowledge_search.match_versions(query.text)
    if matches is None:
        return Group("articles", 0, [])
    base = (sa.select(ArticleVersion, matches.c.score)
            .join(matches, matches.c.version_id == ArticleVersion.id)
            .join(Article, Article.id == ArticleVersion.article_id)
            .where(ArticleVersion.status == "published", visible_articles(user, "internal")))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery())) or 0
    rows = db.session.execute(base.options(joinedload(ArticleVersion.article))
                              .order_by(matches.c.score.desc(), ArticleVersion.id)
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return Group("articles", total, [row[0] for row in rows], best=FULL_TEXT if rows else 0)


def _group(key: str, query: Query, user: User, *, page: int, per_page: int) -> Group:
    if key == "articles":
        return _article_group(query, user, page=page, per_page=per_page)
    found, model = _candidates(key, query, user)
    if found is None:
        return Group(key, 0, [])
    visible = [visible_cases(user)] if model is Case else []
    base = sa.select(model, found.c.score).join(found, found.c.id == model.id).where(*visible)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery())) or 0
    options = {Contact: [joinedload(Contact.account)], Case: [joinedload(Case.contact),
               joinedload(Case.account), joinedload(Case.owner)]}.get(model, [])
    order = Case.updated_at.desc() if model is Case else sa.func.lower(model.name)
    rows = db.session.execute(base.options(*options).order_by(found.c.score.desc(), order,
                                                              model.id)
                              .limit(per_page).offset((page - 1) * per_page)).all()
    items = [row[0] for row in rows]
    group = Group(key, total, items, best=rows[0][1] if rows else 0)
    if key in ("cases", "accounts") and items:
        group.snippets = _snippets(query, key, [item.id for item in items])
    return group


def _snippets(query: Query, key: str, ids: list[int]) -> dict:
    """The best excerpt per case or account on the page (the owner id as the key)."""
    documents = search_index.match_documents(query.text)
    if documents is None:
        return {}
    column = "case_id" if key == "cases" else "account_id"
    found = documents.subquery()
    rows = db.session.execute(sa.select(found.c.id, found.c[column])
                              .where(found.c[column].in_(ids))
                              .order_by(found.c.score.desc())).all()
    best: dict[int, int] = {}
    for document_id, owner_id in rows:
        best.setdefault(owner_id, document_id)
    excerpts = search_index.snippets(query.text, list(best.values()))
    return {owner: excerpts[doc] for owner, doc in best.items() if doc in excerpts}


def search(user: User, text: str, *, kind: str | None = None, page: int = 1,
           per_group: int = 5, per_page: int = 20) -> tuple[Query, list[Group]]:
    """Every group (or only `kind`, paged) for the text, groups ordered by their best match."""
    query = Query.parse(text)
    if query.is_empty:
        return query, []
    if kind in GROUPS:
        return query, [_group(kind, query, user, page=page, per_page=per_page)]
    groups = [_group(key, query, user, page=1, per_page=per_group) for key in GROUPS]
    return query, sorted(groups, key=lambda g: -g.best)


def suggest(user: User, text: str, per_group: int = 3) -> tuple[Query, list[Group]]:
    """The dropdown: the best few contacts, accounts, cases and articles."""
    query = Query.parse(text)
    if query.is_empty:
        return query, []
    groups = [_group(key, query, user, page=1, per_page=per_group)
              for key in ("contacts", "accounts", "cases", "articles")]
    return query, sorted((g for g in groups if g.items), key=lambda g: -g.best)


def prefill(text: str) -> dict[str, str]:
    """New account / contact fields from an unmatched query: digits fill the phone, an
    address the email, words the name."""
    query = Query.parse(text)
    if query.digits or (query.number is not None and not query.words[1:]):
        return {"phone": query.text}
    if "@" in query.text and " " not in query.text:
        return {"email": query.text.lower()}
    return {"name": query.text}
