"""Knowledge base: articles, versions per language, types, categories, case links

Also the full-text index over article versions (an FTS5 table on SQLite, a GIN index on the
search_text with angle brackets as spaces on PostgreSQL), the default settings row and the three
starting article types.

Revision ID: 18178426ea74
Revises: c4d1a7e9f203
Create Date: 2026-12-07 16:04:58.052230
"""
import sqlalchemy as sa
from alembic import op

# The same DDL app/services/knowledge_search.py issues when tests build the schema directly.
FTS_SQLITE = ("CREATE VIRTUAL TABLE article_versions_fts USING fts5(search_text, "
              "tokenize = 'unicode61 remove_diacritics 2')")
TYPES = [(1, "FAQ", "A question and its answer.",
          [("question", "Question", "text"), ("answer", "Answer", "markdown")]),
         (2, "How-To", "Steps to get something done.",
          [("summary", "Summary", "markdown"), ("steps", "Steps", "markdown")]),
         (3, "Troubleshooting", "A problem, why it happens and how to fix it.",
          [("symptoms", "Symptoms", "markdown"), ("cause", "Cause", "markdown"),
           ("resolution", "Resolution", "markdown")])]

revision = '18178426ea74'
down_revision = "c4d1a7e9f203"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('article_types',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('description', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_article_types')),
    sa.UniqueConstraint('name', name=op.f('uq_article_types_name'))
    )
    op.create_table('knowledge_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['knowledge_categories.id'], name=op.f('fk_knowledge_categories_parent_id_knowledge_categories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_categories'))
    )
    with op.batch_alter_table('knowledge_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_categories_parent_id'), ['parent_id'], unique=False)

    op.create_table('knowledge_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('approval_required', sa.Boolean(), nullable=False),
    sa.Column('writers', sa.String(length=10), nullable=False),
    sa.Column('languages', sa.String(length=200), nullable=False),
    sa.Column('keep_versions', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_settings'))
    )
    op.create_table('article_type_fields',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['type_id'], ['article_types.id'], name=op.f('fk_article_type_fields_type_id_article_types'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_article_type_fields')),
    sa.UniqueConstraint('type_id', 'key', name='uq_article_type_fields_key')
    )
    op.create_table('knowledge_roles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('is_author', sa.Boolean(), nullable=False),
    sa.Column('is_approver', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_knowledge_roles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_knowledge_roles'))
    )
    op.create_table('articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('master_language', sa.String(length=8), nullable=False),
    sa.Column('channel_internal', sa.Boolean(), nullable=False),
    sa.Column('channel_portal', sa.Boolean(), nullable=False),
    sa.Column('channel_public', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('source_case_id', sa.Integer(), nullable=True),
    sa.Column('archived_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('view_count', sa.Integer(), nullable=False),
    sa.Column('helpful_count', sa.Integer(), nullable=False),
    sa.Column('unhelpful_count', sa.Integer(), nullable=False),
    sa.Column('attach_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_articles_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_case_id'], ['cases.id'], name=op.f('fk_articles_source_case_id_cases'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['type_id'], ['article_types.id'], name=op.f('fk_articles_type_id_article_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_articles')),
    sa.UniqueConstraint('slug', name=op.f('uq_articles_slug'))
    )
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_articles_type_id'), ['type_id'], unique=False)

    op.create_table('article_categories',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_article_categories_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['category_id'], ['knowledge_categories.id'], name=op.f('fk_article_categories_category_id_knowledge_categories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', 'category_id', name=op.f('pk_article_categories'))
    )
    with op.batch_alter_table('article_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_categories_category_id'), ['category_id'], unique=False)

    op.create_table('article_slugs',
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_article_slugs_article_id_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('slug', name=op.f('pk_article_slugs'))
    )
    with op.batch_alter_table('article_slugs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_slugs_article_id'), ['article_id'], unique=False)

    op.create_table('article_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('change_note', sa.String(length=255), nullable=False),
    sa.Column('review_comment', sa.Text(), nullable=False),
    sa.Column('based_on_number', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('approver_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['approver_id'], ['users.id'], name=op.f('fk_article_versions_approver_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_article_versions_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_article_versions_author_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_article_versions')),
    sa.UniqueConstraint('article_id', 'language', 'number', name='uq_article_versions_number')
    )
    with op.batch_alter_table('article_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_versions_article_id'), ['article_id'], unique=False)
        batch_op.create_index('ix_article_versions_status', ['status', 'published_at'], unique=False)

    op.create_table('case_articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('version_number', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('attached_by_id', sa.Integer(), nullable=True),
    sa.Column('attached_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_case_articles_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['attached_by_id'], ['users.id'], name=op.f('fk_case_articles_attached_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_articles_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['article_versions.id'], name=op.f('fk_case_articles_version_id_article_versions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_articles')),
    sa.UniqueConstraint('case_id', 'article_id', name='uq_case_articles_case_article')
    )
    with op.batch_alter_table('case_articles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_articles_article_id'), ['article_id'], unique=False)

    if op.get_context().dialect.name == "postgresql":
        op.create_index("ix_article_versions_search", "article_versions",
                        [sa.text("to_tsvector('simple', translate(search_text, '<>', '  '))")],
                        postgresql_using="gin")
    else:
        op.execute(FTS_SQLITE)
    seed_defaults()


def seed_defaults():
    """The settings row and the FAQ, How-To and Troubleshooting types."""
    settings = sa.table("knowledge_settings", sa.column("id"), sa.column("approval_required"),
                        sa.column("writers"), sa.column("languages"), sa.column("keep_versions"))
    op.bulk_insert(settings, [{"id": 1, "approval_required": False, "writers": "all",
                               "languages": "en,zh,el", "keep_versions": 0}])
    types = sa.table("article_types", sa.column("id"), sa.column("name"),
                     sa.column("description"))
    fields = sa.table("article_type_fields", sa.column("type_id"), sa.column("key"),
                      sa.column("label"), sa.column("kind"), sa.column("position"))
    op.bulk_insert(types, [{"id": i, "name": n, "description": d} for i, n, d, _ in TYPES])
    op.bulk_insert(fields, [{"type_id": i, "key": key, "label": label, "kind": kind,
                             "position": position}
                            for i, _, _, rows in TYPES
                            for position, (key, label, kind) in enumerate(rows)])
    if op.get_context().dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('article_types', 'id'), 3)")


def downgrade():
    if op.get_context().dialect.name == "postgresql":
        op.drop_index("ix_article_versions_search", table_name="article_versions",
                      postgresql_using="gin")
    else:
        op.execute("DROP TABLE article_versions_fts")
    with op.batch_alter_table('case_articles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_articles_article_id'))

    op.drop_table('case_articles')
    with op.batch_alter_table('article_versions', schema=None) as batch_op:
        batch_op.drop_index('ix_article_versions_status')
        batch_op.drop_index(batch_op.f('ix_article_versions_article_id'))

    op.drop_table('article_versions')
    with op.batch_alter_table('article_slugs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_slugs_article_id'))

    op.drop_table('article_slugs')
    with op.batch_alter_table('article_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_categories_category_id'))

    op.drop_table('article_categories')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_articles_type_id'))

    op.drop_table('articles')
    op.drop_table('knowledge_roles')
    op.drop_table('article_type_fields')
    op.drop_table('knowledge_settings')
    with op.batch_alter_table('knowledge_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_categories_parent_id'))

    op.drop_table('knowledge_categories')
    op.drop_table('article_types')
