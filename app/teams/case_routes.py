"""A case's team: the Case Team related list and Update Case Team Members (/cases/<n>/team)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.access import can_edit_case, get_case_or_404
from app.cases.page import case_link, get_editable_case_or_404
from app.extensions import db
from app.htmx import is_fragment_request, render_page_or_fragment, with_trigger
from app.models import Case
from app.services import case_team, directory, team_admin
from app.services.errors import ValidationFailed
from app.teams import case_bp
from app.teams.forms import AddMemberForm, AddTeamForm, ChangeRoleForm, ConfirmForm, role_choices
from app.teams.routes import typeahead_query


def case_team_context(case: Case, user, *, editing: bool = False, **forms) -> dict:
    """What templates/teams/_case_team.html needs (the case page's related list, or with
    editing, the Update Case Team Members controls too)."""
    can_edit = can_edit_case(user, case)
    editing = editing and can_edit
    context = {"case": case, "case_url": case_link(case),
               "team_members": case_team.case_team_members(case),
               "team_can_edit": can_edit, "team_editing": editing}
    if editing:
        roles = team_admin.list_roles()
        add_member = forms.get("add_member_form") or AddMemberForm(formdata=None)
        add_member.role.choices = role_choices(roles)
        add_team = forms.get("add_team_form") or AddTeamForm(formdata=None)
        add_team.set_teams(team_admin.list_predefined_teams())
        context.update(team_roles=roles, add_member_form=add_member, add_team_form=add_team,
                       case_teams_on_case=case_team.case_predefined_teams(case),
                       role_form=ChangeRoleForm(formdata=None))
    context.update(team_notice=forms.get("notice"))
    return context


def team_response(case: Case, status: int = 200, **forms):
    """The team as the manage page, or the related list component for htmx."""
    context = case_team_context(case, current_user, editing=True, **forms)
    return render_page_or_fragment("teams/case_team.html", "teams/_case_team.html", status,
                                   **context)


def changed(case: Case, message: str):
    """After a change: htmx gets the refreshed list (and the feed is told); others a redirect."""
    if is_fragment_request():
        return with_trigger(team_response(case, notice=message), "case-changed")
    flash(message, "success")
    return redirect(url_for("case_team.show", number=case.number), code=303)


def member_or_404(case: Case, member_id: int):
    member = case_team.get_case_team_member(case, member_id)
    if member is None:
        abort(404)
    return member


@case_bp.route("/<int:number>/team")
def show(number: int):
    """The manage page; htmx gets the Case Team list (?edit=1: with its editing controls)."""
    case = get_case_or_404(number, current_user)
    editing = request.args.get("edit") == "1" or not is_fragment_request()
    context = case_team_context(case, current_user, editing=editing)
    return render_page_or_fragment("teams/case_team.html", "teams/_case_team.html", **context)


@case_bp.route("/<int:number>/team/people")
def people(number: int):
    """Type-ahead: users and contacts to add (the case's own contacts first)."""
    case = get_editable_case_or_404(number)
    query = typeahead_query()
    users, contacts = directory.suggest_people(query, account_id=case.account_id)
    return render_template("teams/_people.html", users=users, contacts=contacts, query=query)


@case_bp.route("/<int:number>/team/members", methods=["POST"])
def add_member(number: int):
    case = get_editable_case_or_404(number)
    form = AddMemberForm()
    form.role.choices = role_choices(team_admin.list_roles())
    if form.validate_on_submit():
        try:
            person = directory.find_person(form.person.data, form.person_label.data)
            label = (form.person_label.data or "").strip()
            if person is None and label:
                raise ValidationFailed(f"No active user or contact is called “{label}”.",
                                       "person_label")
            member = case_team.add_case_team_member(
                case, person, team_admin.get_role(form.role.data), actor=current_user)
        except ValidationFailed as exc:
            db.session.rollback()
            field = "role" if exc.field == "role" else "person_label"
            form[field].errors.append(str(exc))
        else:
            message = f"{member.person_name} is on the case team as {member.role.name}."
            db.session.commit()
            return changed(case, message)
    return team_response(case, 422, add_member_form=form)


@case_bp.route("/<int:number>/team/members/<int:member_id>", methods=["POST"])
def change_role(number: int, member_id: int):
    case = get_editable_case_or_404(number)
    member = member_or_404(case, member_id)
    form = ChangeRoleForm()
    form.role.choices = role_choices(team_admin.list_roles())
    role = team_admin.get_role(form.role.data) if form.validate_on_submit() else None
    if role is None:
        return team_response(case, 422, notice="Choose a role from the list.")
    case_team.change_case_team_role(member, role, actor=current_user)
    message = f"{member.person_name} now has the role {role.name}."
    db.session.commit()
    return changed(case, message)


@case_bp.route("/<int:number>/team/members/<int:member_id>/remove", methods=["GET", "POST"])
def remove_member(number: int, member_id: int):
    """Confirm (a page without JavaScript), then take the person off the team."""
    case = get_editable_case_or_404(number)
    member = member_or_404(case, member_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("teams/confirm_remove.html", case=case, form=form,
                               case_url=case_link(case),
                               title=f"Remove {member.person_name} from the case team?",
                               text="They lose any access the case team gave them.",
                               action=url_for("case_team.remove_member", number=case.number,
                                              member_id=member.id))
    name = member.person_name
    case_team.remove_case_team_member(member, actor=current_user)
    db.session.commit()
    return changed(case, f"Removed {name} from the case team.")


@case_bp.route("/<int:number>/team/teams", methods=["POST"])
def add_team(number: int):
    case = get_editable_case_or_404(number)
    form = AddTeamForm()
    form.set_teams(team_admin.list_predefined_teams())
    if form.validate_on_submit():
        team = team_admin.get_predefined_team(form.team.data)
        try:
            added = case_team.add_predefined_team(case, team, actor=current_user)
        except ValidationFailed as exc:
            db.session.rollback()
            form.team.errors.append(str(exc))
        else:
            message = f"Added {team.name}: {len(added)} new member{'' if len(added) == 1 else 's'}."
            db.session.commit()
            return changed(case, message)
    return team_response(case, 422, add_team_form=form)


@case_bp.route("/<int:number>/team/teams/<int:team_id>/remove", methods=["GET", "POST"])
def remove_team(number: int, team_id: int):
    """Confirm, then remove a predefined team: members who came only from it leave."""
    case = get_editable_case_or_404(number)
    team = next((t for t in case_team.case_predefined_teams(case) if t.id == team_id), None)
    if team is None:
        abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("teams/confirm_remove.html", case=case, form=form,
                               case_url=case_link(case),
                               title=f"Remove {team.name} from the case team?",
                               text="Members who came only from this team leave the case team; "
                                    "people also added by hand or by another team stay.",
                               action=url_for("case_team.remove_team", number=case.number,
                                              team_id=team.id))
    removed = case_team.remove_predefined_team(case, team, actor=current_user)
    message = f"Removed {team.name}" + (f" and {', '.join(removed)}." if removed else ".")
    db.session.commit()
    return changed(case, message)
