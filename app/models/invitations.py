"""Invitations: a one-use link that lets a new user set their first password."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.common import CreatedMixin, UTCDateTime
from app.models.users import User


INVITATION_PURPOSES = ("invitation", "reset")


class Invitation(CreatedMixin, db.Model):
    """Only the SHA-256 of the token is stored; the link itself is shown once. The purpose
    says whether the link sets a first password or resets a forgotten one."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    purpose: Mapped[str] = mapped_column(sa.String(20), default="invitation",
                                         server_default="invitation")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id",
                                                                    ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at <= now

    @property
    def is_used(self) -> bool:
        return self.used_at is not None
