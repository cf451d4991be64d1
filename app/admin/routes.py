"""Admin: the people who use Casebook, their roles, access and passwords."""
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.forms import ConfirmForm, NewUserForm, PasswordResetForm, RoleForm, UserFilterForm
from app.errors import ValidationFailed
from app.extensions import db
from app.forms import show_refusal
from app.htmx import render_form, render_page_or_fragment
from app.models import User
from app.pagination import paginate, parse_page
from app.services import users as user_service
from app.submissions import create_once

USERS_PER_PAGE = 25
INVITE_KEY = "admin_invitation_link"


def get_user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def back_to(user: User):
    return redirect(url_for("admin.show_user", user_id=user.id), code=303)


@bp.route("/")
def index():
    return redirect(url_for("admin.list_users"))


@bp.route("/users")
def list_users():
    """The user list; htmx filtering and paging swap just the results."""
    form = UserFilterForm(formdata=request.args, meta={"csrf": False})
    filters = form.values()
    users = paginate(user_service.search_users(**filters),
                     page=parse_page(request.args.get("page")), per_page=USERS_PER_PAGE)
    args = {key: value for key, value in
            (("q", filters["text"]), ("role", filters["role"]), ("status", filters["status"]))
            if value}
    return render_page_or_fragment(
        "admin/users.html", "admin/_users.html", form=form, users=users, filtered=bool(args),
        page_url=lambda n: url_for("admin.list_users", page=n, **args))


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    """Create a user with a password, or invite them to choose one."""
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            return create_once(form, lambda: add_user(form),
                               lambda user: added_user(user, invited=not form.password.data))
        except ValidationFailed as exc:
            db.session.rollback()
            show_refusal(form, exc, default="email")
    return render_form("admin/new_user.html", form)


def add_user(form: NewUserForm) -> User:
    """Create the user; without a password, invite them and keep the link for the next page."""
    user = user_service.create_user(
        email=form.email.data, name=form.name.data, role=form.role.data,
        time_zone=form.time_zone.data, password=form.password.data or None)
    if not form.password.data:
        remember_invitation_link(user, user_service.create_invitation(user, actor=current_user))
    return user


def added_user(user: User, *, invited: bool) -> tuple[str, str]:
    """The new user's page, and what to say."""
    message = (f"{user.name} was invited. Copy the link below and send it to them."
               if invited else f"{user.name} can now sign in with the password you set.")
    return url_for("admin.show_user", user_id=user.id), message


def remember_invitation_link(user: User, token: str) -> None:
    """Hand the one-time link to the next page view only (it is never stored in clear)."""
    session[INVITE_KEY] = {"user_id": user.id, "link": url_for(
        "auth.accept_invitation", token=token, _external=True)}


def render_user(user: User, status: int = 200, **forms):
    """The user's admin page, with any failed form's errors."""
    shown = session.pop(INVITE_KEY, None)
    invite_link = shown["link"] if shown and shown.get("user_id") == user.id else None
    context = {"role_form": RoleForm(role=user.role), "password_form": PasswordResetForm(),
               "action_form": ConfirmForm()} | forms
    return render_template("admin/user.html", user=user, invite_link=invite_link,
                           invitation_pending=user_service.has_pending_invitation(user),
                           **context), status


@bp.route("/users/<int:user_id>")
def show_user(user_id: int):
    return render_user(get_user_or_404(user_id))


@bp.route("/users/<int:user_id>/role", methods=["POST"])
def change_role(user_id: int):
    """Change a user's role; an admin cannot demote themselves."""
    user = get_user_or_404(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return render_user(user, 422, role_form=form)
    try:
        user_service.change_role(user, form.role.data, actor=current_user)
    except ValidationFailed as exc:
        form.role.errors.append(str(exc))
        return render_user(user, 422, role_form=form)
    db.session.commit()
    flash(f"{user.name} is now {'an' if user.role in ('admin', 'agent') else 'a'} "
          f"{user.role}.", "success")
    return back_to(user)


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
def deactivate_user(user_id: int):
    """Ask first; then deactivate, which ends every session of that user."""
    user = get_user_or_404(user_id)
    if not user.active:
        flash(f"{user.name} is already deactivated.", "info")
        return back_to(user)
    form = ConfirmForm()
    error = "You cannot deactivate yourself." if user.id == current_user.id else None
    if form.validate_on_submit() and not error:
        try:
            user_service.set_active(user, False, actor=current_user)
        except ValidationFailed as exc:
            error = str(exc)
        else:
            db.session.commit()
            flash(f"{user.name} was deactivated and signed out everywhere.", "success")
            return back_to(user)
    status = 422 if request.method == "POST" else 200
    return render_template("admin/deactivate.html", user=user, form=form, error=error), status


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
def reactivate_user(user_id: int):
    user = get_user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        return render_user(user, 422)
    user_service.set_active(user, True, actor=current_user)
    db.session.commit()
    flash(f"{user.name} can sign in again.", "success")
    return back_to(user)


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def reset_password(user_id: int):
    """Set a new password for the user and sign them out everywhere else."""
    user = get_user_or_404(user_id)
    form = PasswordResetForm()
    if not form.validate_on_submit():
        return render_user(user, 422, password_form=form)
    user_service.reset_password(user, form.password.data, actor=current_user)
    db.session.commit()
    if user.id == current_user.id:
        flash("Your password was changed; your other browsers were signed out.", "success")
    else:
        flash(f"The password was changed and {user.name} was signed out everywhere. Give them "
              "the new password in person or by phone, never by email.", "success")
    return back_to(user)


@bp.route("/users/<int:user_id>/invitation", methods=["POST"])
def new_invitation(user_id: int):
    """Issue a fresh invitation link; any earlier link stops working."""
    user = get_user_or_404(user_id)
    if not user.active:
        flash(f"Reactivate {user.name} before sending a new invitation.", "error")
        return back_to(user)
    if not ConfirmForm().validate_on_submit():
        return render_user(user, 422)
    token = user_service.create_invitation(user, actor=current_user)
    db.session.commit()
    remember_invitation_link(user, token)
    flash("A new invitation link was created. Earlier links no longer work.", "success")
    return back_to(user)
