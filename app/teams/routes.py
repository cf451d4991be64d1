"""Admin: predefined case teams, with member rows added and removed by htmx (or plain posts)."""
from flask import abort, flash, render_template, request, url_for
from flask_login import current_user

from app.extensions import db
from app.htmx import hx_redirect, render_page_or_fragment
from app.models import PredefinedTeam
from app.services import directory
from app.services import team_admin
from app.services.errors import ValidationFailed
from app.submissions import create_once
from app.teams import bp
from app.teams.forms import ConfirmForm, TeamForm
from app.teams.roles import show_failure

QUERY_MAX = 100


def team_or_404(team_id: int) -> PredefinedTeam:
    team = team_admin.get_predefined_team(team_id)
    if team is None:
        abort(404)
    return team


def typeahead_query() -> str:
    """The type-ahead text: `q`, else the `*_label` argument the type-ahead input sends."""
    if "q" in request.args:
        return request.args["q"].strip()[:QUERY_MAX]
    labels = [v for k, v in request.args.items(multi=True) if k.endswith("_label")]
    return labels[0].strip()[:QUERY_MAX] if len(labels) == 1 else ""


@bp.route("/")
def list_teams():
    return render_template("teams/teams.html", teams=team_admin.list_predefined_teams())


@bp.route("/people")
def people():
    """Type-ahead: users and contacts for a team's member rows."""
    query = typeahead_query()
    users, contacts = directory.suggest_people(query)
    return render_template("teams/_people.html", users=users, contacts=contacts, query=query)


def team_data(team: PredefinedTeam) -> dict:
    members = [{"person": m.person_key, "person_label": m.person_name, "role": str(m.role_id)}
               for m in team.members]
    return {"name": team.name, "description": team.description,
            "members": members or [{}]}


def row_index(entry) -> str:
    return entry.name.rsplit("-", 1)[-1]


def change_rows(form: TeamForm, roles) -> bool:
    """Add or remove a member row when a row button was pressed; True when one was."""
    if "add_row" in request.form:
        form.members.append_entry()
    elif "remove_row" in request.form:
        index = request.form["remove_row"]
        form.members.entries = [e for e in form.members.entries if row_index(e) != index]
    else:
        return False
    form.set_role_choices(roles)
    return True


def row_person(row, seen: dict):
    """The person a member row names, or the message that says why it names nobody."""
    try:
        person = directory.find_person(row.person.data, row.person_label.data)
    except ValidationFailed as exc:
        return None, str(exc)
    if person is None:
        label = (row.person_label.data or "").strip()
        return None, (f"No active user or contact is called “{label}”." if label
                      else "Choose a person, or remove the row.")
    key = directory.person_key(person)
    if key in seen:
        return None, f"{person.name} is already in this team (row {seen[key]})."
    return person, None


def resolve_rows(form: TeamForm, roles) -> list | None:
    """The (person, role) pairs of the filled rows; None after marking row errors."""
    by_id = {str(role.id): role for role in roles}
    members, seen, ok = [], {}, True
    for entry in form.members:
        row = entry.form
        if row.is_blank and not row.role.data:
            continue
        person, error = row_person(row, seen)
        if error:
            row.person_label.errors.append(error)
            ok = False
        elif row.role.data not in by_id:
            row.role.errors.append("Choose a role.")
            ok = False
        else:
            seen[directory.person_key(person)] = len(seen) + 1
            members.append((person, by_id[row.role.data]))
    return members if ok else None


def team_form_response(form: TeamForm, team, roles, status: int = 200, focus_last=False):
    return render_page_or_fragment("teams/team_form.html", "teams/_member_rows.html", status,
                                   form=form, team=team, roles=roles, focus_last=focus_last)


def save_team(form: TeamForm, team: PredefinedTeam | None):
    """Handle the team form: row buttons re-render the rows; Save validates and stores."""
    roles = team_admin.list_roles()
    form.set_role_choices(roles)
    if request.method == "POST" and change_rows(form, roles):
        return team_form_response(form, team, roles, focus_last="add_row" in request.form)
    if form.validate_on_submit():
        members = resolve_rows(form, roles)
        if members is not None:
            values = {"actor": current_user, "name": form.name.data,
                      "description": form.description.data, "members": members}
            try:
                return create_once(form, lambda: (
                    team_admin.create_predefined_team(**values) if team is None
                    else team_admin.update_predefined_team(team, **values)),
                    lambda saved: (url_for("teams.list_teams"),
                                   f"Saved the predefined team {saved.name}."))
            except ValidationFailed as exc:
                show_failure(form, exc)
    failed = request.method == "POST"
    return team_form_response(form, team, roles, 422 if failed else 200)


@bp.route("/new", methods=["GET", "POST"])
def new_team():
    return save_team(TeamForm(), None)


@bp.route("/<int:team_id>", methods=["GET", "POST"])
def edit_team(team_id: int):
    team = team_or_404(team_id)
    form = TeamForm() if request.method == "POST" else TeamForm(data=team_data(team))
    return save_team(form, team)


@bp.route("/<int:team_id>/delete", methods=["GET", "POST"])
def delete_team(team_id: int):
    """Confirm, then delete; cases keep the members the team brought them."""
    team = team_or_404(team_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = team.name
        team_admin.delete_predefined_team(team, actor=current_user)
        db.session.commit()
        flash(f"Deleted the predefined team {name}. Cases keep the members it added.", "success")
        return hx_redirect(url_for("teams.list_teams"))
    return render_template("teams/team_delete.html", team=team, form=form)
