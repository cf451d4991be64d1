from app.accounts import bp


@bp.route("/accounts/")
def list_accounts():
    return "accounts"


@bp.route("/contacts/")
def list_contacts():
    return "contacts"
