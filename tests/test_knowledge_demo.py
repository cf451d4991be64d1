"""The demo knowledge base: enough articles to explore, in every state, on matching cases."""
import sqlalchemy as sa

from app.extensions import db
from app.models.knowledge import Article, ArticleVersion, CaseArticle, Category
from app.demo.knowledge import seed_knowledge_demo
from tests.factories import make_case


def test_demo_knowledge_fills_a_tree_with_articles_in_every_state(agent):
    case = make_case(actor=agent, subject="Printer on floor 2 shows error E-104")
    created = seed_knowledge_demo()
    db.session.commit()
    assert created >= 40
    statuses = set(db.session.scalars(sa.select(ArticleVersion.status)))
    assert {"published", "draft", "in_review"} <= statuses
    languages = set(db.session.scalars(sa.select(ArticleVersion.language)
                                       .where(ArticleVersion.status == "published")))
    assert {"en", "zh", "el"} <= languages
    assert db.session.scalar(sa.select(Category).where(Category.name == "Invoices")).parent.name \
        == "Billing"
    attached = db.session.scalar(sa.select(CaseArticle).where(CaseArticle.case_id == case.id))
    assert attached.article.attach_count == 1
    assert seed_knowledge_demo() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Article)) == created
