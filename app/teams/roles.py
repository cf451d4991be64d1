"""Admin: case team roles (list, new, edit, clone, delete with a replacement)."""
from flask import abort, flash, render_template, url_for
from flask_login import current_user

from app.extensions import db
from app.forms import show_refusal
from app.htmx import hx_redirect, render_form
from app.models import CaseTeamRole
from app.services import team_admin
from app.services.errors import ValidationFailed
from app.submissions import create_once
from app.teams import bp
from app.teams.forms import DeleteRoleForm, RoleForm


def role_or_404(role_id: int) -> CaseTeamRole:
    role = team_admin.get_role(role_id)
    if role is None:
        abort(404)
    return role


def show_failure(form, exc: ValidationFailed) -> None:
    """Put a service's refusal next to its field, or above the form."""
    db.session.rollback()
    show_refusal(form, exc)


def role_form_page(form: RoleForm, *, role=None, source=None):
    return render_form("teams/role_form.html", form, role=role, source=source)


@bp.route("/roles")
def list_roles():
    """Every case team role with how many members hold it."""
    return render_template("teams/roles.html", roles=team_admin.list_roles(),
                           usage=team_admin.role_usage_counts())


def save_role(form: RoleForm, save, done: str, **page):
    """Save a valid form through `save(name=, access=, visible_in_portal=)`, which returns the
    role, and go back to the list saying `done`; else show the form again with errors."""
    if form.validate_on_submit():
        try:
            return create_once(form, lambda: save(name=form.name.data, access=form.access.data,
                                                  visible_in_portal=form.visible_in_portal.data),
                               lambda role: (url_for("teams.list_roles"),
                                             f"{done} the role {role.name}."))
        except ValidationFailed as exc:
            show_failure(form, exc)
    return role_form_page(form, **page)


def save_new_role(form: RoleForm, source: CaseTeamRole | None = None):
    """Create a role from the form (new or clone)."""
    return save_role(form, lambda **values: team_admin.create_role(actor=current_user,
                                                                     **values),
                     "Created", source=source)


@bp.route("/roles/new", methods=["GET", "POST"])
def new_role():
    return save_new_role(RoleForm())


@bp.route("/roles/<int:role_id>/clone", methods=["GET", "POST"])
def clone_role(role_id: int):
    """The new-role form prefilled from another role, under a free new name."""
    source = role_or_404(role_id)
    form = RoleForm(data={"name": team_admin.clone_name(source), "access": source.access,
                          "visible_in_portal": source.visible_in_portal})
    return save_new_role(form, source)


@bp.route("/roles/<int:role_id>", methods=["GET", "POST"])
def edit_role(role_id: int):
    role = role_or_404(role_id)
    return save_role(RoleForm(obj=role),
                     lambda **values: team_admin.update_role(role, actor=current_user,
                                                               **values),
                     "Saved", role=role)


@bp.route("/roles/<int:role_id>/delete", methods=["GET", "POST"])
def delete_role(role_id: int):
    """Confirm, then delete; a role in use needs a replacement role for its members."""
    role = role_or_404(role_id)
    usage = team_admin.role_usage(role)
    others = [r for r in team_admin.list_roles() if r.id != role.id]
    form = DeleteRoleForm()
    form.replacement.choices = [("", "Choose a role…")] + [(str(r.id), r.name) for r in others]
    status = 200
    if form.validate_on_submit():
        replacement = team_admin.get_role(form.replacement.data) if form.replacement.data else None
        try:
            team_admin.delete_role(role, actor=current_user, replacement=replacement)
        except team_admin.RoleInUse as exc:
            db.session.rollback()
            form.replacement.errors.append(str(exc))
            status = 409
        except ValidationFailed as exc:
            show_failure(form, exc)
            status = 422
        else:
            name = role.name
            db.session.commit()
            moved = f" Its members now have the role {replacement.name}." if replacement else ""
            flash(f"Deleted the role {name}.{moved}", "success")
            return hx_redirect(url_for("teams.list_roles"))
    elif form.errors:
        status = 422
    return render_template("teams/role_delete.html", role=role, usage=usage, others=others,
                           form=form), status
