"""The knowledge base at bench scale: 5,000 articles and about two attachments per case.

Articles are written about the same products and symptoms the case subjects use, so an
article is attached to cases about what it answers and "similar cases" find it; most cases get
one to three articles of their product and symptom. Each version is indexed as the app indexes
it (app.services.search_index.article_document).
"""
from __future__ import annotations

import re
import time
from datetime import datetime, timedelta

import sqlalchemy as sa

from textgen import PRODUCTS, SYMPTOMS, Text

ARTICLES = 5_000
TYPES = {1: ("question", "answer"), 2: ("summary", "steps"),
         3: ("symptoms", "cause", "resolution")}
BATCH = 5_000


def topic_of(index: int) -> tuple[int, int]:
    """The (product, symptom) an article is about."""
    return index % len(PRODUCTS), (index // len(PRODUCTS)) % len(SYMPTOMS)


# Longest product names first, so "label printer" is not read as "printer".
PRODUCT_ORDER = sorted(range(len(PRODUCTS)), key=lambda i: -len(PRODUCTS[i]))
SYMPTOM_STARTS = [s.split("{")[0].strip() for s in SYMPTOMS]


def topic_of_subject(subject: str) -> tuple[int, int] | None:
    lowered = subject.lower()
    for p in PRODUCT_ORDER:
        name = PRODUCTS[p].lower()
        if lowered.startswith(name + " "):
            rest = lowered[len(name) + 1:]
            for s, start in enumerate(SYMPTOM_STARTS):
                if rest.startswith(start.lower()):
                    return p, s
            return p, -1
    return None


class KnowledgeSeeder:
    def __init__(self, conn, tables, text: Text, agents: list[int], now: datetime):
        self.conn, self.tables, self.text, self.rng = conn, tables, text, text.rng
        self.agents, self.now = agents, now

    def insert(self, name: str, rows: list[dict]) -> None:
        for at in range(0, len(rows), BATCH):
            self.conn.execute(self.tables[name].insert(), rows[at:at + BATCH])

    def run(self, articles: int = ARTICLES) -> None:
        started = time.perf_counter()
        categories = self.categories()
        published = self.articles(articles, categories)
        print(f"  articles     {articles:>9,} rows  {time.perf_counter() - started:6.1f} s",
              flush=True)
        began = time.perf_counter()
        total = self.attachments(published)
        print(f"  attachments  {total:>9,} rows  {time.perf_counter() - began:6.1f} s", flush=True)

    def categories(self) -> list[int]:
        rows = [{"id": i + 1, "parent_id": None, "name": product.capitalize(), "position": i}
                for i, product in enumerate(PRODUCTS)]
        self.insert("knowledge_categories", rows)
        return [row["id"] for row in rows]

    def articles(self, count: int, categories: list[int]) -> dict[int, list[tuple[int, int]]]:
        """Articles with one to three versions; (article id, live version id) per topic."""
        rng, text = self.rng, self.text
        articles, versions, documents, links = [], [], [], []
        by_topic: dict[tuple[int, int], list[tuple[int, int]]] = {}
        version_id = 0
        for i in range(count):
            article_id = i + 1
            product, symptom = topic_of(i)
            type_id = 1 + i % 3
            title = (f"{PRODUCTS[product].capitalize()} "
                     f"{SYMPTOMS[symptom].format(n=rng.randint(100, 999))}"
                     f" — {['what to check', 'how to fix it', 'known causes', 'workaround'][i % 4]}"
                     f" ({i // 320 + 1})")
            created = self.now - timedelta(days=rng.randint(30, 1000))
            articles.append({
                "id": article_id, "slug": f"{re.sub(r'[^a-z0-9]+', '-', title.lower()).strip('-')}"
                                          f"-{article_id}",
                "type_id": type_id, "master_language": "en", "channel_internal": True,
                "channel_portal": i % 3 == 0, "channel_public": i % 5 == 0,
                "created_by_id": rng.choice(self.agents), "source_case_id": None,
                "archived_at": created + timedelta(days=20) if i % 50 == 49 else None,
                "updated_at": created, "view_count": rng.randint(0, 500), "helpful_count": 0,
                "unhelpful_count": 0, "attach_count": 0, "created_at": created})
            links.append({"article_id": article_id, "category_id": categories[product]})
            numbers = 1 + (i % 5 == 0) + (i % 17 == 0)
            for number in range(1, numbers + 1):
                version_id += 1
                live = number == numbers
                fields = {key: (f"{title}?" if n == 0 else text.reply())
                          for n, key in enumerate(TYPES[type_id])}
                versions.append({
                    "id": version_id, "article_id": article_id, "language": "en",
                    "number": number, "title": title, "fields": fields,
                    "status": "published" if live else "superseded", "change_note": "",
                    "review_comment": "", "based_on_number": None,
                    "author_id": rng.choice(self.agents), "approver_id": None,
                    "submitted_at": None, "reviewed_at": None,
                    "published_at": created + timedelta(days=number), "created_at": created})
                documents.append({"kind": "article", "ref_id": version_id, "case_id": None,
                                  "account_id": None, "title": title,
                                  "body": "\n".join(v for v in fields.values() if v)})
                if live and articles[-1]["archived_at"] is None:
                    by_topic.setdefault((product, symptom), []).append((article_id, version_id))
        self.insert("articles", articles)
        self.insert("article_categories", links)
        self.insert("article_versions", versions)
        self.insert("search_documents", documents)
        self.by_product = {}
        for (product, _symptom), pairs in by_topic.items():
            self.by_product.setdefault(product, []).extend(pairs)
        return by_topic

    def attachments(self, by_topic) -> int:
        """One to three articles of the case's product and symptom on most cases, sometimes
        one more of its product: about two per case."""
        rng, rows = self.rng, []
        counts: dict[int, int] = {}
        cases = self.conn.execute(sa.text("SELECT id, subject, created_at FROM cases")).all()
        for case_id, subject, created in cases:
            topic = topic_of_subject(subject or "")
            if topic is None or rng.random() < 0.1:
                continue
            chosen = rng.sample(by_topic.get(topic, []), k=min(rng.randint(1, 3),
                                                               len(by_topic.get(topic, []))))
            if rng.random() < 0.25 and self.by_product.get(topic[0]):
                extra = rng.choice(self.by_product[topic[0]])
                if extra not in chosen:
                    chosen.append(extra)
            if isinstance(created, str):
                created = datetime.fromisoformat(created)
            for article_id, version_id in chosen:
                counts[article_id] = counts.get(article_id, 0) + 1
                rows.append({"case_id": case_id, "article_id": article_id,
                             "version_id": version_id, "version_number": 1, "language": "en",
                             "attached_by_id": rng.choice(self.agents),
                             "attached_at": created + timedelta(hours=rng.randint(1, 200))})
        self.insert("case_articles", rows)
        articles = self.tables["articles"]
        self.conn.execute(articles.update().where(articles.c.id == sa.bindparam("aid"))
                          .values(attach_count=sa.bindparam("n")),
                          [{"aid": a, "n": n} for a, n in counts.items()])
        return len(rows)


def subject_word_rows(case_id: int, subject: str) -> list[dict]:
    """The words the app keeps for a case's subject (search_index.subject_word_rows)."""
    from app.services.search_index import subject_word_rows as rows

    return rows(case_id, subject)
