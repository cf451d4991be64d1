"""The application factory: composes config, extensions, blueprints, CLI and error pages."""
import os
import secrets
from pathlib import Path

from flask import Flask

from app.config import Config
from app.extensions import csrf, db, limiter, login_manager, migrate
# Aliased: importing the app.mail package sets the name "mail" on this module.
from app.extensions import mail as mail_extension


def create_app(config_class: type = Config) -> Flask:
    """Build a Casebook application."""
    app = Flask(__name__, instance_relative_config=True,
                template_folder="../templates", static_folder="../static")
    app.config.from_object(config_class)
    if not app.config.get("TESTING"):
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
    configure_paths(app)
    register_extensions(app)
    register_blueprints(app)
    register_hooks(app)
    register_cli(app)
    register_mail(app)
    return app


def configure_paths(app: Flask) -> None:
    """Point the database, uploads and secret key at instance/ unless configured."""
    instance = Path(app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = with_driver(app.config.get("SQLALCHEMY_DATABASE_URI")
                                                        or app.config.get("DATABASE_URL"))
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        instance.mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'casebook.db'}"
    app.config.setdefault("UPLOAD_FOLDER", str(instance / "uploads"))
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["UPLOAD_MAX_MB"]) * 1024 * 1024 + 65536
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = read_or_create_secret(instance / "secret_key")


def with_driver(uri: str | None) -> str | None:
    """Use psycopg 3 for PostgreSQL URLs given in the common postgres:// forms."""
    if uri and uri.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + uri.split("://", 1)[1]
    return uri


def read_or_create_secret(path: Path) -> str:
    """Read the generated secret key, creating it on first run."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def register_extensions(app: Flask) -> None:
    from app.database import configure_engine
    from app.models.common import render_migration_item

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"),
                     render_item=render_migration_item)
    login_manager.init_app(app)
    csrf.init_app(app)
    mail_extension.init_app(app)
    limiter.init_app(app)
    with app.app_context():
        configure_engine(db.engine)


def register_blueprints(app: Flask) -> None:
    from app.accounts import bp as accounts_bp
    from app.admin import bp as admin_bp
    from app.auth import bp as auth_bp
    from app.cases import bp as cases_bp

    for bp in (auth_bp, cases_bp, accounts_bp, admin_bp):
        app.register_blueprint(bp)
    from app.teams import bp as teams_bp, case_bp as case_team_bp

    app.register_blueprint(teams_bp)
    app.register_blueprint(case_team_bp)
    from app.workflow import bp as workflow_bp

    app.register_blueprint(workflow_bp)
    from app.search import init_app as init_search

    init_search(app)
    from app.knowledge import bp as knowledge_bp, public_bp as kb_bp

    app.register_blueprint(knowledge_bp)
    app.register_blueprint(kb_bp)
    from app.entitlements import bp as entitlements_bp

    app.register_blueprint(entitlements_bp)
    from app.portal import bp as portal_bp

    app.register_blueprint(portal_bp)


def register_hooks(app: Flask) -> None:
    from app import web

    web.init_app(app)


def register_cli(app: Flask) -> None:
    from app import cli

    cli.init_app(app)


def register_mail(app: Flask) -> None:
    from app.mail import init_app as init_mail

    init_mail(app)
