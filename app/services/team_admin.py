"""Case team roles and predefined case teams: what admins set up for every case."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.access import require_admin
from app.extensions import db
from app.models import (
    ACCESS_LEVELS, CaseTeamMember, CaseTeamRole, Contact, PredefinedTeam, PredefinedTeamMember,
    RuleAction, User,
)
from app.models.teams import case_team_member_sources as sources
from app.services.errors import DomainError, ValidationFailed
from app.services.directory import Person, person_key

NAME_MAX = {"role": 80, "team": 120}


class RoleInUse(DomainError):
    """A role cannot be deleted while members hold it; a replacement role is needed."""

    def __init__(self, role: CaseTeamRole, usage: RoleUsage):
        super().__init__(f"“{role.name}” is used by {usage.describe()}. Choose a role to "
                         "give them instead, then delete.")
        self.role = role
        self.usage = usage


@dataclass(frozen=True)
class RoleUsage:
    case_members: int
    team_members: int
    alerts: int = 0  # workflow email alerts that write to the case team members with the role

    @property
    def total(self) -> int:
        return self.case_members + self.team_members + self.alerts

    def describe(self) -> str:
        parts = []
        if self.case_members:
            parts.append(_plural(self.case_members, "case team member"))
        if self.team_members:
            parts.append(_plural(self.team_members, "predefined team member"))
        if self.alerts:
            parts.append(_plural(self.alerts, "workflow email alert"))
        if len(parts) > 2:
            return ", ".join(parts[:-1]) + " and " + parts[-1]
        return " and ".join(parts) or "nobody"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _require_admin(actor: User) -> None:
    require_admin(actor, "Only admins manage case team roles and predefined teams.")


def _clean_name(name: str | None, kind: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed("Name is required.", "name")
    if len(name) > NAME_MAX[kind]:
        raise ValidationFailed(f"Name must be at most {NAME_MAX[kind]} characters.", "name")
    return name


def _name_taken(model, name: str, exclude_id: int | None) -> bool:
    stmt = sa.select(model.id).where(sa.func.lower(model.name) == name.lower())
    if exclude_id is not None:
        stmt = stmt.where(model.id != exclude_id)
    return db.session.scalar(stmt.limit(1)) is not None


# Roles ---------------------------------------------------------------------------------------

def list_roles() -> list[CaseTeamRole]:
    return list(db.session.scalars(sa.select(CaseTeamRole).order_by(CaseTeamRole.name)))


def get_role(role_id) -> CaseTeamRole | None:
    try:
        return db.session.get(CaseTeamRole, int(role_id))
    except (TypeError, ValueError):
        return None


def role_usage(role: CaseTeamRole) -> RoleUsage:
    """How many case team and predefined team members hold this role."""
    def count(model) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model)
                                 .where(model.role_id == role.id)) or 0

    return RoleUsage(count(CaseTeamMember), count(PredefinedTeamMember), len(_alerts_to(role)))


def _alerts_to(role: CaseTeamRole) -> list[RuleAction]:
    """The email alerts whose recipients include the case team members with this role (their
    recipients are JSON, read here rather than queried, so both databases agree)."""
    alerts = db.session.scalars(sa.select(RuleAction).where(RuleAction.kind == "email"))
    return [alert for alert in alerts
            if (alert.recipients or {}).get("team_role_id") == role.id]


def role_usage_counts() -> dict[int, int]:
    """Members per role id, for the roles list (two queries in all)."""
    totals: dict[int, int] = {}
    for model in (CaseTeamMember, PredefinedTeamMember):
        rows = db.session.execute(sa.select(model.role_id, sa.func.count())
                                  .group_by(model.role_id))
        for role_id, n in rows:
            totals[role_id] = totals.get(role_id, 0) + n
    return totals


def _check_role(name: str, access: str, exclude_id: int | None = None) -> str:
    name = _clean_name(name, "role")
    if access not in ACCESS_LEVELS:
        raise ValidationFailed("Choose Read Only or Read/Write.", "access")
    if _name_taken(CaseTeamRole, name, exclude_id):
        raise ValidationFailed(f"A role named “{name}” already exists.", "name")
    return name


def create_role(*, actor: User, name: str, access: str = "read",
                visible_in_portal: bool = False) -> CaseTeamRole:
    """Add a case team role with a unique name."""
    _require_admin(actor)
    role = CaseTeamRole(name=_check_role(name, access), access=access,
                        visible_in_portal=bool(visible_in_portal))
    db.session.add(role)
    db.session.flush()
    return role


def update_role(role: CaseTeamRole, *, actor: User, name: str, access: str,
                visible_in_portal: bool) -> CaseTeamRole:
    _require_admin(actor)
    role.name = _check_role(name, access, exclude_id=role.id)
    role.access = access
    role.visible_in_portal = bool(visible_in_portal)
    db.session.flush()
    return role


def clone_name(role: CaseTeamRole) -> str:
    """A free name for a copy of the role: 'Copy of X', then 'Copy of X (2)', ..."""
    base = f"Copy of {role.name}"[:NAME_MAX["role"]]
    name, n = base, 2
    while _name_taken(CaseTeamRole, name, None):
        suffix = f" ({n})"
        name, n = base[:NAME_MAX["role"] - len(suffix)] + suffix, n + 1
    return name


def delete_role(role: CaseTeamRole, *, actor: User,
                replacement: CaseTeamRole | None = None) -> None:
    """Delete a role; members who hold it, and alerts that write to it, move to the
    replacement, which is required then."""
    _require_admin(actor)
    usage = role_usage(role)
    if replacement is not None and replacement.id == role.id:
        raise ValidationFailed("Choose a different role as the replacement.", "replacement")
    if usage.total and replacement is None:
        raise RoleInUse(role, usage)
    if replacement is not None:
        _replace_role(role, replacement)
    db.session.delete(role)
    db.session.flush()


def _replace_role(role: CaseTeamRole, replacement: CaseTeamRole) -> None:
    db.session.execute(sa.update(CaseTeamMember).where(CaseTeamMember.role_id == role.id)
                       .values(role_id=replacement.id))
    # A team could hold the same person twice only through distinct rows; a role swap cannot.
    db.session.execute(sa.update(PredefinedTeamMember)
                       .where(PredefinedTeamMember.role_id == role.id)
                       .values(role_id=replacement.id))
    for alert in _alerts_to(role):  # a new dict, so the JSON column sees the change
        alert.recipients = {**alert.recipients, "team_role_id": replacement.id}
    db.session.flush()
    db.session.expire_all()


# Predefined teams ----------------------------------------------------------------------------

def list_predefined_teams() -> list[PredefinedTeam]:
    """Every predefined team with its members loaded (three queries, any number of teams)."""
    return list(db.session.scalars(
        sa.select(PredefinedTeam).order_by(PredefinedTeam.name)
        .options(selectinload(PredefinedTeam.members).selectinload(PredefinedTeamMember.role),
                 selectinload(PredefinedTeam.members).selectinload(PredefinedTeamMember.user),
                 selectinload(PredefinedTeam.members).selectinload(PredefinedTeamMember.contact))))


def get_predefined_team(team_id) -> PredefinedTeam | None:
    try:
        return db.session.get(PredefinedTeam, int(team_id))
    except (TypeError, ValueError):
        return None


def _check_members(members: Sequence[tuple[Person, CaseTeamRole]]) -> None:
    seen: set[str] = set()
    for person, role in members:
        if person is None or role is None:
            raise ValidationFailed("Each member row needs a person and a role.", "members")
        key = person_key(person)
        if key in seen:
            raise ValidationFailed(f"{person.name} appears more than once; a person can be in "
                                   "a team only once.", "members")
        seen.add(key)


def _set_members(team: PredefinedTeam, members: Sequence[tuple[Person, CaseTeamRole]]) -> None:
    """Make the team's member rows match the list, keeping rows whose person stays."""
    wanted = {person_key(person): (person, role) for person, role in members}
    for row in list(team.members):
        if row.person_key not in wanted:
            team.members.remove(row)
        else:
            row.role = wanted.pop(row.person_key)[1]
    db.session.flush()  # removed rows go first, so a re-added person never clashes
    for person, role in wanted.values():
        row = PredefinedTeamMember(role=role)
        if isinstance(person, User):
            row.user = person
        else:
            row.contact = person
        team.members.append(row)


