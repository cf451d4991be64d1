"""The people on a case's team: added by hand or by predefined teams; every change is on the feed."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.access import can_edit_case
from app.extensions import db
from app.models import Case, CaseTeamMember, CaseTeamRole, Contact, FeedItem, PredefinedTeam, User
from app.models.teams import case_team_member_sources as sources
from app.models.teams import team_order
from app.services.errors import AccessDenied, ValidationFailed
from app.services.directory import Person, person_key


def _require_edit(actor: User, case: Case) -> None:
    if not can_edit_case(actor, case):
        raise AccessDenied("You cannot change this case's team.")


# Built once (every case page runs it); the case is a parameter. One statement for any team:
# the members' teams are joined too (a team's rows repeat per team, and unique() folds them).
TEAM_MEMBERS = (sa.select(CaseTeamMember)
                .where(CaseTeamMember.case_id == sa.bindparam("case_id"))
                .options(joinedload(CaseTeamMember.user),
                         joinedload(CaseTeamMember.contact).joinedload(Contact.account),
                         joinedload(CaseTeamMember.role), joinedload(CaseTeamMember.teams)))


def case_team_members(case: Case) -> list[CaseTeamMember]:
    """The case's team, users before contacts, by name, in one statement."""
    members = db.session.scalars(TEAM_MEMBERS, {"case_id": case.id}).unique()
    return sorted(members, key=team_order)


def case_predefined_teams(case: Case) -> list[PredefinedTeam]:
    """The predefined teams that brought at least one member still on the case."""
    return list(db.session.scalars(
        sa.select(PredefinedTeam).join(sources, sources.c.team_id == PredefinedTeam.id)
        .join(CaseTeamMember, CaseTeamMember.id == sources.c.member_id)
        .where(CaseTeamMember.case_id == case.id).distinct().order_by(PredefinedTeam.name)))


def get_case_team_member(case: Case, member_id) -> CaseTeamMember | None:
    """A member loaded through its case, never by its own id alone."""
    try:
        member_id = int(member_id)
    except (TypeError, ValueError):
        return None
    return db.session.scalar(sa.select(CaseTeamMember).where(CaseTeamMember.id == member_id,
                                                             CaseTeamMember.case_id == case.id))


def find_case_member(case: Case, person: Person) -> CaseTeamMember | None:
    column = CaseTeamMember.user_id if isinstance(person, User) else CaseTeamMember.contact_id
    return db.session.scalar(sa.select(CaseTeamMember).where(CaseTeamMember.case_id == case.id,
                                                             column == person.id))


def _log(case: Case, actor: User, text: str) -> None:
    """Record a team change on the case feed (internal: customers never see it)."""
    db.session.add(FeedItem(case_id=case.id, kind="system", author=actor, body=text,
                            visibility="internal", case_version=case.version))


def _new_member(case: Case, person: Person, role: CaseTeamRole, actor: User,
                manually: bool) -> CaseTeamMember:
    member = CaseTeamMember(case_id=case.id, role=role, added_manually=manually,
                            added_by_id=actor.id)
    if isinstance(person, User):
        member.user = person
    else:
        member.contact = person
    db.session.add(member)
    return member


def add_case_team_member(case: Case, person: Person | None, role: CaseTeamRole | None, *,
                         actor: User) -> CaseTeamMember:
    """Add a person by hand with a role; someone already there from a team now stays by hand."""
    _require_edit(actor, case)
    if person is None:
        raise ValidationFailed("Choose a user or contact to add.", "person")
    if role is None:
        raise ValidationFailed("Choose a role.", "role")
    if isinstance(person, User) and not (person.is_staff and person.active):
        raise ValidationFailed("Only active agents and admins can be added as users; add "
                               "customers as contacts.", "person")
    member = find_case_member(case, person)
    if member is None:
        member = _new_member(case, person, role, actor, manually=True)
        _log(case, actor, f"Added {person.name} to the case team as {role.name}.")
    elif member.added_manually and member.role_id == role.id:
        raise ValidationFailed(f"{person.name} is already on the case team as {role.name}.",
                               "person")
    else:
        old = member.role
        member.added_manually = True
        member.role = role
        text = f"Added {person.name} to the case team by hand"
        text += f", changing their role from {old.name} to {role.name}." if old.id != role.id \
            else f" (already there as {role.name} from a predefined team)."
        _log(case, actor, text)
    db.session.flush()
    return member


