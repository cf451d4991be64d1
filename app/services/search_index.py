"""The full-text index: one small interface over SQLite FTS5 and PostgreSQL tsvector + GIN.

index_case / index_feed_item / index_account / index_article_version write a document in the
caller's transaction; a session listener calls them for every new or changed Case, FeedItem,
Account and ArticleVersion, so no service has to remember to (unindex_article_versions drops
versions deleted in bulk). The listener also keeps each case's subject words
(CaseSubjectWord), which similar_cases() reads. match_documents(text) gives the desk's
matching documents (global search), match_article_versions(words) the knowledge base's, each
with a score; snippets(text, ids) the desk documents' highlighted excerpts; rebuild() the
whole index again.
"""
from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Account, Case, Contact, FeedItem, SearchDocument, User
from app.models.knowledge import ArticleVersion
from app.models.search import (
    ARTICLE_KIND, ARTICLE_WHERE, PG_DOCUMENT, PG_VECTOR_COLUMN, CaseSubjectWord,
)

INDEXED_FEED_KINDS = ("post", "email")
MAX_TOKENS = 12
MAX_WORD_LENGTH = 60
# Words too common to say anything about what a case is about.
STOP_WORDS = frozenset("""a an and are as at be but by can cannot does for from has have how i
in is it its my no not of on or our please the their there this to was we what when where
which who why will with you your after again all any been before being cant could did do dont
get got help hi hello into just me more need now only out over same so some still than that
them then they too up us very want wants way were would yes issue problem question""".split())
# How many of the newest cases are read per subject word when looking for similar cases: the
# similar cases found are the newest ones, at a cost that does not grow with the desk.
SIMILAR_PER_WORD = 250
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"  # private-use characters: never typed by people
WORD = re.compile(r"[^\W_]+")


def fold(text: str | None) -> str:
    """Lowercase, accents removed, spaces collapsed: names compare on this."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def digits_of(text: str | None) -> str:
    """Only the digits of a phone number, whatever its formatting."""
    return "".join(ch for ch in (text or "") if ch.isdigit() and ch.isascii())


def query_tokens(text: str) -> list[str]:
    """The words of a user's query, at most MAX_TOKENS; punctuation and syntax dropped. Case
    and accents stay for the engine to fold as it folds the documents."""
    return WORD.findall(text or "")[:MAX_TOKENS]


def significant_words(text: str | None, limit: int = 12) -> list[str]:
    """The distinct lower-cased words of a text that say what it is about, in order: no stop
    words, no single letters."""
    seen: dict[str, None] = {}
    for word in WORD.findall((text or "")[:2000].lower()):
        word = word[:MAX_WORD_LENGTH]
        if word not in STOP_WORDS and len(word) > 1:
            seen.setdefault(word, None)
            if len(seen) >= limit:
                break
    return list(seen)


def _document(kind: str, ref_id: int, *, case_id=None, account_id=None, title="", body=""):
    return {"kind": kind, "ref_id": ref_id, "case_id": case_id, "account_id": account_id,
            "title": title or "", "body": body or ""}


def _write(connection, documents: list[dict], replaced: list[tuple[str, int]]) -> None:
    """Delete the replaced (kind, ref_id) documents, then insert (the triggers follow)."""
    table = SearchDocument.__table__
    for kind, ref_id in replaced:
        connection.execute(table.delete().where(table.c.kind == kind, table.c.ref_id == ref_id))
    if documents:
        connection.execute(table.insert(), documents)


def case_document(case: Case) -> dict:
    return _document("case", case.id, case_id=case.id, account_id=case.account_id,
                     title=case.subject, body=case.description)


def feed_document(item: FeedItem) -> dict | None:
    if item.kind not in INDEXED_FEED_KINDS or not item.body:
        return None
    return _document("feed", item.id, case_id=item.case_id, body=item.body)


def account_document(account: Account) -> dict:
    return _document("account", account.id, account_id=account.id, title=account.name,
                     body=account.support_notes)


# Markdown may hold <tags>: PostgreSQL's parser reads them as markup and drops the words
# between them, so articles are indexed with angle brackets as spaces (their snippets come from
# the version itself).
NO_ANGLES = str.maketrans("<>", "  ")


def article_document(version: ArticleVersion) -> dict:
    return _document(ARTICLE_KIND, version.id, title=(version.title or "").translate(NO_ANGLES),
                     body=version.body_text.translate(NO_ANGLES))


def index_case(case: Case) -> None:
    """(Re)index a case's subject and description."""
    _write(db.session.connection(), [case_document(case)], [("case", case.id)])


