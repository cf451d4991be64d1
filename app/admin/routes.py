from app.admin import bp


@bp.route("/users")
def list_users():
    return "users"