def change_case_team_role(member: CaseTeamMember, role: CaseTeamRole | None, *,
                          actor: User) -> CaseTeamMember:
    """Give a member another role."""
    _require_edit(actor, member.case)
    if role is None:
        raise ValidationFailed("Choose a role.", "role")
    if member.role_id != role.id:
        old = member.role
        member.role = role
        _log(member.case, actor, f"Changed {member.person_name}'s case team role from "
                                 f"{old.name} to {role.name}.")
        db.session.flush()
    return member


def remove_case_team_member(member: CaseTeamMember, *, actor: User) -> None:
    """Take a person off the case team, whatever brought them."""
    case = member.case
    _require_edit(actor, case)
    _log(case, actor, f"Removed {member.person_name} from the case team.")
    db.session.delete(member)
    db.session.flush()


def add_predefined_team(case: Case, team: PredefinedTeam | None, *,
                        actor: User) -> list[CaseTeamMember]:
    """Add every member of a predefined team, remembering the team; return the new members.

    People already on the case keep their role; the team is recorded as one of their sources.
    """
    _require_edit(actor, case)
    if team is None:
        raise ValidationFailed("Choose a predefined team.", "team")
    if not team.members:
        raise ValidationFailed(f"{team.name} has no members yet.", "team")
    existing = {m.person_key: m for m in case_team_members(case)}
    added, linked = [], 0
    for row in team.members:
        member = existing.get(person_key(row.person))
        if member is None:
            member = _new_member(case, row.person, row.role, actor, manually=False)
            member.teams.append(team)
            added.append(member)
        elif team not in member.teams:
            member.teams.append(team)
            linked += 1
    if not added and not linked:
        raise ValidationFailed(f"{team.name} is already on this case's team.", "team")
    names = ", ".join(f"{m.person_name} ({m.role.name})" for m in added) or "nobody new"
    text = f"Added the predefined team {team.name} to the case team: {names}."
    if linked:
        text += f" {linked} already on the case kept their role."
    _log(case, actor, text)
    db.session.flush()
    return added


def remove_predefined_team(case: Case, team: PredefinedTeam | None, *,
                           actor: User) -> list[str]:
    """Remove a team from the case: members who came only from it leave; return their names."""
    _require_edit(actor, case)
    members = [m for m in case_team_members(case) if team is not None and team in m.teams]
    if not members:
        raise ValidationFailed("That predefined team is not on this case.", "team")
    removed = []
    for member in members:
        member.teams.remove(team)
        if not member.teams and not member.added_manually:
            removed.append(member.person_name)
            db.session.delete(member)
    kept = len(members) - len(removed)
    text = f"Removed the predefined team {team.name} from the case team"
    text += f": {', '.join(removed)}." if removed else "."
    if kept:
        text += f" {kept} who are also on the case by hand or from another team stayed."
    _log(case, actor, text)
    db.session.flush()
    return removed


def portal_team_members(case: Case) -> list[CaseTeamMember]:
    """The members a customer may see in the portal: those whose role is visible there."""
    return [m for m in case_team_members(case) if m.role.visible_in_portal]


def team_member_users(case: Case, role_name: str | None = None) -> list[User]:
    """Active users on the case team, optionally only those holding a role (by name)."""
    stmt = (sa.select(User).join(CaseTeamMember, CaseTeamMember.user_id == User.id)
            .where(CaseTeamMember.case_id == case.id, User.active.is_(True)).order_by(User.name))
    if role_name:
        stmt = stmt.join(CaseTeamRole, CaseTeamRole.id == CaseTeamMember.role_id).where(
            sa.func.lower(CaseTeamRole.name) == role_name.strip().lower())
    return list(db.session.scalars(stmt))


def team_member_contacts(case: Case, role_name: str | None = None) -> list[Contact]:
    """Contacts on the case team, optionally only those holding a role (by name)."""
    stmt = (sa.select(Contact).join(CaseTeamMember, CaseTeamMember.contact_id == Contact.id)
            .where(CaseTeamMember.case_id == case.id).order_by(Contact.name))
    if role_name:
        stmt = stmt.join(CaseTeamRole, CaseTeamRole.id == CaseTeamMember.role_id).where(
            sa.func.lower(CaseTeamRole.name) == role_name.strip().lower())
    return list(db.session.scalars(stmt))