def create_predefined_team(*, actor: User, name: str, description: str = "",
                           members: Sequence[tuple[Person, CaseTeamRole]] = ()) -> PredefinedTeam:
    """Add a predefined team with a unique name and its member rows."""
    _require_admin(actor)
    name = _clean_name(name, "team")
    if _name_taken(PredefinedTeam, name, None):
        raise ValidationFailed(f"A team named “{name}” already exists.", "name")
    _check_members(members)
    team = PredefinedTeam(name=name, description=(description or "").strip())
    db.session.add(team)
    _set_members(team, members)
    db.session.flush()
    return team


def update_predefined_team(team: PredefinedTeam, *, actor: User, name: str, description: str,
                           members: Sequence[tuple[Person, CaseTeamRole]]) -> PredefinedTeam:
    """Rename, describe and set the members of a predefined team (cases keep theirs)."""
    _require_admin(actor)
    name = _clean_name(name, "team")
    if _name_taken(PredefinedTeam, name, team.id):
        raise ValidationFailed(f"A team named “{name}” already exists.", "name")
    _check_members(members)
    team.name = name
    team.description = (description or "").strip()
    _set_members(team, members)
    db.session.flush()
    return team


def delete_predefined_team(team: PredefinedTeam, *, actor: User) -> None:
    """Delete a team; case members it brought stay on their cases as members in their own right."""
    _require_admin(actor)
    only_from_team = (sa.select(sources.c.member_id).where(sources.c.team_id == team.id)
                      .except_(sa.select(sources.c.member_id).where(sources.c.team_id != team.id)))
    db.session.execute(sa.update(CaseTeamMember).where(CaseTeamMember.id.in_(only_from_team))
                       .values(added_manually=True))
    db.session.execute(sa.delete(sources).where(sources.c.team_id == team.id))
    db.session.delete(team)
    db.session.flush()
    db.session.expire_all()


