"""The global search box, its dropdown and the results page (views only; no tables)."""
from flask import Blueprint, Flask

from app.services import search_index

bp = Blueprint("search", __name__, cli_group="search")


def init_app(app: Flask) -> None:
    """Register the search views and `flask search …`, and keep the index in step."""
    search_index.init_app(app)
    app.register_blueprint(bp)


from app.search import routes  # noqa: E402,F401
