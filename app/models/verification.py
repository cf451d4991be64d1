"""A caller's identity check: who verified whom, how, and whether it passed."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.common import UTCDateTime, utcnow

VERIFICATION_METHODS = {"pin": "support PIN", "question": "security question",
                        "phone": "known phone number", "other": "other"}


class Verification(db.Model):
    __tablename__ = "verifications"
    __table_args__ = (sa.Index("ix_verifications_account_created", "account_id", "created_at"),
                      sa.Index("ix_verifications_contact_created", "contact_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("contacts.id", ondelete="CASCADE"))
    method: Mapped[str] = mapped_column(sa.String(20))
    passed: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    verified_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    verified_by = relationship("User", lazy="joined")
    contact = relationship("Contact")

    @property
    def method_label(self) -> str:
        return VERIFICATION_METHODS.get(self.method, self.method)

    @property
    def summary(self) -> str:
        """"Verified (support PIN)" or "Verification failed (security question)"."""
        outcome = "Verified" if self.passed else "Verification failed"
        return f"{outcome} ({self.method_label})"