# Demo data -----------------------------------------------------------------------------------

DEMO_ROLES = (("Technical Lead", "edit", True), ("Account Manager", "read", True),
              ("Observer", "read", False), ("Escalation Engineer", "edit", False))


def install_demo_teams(*, actor: User, agents: Sequence[User],
                       contacts: Sequence[Contact] = ()) -> list[PredefinedTeam]:
    """Create the demo roles and two predefined teams (idempotent: existing names are kept)."""
    roles = {role.name: role for role in list_roles()}
    for name, access, visible in DEMO_ROLES:
        if name not in roles:
            roles[name] = create_role(actor=actor, name=name, access=access,
                                      visible_in_portal=visible)
    plans = [
        ("Tier 2 Escalations", "Senior engineers who take over escalated technical cases.",
         [(a, roles[r]) for a, r in zip(agents[:2], ("Technical Lead", "Escalation Engineer"))]),
        ("Key Account Team", "The account manager and the customer's own lead on big accounts.",
         [(a, roles[r]) for a, r in zip(agents[2:3], ("Account Manager",))]
         + [(c, roles["Observer"]) for c in contacts[:1]]),
    ]
    teams = []
    for name, description, members in plans:
        existing = db.session.scalar(sa.select(PredefinedTeam).where(PredefinedTeam.name == name))
        teams.append(existing or create_predefined_team(actor=actor, name=name,
                                                        description=description, members=members))
    return teams
