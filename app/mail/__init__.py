"""Mail outside requests: the sender thread and its listeners, and the `flask mail` commands."""
from flask import Flask

from app.mail.cli import mail_group
from app.mail.sender import listen_for_commits, start_in_process


def init_app(app: Flask) -> None:
    """Add the `flask mail` commands, and start the sender with a web process's first request."""
    app.cli.add_command(mail_group)
    listen_for_commits()
    # A web process delivers its outbox itself (make run needs no separate worker).
    app.before_request(start_in_process)
