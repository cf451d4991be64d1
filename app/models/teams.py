"""Case team roles, predefined teams and the people on each case's team."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.accounts import Contact
from app.models.cases import Case
from app.models.common import CreatedMixin
from app.models.users import User

ACCESS_LEVELS = ("read", "edit")
ACCESS_LABELS = {"read": "Read Only", "edit": "Read/Write"}

# Which predefined teams brought a case team member onto the case (a member can come from
# several teams and also be added by hand; removing one team keeps the others' members).
case_team_member_sources = sa.Table(
    "case_team_member_sources",
    db.metadata,
    sa.Column("member_id", sa.ForeignKey("case_team_members.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("team_id", sa.ForeignKey("predefined_teams.id", ondelete="CASCADE"),
              primary_key=True, index=True),
)


class CaseTeamRole(CreatedMixin, db.Model):
    """What a case team member may do on the case, and whether customers see them."""

    __tablename__ = "case_team_roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    access: Mapped[str] = mapped_column(sa.String(10), default="read")
    visible_in_portal: Mapped[bool] = mapped_column(default=False)

    @property
    def access_label(self) -> str:
        return ACCESS_LABELS.get(self.access, self.access)

    @property
    def can_edit(self) -> bool:
        return self.access == "edit"

    def __repr__(self) -> str:
        return f"<CaseTeamRole {self.name}>"


class PredefinedTeam(CreatedMixin, db.Model):
    """A named group of people with roles, added to a case in one step."""

    __tablename__ = "predefined_teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")

    members: Mapped[list[PredefinedTeamMember]] = relationship(
        back_populates="team", cascade="all, delete-orphan", order_by="PredefinedTeamMember.id")

    def __repr__(self) -> str:
        return f"<PredefinedTeam {self.name}>"


def shown_name(name: str | None) -> str:
    """How a team member is named: their name, or "(removed)" when the user or contact is
    gone."""
    return name if name is not None else "(removed)"


class PersonMixin:
    """A team member is either a user or a contact (someone on the customer's side)."""

    user: User | None
    contact: Contact | None

    @property
    def person(self) -> User | Contact | None:
        return self.user or self.contact

    @property
    def person_name(self) -> str:
        person = self.person
        return shown_name(person.name if person is not None else None)

    @property
    def person_key(self) -> str:
        return f"user:{self.user_id}" if self.user_id else f"contact:{self.contact_id}"

    @property
    def is_contact(self) -> bool:
        return self.contact_id is not None


class PredefinedTeamMember(PersonMixin, db.Model):
    __tablename__ = "predefined_team_members"
    __table_args__ = (
        sa.UniqueConstraint("team_id", "user_id"),
        sa.UniqueConstraint("team_id", "contact_id"),
        sa.CheckConstraint("(user_id IS NULL) <> (contact_id IS NULL)", name="one_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("predefined_teams.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                                index=True)
    contact_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    role_id: Mapped[int] = mapped_column(sa.ForeignKey("case_team_roles.id"), index=True)

    team: Mapped[PredefinedTeam] = relationship(back_populates="members")
    user: Mapped[User | None] = relationship()
    contact: Mapped[Contact | None] = relationship()
    role: Mapped[CaseTeamRole] = relationship()


def team_order(member) -> tuple:
    """How a case team is listed: users before contacts, then by name."""
    return (member.is_contact, member.person_name.lower())


class CaseTeamMember(PersonMixin, CreatedMixin, db.Model):
    """One person on one case's team, with a role; added by hand, by teams, or both."""

    __tablename__ = "case_team_members"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "user_id"),
        sa.UniqueConstraint("case_id", "contact_id"),
        sa.CheckConstraint("(user_id IS NULL) <> (contact_id IS NULL)", name="one_person"),
        # The private-sharing filter asks "is this user on this case's team?" for every row.
        sa.Index("ix_case_team_members_user_case", "user_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    role_id: Mapped[int] = mapped_column(sa.ForeignKey("case_team_roles.id"), index=True)
    added_manually: Mapped[bool] = mapped_column(default=True)
    added_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))

    case: Mapped[Case] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    contact: Mapped[Contact | None] = relationship()
    role: Mapped[CaseTeamRole] = relationship()
    teams: Mapped[list[PredefinedTeam]] = relationship(secondary=case_team_member_sources,
                                                       order_by=PredefinedTeam.name)

    @property
    def team_names(self) -> list[str]:
        return [team.name for team in self.teams]

    @property
    def account_name(self) -> str | None:
        """A contact member's account (None for a user, or a contact without one)."""
        account = self.contact.account if self.contact is not None else None
        return account.name if account is not None else None

    @property
    def email(self) -> str | None:
        """A user member's address (the list shows a contact's account instead)."""
        return self.user.email if self.user is not None else None

    @property
    def source_label(self) -> str:
        """Where the member came from: team names, and 'Added by hand' when so."""
        parts = self.team_names
        if self.added_manually or not parts:
            parts.append("Added by hand")
        return ", ".join(parts)
