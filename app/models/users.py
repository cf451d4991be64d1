"""People who sign in, and their server-side sessions."""
from __future__ import annotations

import functools
import secrets
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.common import CreatedMixin, UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.accounts import Contact

ROLES = ("admin", "agent", "customer")
LIST_DENSITIES = ("comfortable", "compact")
STAFF_ROLES = ("admin", "agent")


@functools.lru_cache(maxsize=64)
def zone_named(name: str) -> ZoneInfo:
    """A time zone by its name; an unknown name is UTC."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


class User(UserMixin, CreatedMixin, db.Model):
    __tablename__ = "users"
    # The server-side session that vouches for this user in the current request.
    session_token = None

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(20), default="agent")
    active: Mapped[bool] = mapped_column(default=True)
    time_zone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    language: Mapped[str] = mapped_column(sa.String(16), default="en")
    list_density: Mapped[str] = mapped_column(sa.String(16), default="comfortable",
                                              server_default="comfortable")
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id", ondelete="SET NULL"))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Kept by app.services.search_index on every flush: the accent-folded name.
    search_name: Mapped[str] = mapped_column(sa.String(120), default="")

    contact: Mapped[Contact | None] = relationship(foreign_keys=[contact_id])

    @property
    def zone(self) -> ZoneInfo:
        """The user's time zone (UTC when none or an unknown one is stored)."""
        return zone_named(self.time_zone or "UTC")

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def get_id(self) -> str | None:  # Flask-Login stores the session token, not the user id
        return self.session_token

    # UserMixin compares get_id(), i.e. session tokens; a user is the same user by row id.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, User):
            return NotImplemented
        return self is other or (self.id is not None and self.id == other.id)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = object.__hash__

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        return self.active

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def initials(self) -> str:
        return initials_of(self.name)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @classmethod
    def active_staff(cls) -> sa.ColumnElement[bool]:
        """In SQL: the active agents and admins, who may own cases and take tasks."""
        return sa.and_(cls.role.in_(STAFF_ROLES), cls.active.is_(True))

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class UserSession(CreatedMixin, db.Model):
    """A signed-in browser; deleting the row signs that browser out."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True,
                                    default=lambda: secrets.token_urlsafe(32))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


def initials_of(name: str) -> str:
    """Up to two initials for an avatar ("Ada Admin" → "AA")."""
    return "".join(part[0] for part in name.split()[:2]).upper() or "?"
