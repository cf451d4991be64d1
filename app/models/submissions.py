"""Form submissions: which rendered create form was already saved, and where it led."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.common import CreatedMixin


class FormSubmission(CreatedMixin, db.Model):
    """One saved create form: its one-time token is claimed in the transaction of the record
    it created, so a double click or a browser retry lands on the first answer."""

    __tablename__ = "form_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    result_url: Mapped[str] = mapped_column(sa.String(500), default="")
    message: Mapped[str] = mapped_column(sa.String(500), default="")