def index_feed_item(item: FeedItem) -> None:
    """(Re)index a post or email on a case's timeline."""
    document = feed_document(item)
    _write(db.session.connection(), [document] if document else [], [("feed", item.id)])


def index_account(account: Account) -> None:
    """(Re)index an account's name and support notes."""
    _write(db.session.connection(), [account_document(account)], [("account", account.id)])


def index_article_version(version: ArticleVersion) -> None:
    """(Re)index an article version's title and fields."""
    _write(db.session.connection(), [article_document(version)], [(ARTICLE_KIND, version.id)])


def unindex_article_versions(version_ids) -> None:
    """Forget article versions deleted without the session seeing each one."""
    ids = list(version_ids)
    if ids:
        table = SearchDocument.__table__
        db.session.connection().execute(table.delete().where(
            table.c.kind == ARTICLE_KIND, table.c.ref_id.in_(ids)))


TEXT_FIELDS = {Case: ("subject", "description", "account_id"), FeedItem: ("body", "kind"),
               Account: ("name", "support_notes"), ArticleVersion: ("title", "fields")}
DOCUMENTS = {Case: ("case", case_document), FeedItem: ("feed", feed_document),
             Account: ("account", account_document),
             ArticleVersion: (ARTICLE_KIND, article_document)}


def subject_word_rows(case_id: int, subject: str | None) -> list[dict]:
    return [{"case_id": case_id, "word": word} for word in significant_words(subject, 30)]


def _write_subject_words(connection, cases: list[Case], replaced: list[int]) -> None:
    table = CaseSubjectWord.__table__
    if replaced:
        connection.execute(table.delete().where(table.c.case_id.in_(replaced)))
    rows = [row for case in cases for row in subject_word_rows(case.id, case.subject)]
    if rows:
        connection.execute(table.insert(), rows)


def _changed(obj, fields) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in fields)


def _keep_search_columns(session: Session, flush_context, instances) -> None:
    """Before each flush: fill the folded name and phone digits of people and accounts."""
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, (Account, Contact, User)):
            name = fold(obj.name)
            if obj.search_name != name:
                obj.search_name = name
            if not isinstance(obj, User) and obj.phone_digits != digits_of(obj.phone):
                obj.phone_digits = digits_of(obj.phone)


def _keep_index(session: Session, flush_context) -> None:
    """After each flush, in the same transaction: index what is new, reindex what changed,
    drop what went. New rows have no document yet, so they cost one insert and no delete."""
    documents, replaced = [], []
    for obj in session.new:
        if type(obj) in DOCUMENTS:
            document = DOCUMENTS[type(obj)][1](obj)
            documents += [document] if document else []
    for obj in session.dirty:
        if type(obj) in DOCUMENTS and _changed(obj, TEXT_FIELDS[type(obj)]):
            kind, make = DOCUMENTS[type(obj)]
            document = make(obj)
            documents += [document] if document else []
            replaced.append((kind, obj.id))
    replaced += [(DOCUMENTS[type(obj)][0], obj.id) for obj in session.deleted
                 if type(obj) in DOCUMENTS]
    if documents or replaced:
        _write(session.connection(), documents, replaced)
    worded = [obj for obj in session.new if isinstance(obj, Case)]
    reworded = [obj for obj in session.dirty
                if isinstance(obj, Case) and _changed(obj, ("subject",))]
    if worded or reworded:
        _write_subject_words(session.connection(), worded + reworded, [c.id for c in reworded])


