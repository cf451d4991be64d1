"""The full-text index: one small interface over SQLite FTS5 and PostgreSQL tsvector + GIN.

index_case / index_feed_item / index_account write a document in the caller's transaction;
a session listener calls them for every new or changed Case, FeedItem and Account, so no
service has to remember to. match_documents(text) gives the matching documents with a score,
snippets(text, ids) their highlighted excerpts, rebuild() the whole index again.
"""
from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Account, Case, Contact, FeedItem, SearchDocument, User
from app.models.search import PG_DOCUMENT

INDEXED_FEED_KINDS = ("post", "email")
MAX_TOKENS = 12
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


TEXT_FIELDS = {Case: ("subject", "description", "account_id"), FeedItem: ("body", "kind"),
               Account: ("name", "support_notes")}
DOCUMENTS = {Case: ("case", case_document), FeedItem: ("feed", feed_document),
             Account: ("account", account_document)}


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


def init_app(app) -> None:
    """Keep the index and the search columns in step with every session (registered once)."""
    if not sa.event.contains(Session, "before_flush", _keep_search_columns):
        sa.event.listen(Session, "before_flush", _keep_search_columns)
        sa.event.listen(Session, "after_flush", _keep_index)


def _is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _fts_query(tokens: list[str]) -> str:
    """Every token quoted (FTS5) or single-quoted (tsquery): user syntax never reaches the
    engine. All words must appear; the last may be the start of a word (typing)."""
    if _is_postgres():
        return " & ".join(f"'{t}'" for t in tokens) + ":*"
    return " ".join(f'"{t}"' for t in tokens) + "*"


def match_documents(text: str) -> sa.Select | None:
    """The documents matching the text: (id, kind, case_id, account_id, score 0..1 higher
    better); None when the text has no words."""
    tokens = query_tokens(text)
    if not tokens:
        return None
    doc = SearchDocument.__table__
    query = _fts_query(tokens)
    if _is_postgres():
        tsquery = sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"), query)
        vector = sa.literal_column(f"({PG_DOCUMENT})")
        rank = sa.func.ts_rank(vector, tsquery) * 10
        return (sa.select(doc.c.id, doc.c.kind, doc.c.case_id, doc.c.account_id,
                          (rank / (rank + 1)).label("score"))
                .where(vector.op("@@")(tsquery)))
    fts = sa.table("search_fts", sa.column("rowid"), sa.column("rank"))
    rank = -fts.c.rank
    return (sa.select(doc.c.id, doc.c.kind, doc.c.case_id, doc.c.account_id,
                      (rank / (rank + 1)).label("score"))
            .select_from(fts.join(doc, doc.c.id == fts.c.rowid))
            .where(sa.literal_column("search_fts").op("MATCH")(query)))


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
    """Rebuild every document and the search columns from the tables; the count indexed."""
    connection = db.session.connection()
    connection.execute(SearchDocument.__table__.delete())
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
