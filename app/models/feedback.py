"""What customers tell us without opening a case: satisfaction answers and deflections."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.accounts import Contact
from app.models.cases import Case
from app.models.common import CreatedMixin, UTCDateTime

RATINGS = (1, 2, 3, 4, 5)


class SatisfactionSurvey(CreatedMixin, db.Model):
    """One question to a case's contact after a closing: a rating of 1 to 5 and a comment.

    A case holds at most one unanswered survey (the partial unique index): closing it again
    while one is open asks nothing new; once answered, the next closing asks again.
    """

    __tablename__ = "satisfaction_surveys"
    __table_args__ = (
        sa.Index("uq_satisfaction_surveys_open_case", "case_id", unique=True,
                 sqlite_where=sa.text("answered_at IS NULL"),
                 postgresql_where=sa.text("answered_at IS NULL")),
        sa.Index("ix_satisfaction_surveys_account_answered", "account_id", "answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"),
                                         index=True)
    contact_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("contacts.id", ondelete="SET NULL"))
    account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="SET NULL"))
    # Random, and part of the signed token: a token names exactly this row, never a reused id.
    key: Mapped[str] = mapped_column(sa.String(32))
    emailed: Mapped[bool] = mapped_column(default=False)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_via: Mapped[str] = mapped_column(sa.String(10), default="")
    rating: Mapped[int | None]
    comment: Mapped[str] = mapped_column(sa.Text, default="")

    case: Mapped[Case] = relationship()
    contact: Mapped[Contact | None] = relationship()

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class ArticleDeflection(CreatedMixin, db.Model):
    """A customer about to open a case said an article answered their question instead."""

    __tablename__ = "article_deflections"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("articles.id", ondelete="CASCADE"),
                                            index=True)
    contact_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