def init_app(app) -> None:
    """Keep the index and the search columns in step with every session (registered once)."""
    if not sa.event.contains(Session, "before_flush", _keep_search_columns):
        sa.event.listen(Session, "before_flush", _keep_search_columns)
        sa.event.listen(Session, "after_flush", _keep_index)


def _is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _fts_query(tokens: list[str], *, any_terms: bool = False,
               every_prefix: bool = False) -> str:
    """Every token quoted (FTS5) or single-quoted (tsquery): user syntax never reaches the
    engine. All words must appear (or any, with any_terms); the last may be the start of a
    word (typing), or every one with every_prefix."""
    last = len(tokens) - 1
    if _is_postgres():
        terms = [f"'{t}'" + (":*" if every_prefix or i == last else "")
                 for i, t in enumerate(tokens)]
        return (" | " if any_terms else " & ").join(terms)
    terms = [f'"{t}"' + ("*" if every_prefix or i == last else "") for i, t in enumerate(tokens)]
    return (" OR " if any_terms else " ").join(terms)


def _match(query: str, *, articles: bool) -> sa.Select:
    """(id, kind, ref_id, case_id, account_id, score) for an engine query, over the desk's
    documents (score 0..1) or the knowledge base's (score the engine's rank, unbounded: its
    callers only order by it, and bounding it would rank each match twice). Higher is better."""
    doc = SearchDocument.__table__
    columns = (doc.c.id, doc.c.kind, doc.c.ref_id, doc.c.case_id, doc.c.account_id)
    if _is_postgres():
        tsquery = sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"), query)
        vector = sa.literal_column(f"({PG_DOCUMENT})")  # the GIN indexes' expression
        stored = sa.literal_column(f"search_documents.{PG_VECTOR_COLUMN}")
        rank = sa.func.ts_rank(stored, tsquery)
        # The kind as written in the partial index's predicate, so PostgreSQL picks that index.
        family = sa.text(ARTICLE_WHERE) if articles else sa.true()
        score = rank if articles else rank * 10 / (rank * 10 + 1)
        return (sa.select(*columns, score.label("score"))
                .where(vector.op("@@")(tsquery), family))
    name = "knowledge_fts" if articles else "search_fts"
    fts = sa.table(name, sa.column("rowid"), sa.column("rank"))
    rank = -fts.c.rank
    score = rank if articles else rank / (rank + 1)
    return (sa.select(*columns, score.label("score"))
            .select_from(fts.join(doc, doc.c.id == fts.c.rowid))
            .where(sa.literal_column(name).op("MATCH")(query)))


def match_documents(text: str) -> sa.Select | None:
    """The desk's documents (cases, posts and emails, accounts) matching the text: (id, kind,
    ref_id, case_id, account_id, score 0..1 higher better); None when the text has no words."""
    tokens = query_tokens(text)
    if not tokens:
        return None
    return _match(_fts_query(tokens), articles=False)


def match_article_versions(words: list[str], *, any_terms: bool = False,
                           every_prefix: bool = True) -> sa.Subquery | None:
    """(version_id, score) of the article versions holding every word (or any, with
    any_terms), each as the start of a word (or only the last, the one being typed, without
    every_prefix); None when there is no word to look for."""
    words = [w for w in words if w]
    if not words:
        return None
    found = _match(_fts_query(words, any_terms=any_terms, every_prefix=every_prefix),
                   articles=True).subquery("article_documents")
    return sa.select(found.c.ref_id.label("version_id"), found.c.score).subquery("matches")


def similar_cases(words: list[str], *, needed: int) -> sa.Subquery:
    """(case_id) of the cases whose subject holds at least `needed` of these words, among the
    newest SIMILAR_PER_WORD cases holding each word."""
    table = CaseSubjectWord.__table__
    newest = [sa.select(table.c.case_id).where(table.c.word == word)
              .order_by(table.c.case_id.desc()).limit(SIMILAR_PER_WORD).subquery()
              for word in dict.fromkeys(words)]
    hits = (sa.union_all(*(sa.select(sub.c.case_id) for sub in newest)) if len(newest) > 1
            else sa.select(newest[0].c.case_id)).subquery("hits")
    return (sa.select(hits.c.case_id).group_by(hits.c.case_id)
            .having(sa.func.count() >= needed).subquery("similar_cases"))


def snippets(text: str, document_ids: list[int]) -> dict[int, Markup]:
    """Highlighted excerpts of these documents' bodies for the text (the title is shown as
    the result's name already): escaped, then <mark>."""
    tokens = query_tokens(text)
    if not tokens or not document_ids:
        return {}
    query = _fts_query(tokens)
    if _is_postgres():
        stmt = sa.text(
            "SELECT id, ts_headline('simple', body, "
            "to_tsquery('simple', :q), :options) FROM search_documents WHERE id = ANY(:ids)"
        ).bindparams(q=query, ids=list(document_ids), options=(
            f"StartSel={MARK_OPEN}, StopSel={MARK_CLOSE}, MaxWords=24, MinWords=10, "
            "MaxFragments=2, FragmentDelimiter=\" … \""))
    else:
        ids = ",".join(str(int(i)) for i in document_ids)
        stmt = sa.text(
            f"SELECT rowid, snippet(search_fts, 1, :open, :close, ' … ', 16) FROM search_fts "
            f"WHERE search_fts MATCH :q AND rowid IN ({ids})"
        ).bindparams(q=query, open=MARK_OPEN, close=MARK_CLOSE)
    return {row[0]: highlight(row[1] or "") for row in db.session.execute(stmt)}


def highlight(excerpt: str) -> Markup:
    """Escape an excerpt, then turn the engine's markers into balanced <mark> tags."""
    out, open_ = [], False
    for part in re.split(f"([{MARK_OPEN}{MARK_CLOSE}])", excerpt):
        if part in (MARK_OPEN, MARK_CLOSE):
            if (part == MARK_OPEN) != open_:
                out.append("<mark>" if part == MARK_OPEN else "</mark>")
                open_ = not open_
        else:
            out.append(str(escape(part)))
    return Markup("".join(out) + ("</mark>" if open_ else ""))


def needs_rebuild() -> bool:
    """True when cases exist but none is indexed: a desk whose data predates the index."""
    has_cases = db.session.scalar(sa.select(Case.id).limit(1)) is not None
    has_documents = db.session.scalar(sa.select(SearchDocument.id).limit(1)) is not None
    return has_cases and not has_documents


def rebuild() -> int:
    """Rebuild every document, the subject words and the search columns from the tables; the
    count of documents indexed."""
    connection = db.session.connection()
    connection.execute(SearchDocument.__table__.delete())
    connection.execute(CaseSubjectWord.__table__.delete())
    batch = []
    for case_id, subject in db.session.execute(
            sa.select(Case.id, Case.subject).execution_options(yield_per=2000)):
        batch += subject_word_rows(case_id, subject)
        if len(batch) >= 2000:
            connection.execute(CaseSubjectWord.__table__.insert(), batch)
            batch = []
    if batch:
        connection.execute(CaseSubjectWord.__table__.insert(), batch)
    total = 0
    for model, (_kind, make) in DOCUMENTS.items():
        stmt = sa.select(model).execution_options(yield_per=500)
        if model is FeedItem:
            stmt = stmt.where(FeedItem.kind.in_(INDEXED_FEED_KINDS))
        batch = []
        for obj in db.session.scalars(stmt):
            document = make(obj)
            if document:
                batch.append(document)
            if len(batch) >= 500:
                connection.execute(SearchDocument.__table__.insert(), batch)
                total, batch = total + len(batch), []
        if batch:
            connection.execute(SearchDocument.__table__.insert(), batch)
            total += len(batch)
    for model in (Account, Contact, User):
        for obj in db.session.scalars(sa.select(model)):
            _keep_search_columns_of(obj)
    db.session.flush()
    return total


def _keep_search_columns_of(obj) -> None:
    obj.search_name = fold(obj.name)
    if not isinstance(obj, User):
        obj.phone_digits = digits_of(obj.phone)
