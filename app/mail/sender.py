"""The in-process mail sender: a daemon thread woken after commits that queued mail."""
from __future__ import annotations

import threading
import time

from flask import Flask, current_app, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.database import write_transactions
from app.extensions import db
from app.mail import delivery
from app.services import cases as case_service
from app.services import notifications, outbox, submissions

EXTENSION = "casebook_mail_sender"
TICK_SECONDS = 60


def run_cycle(*, tick: bool = True) -> delivery.SendReport:
    """One round of the sender: housekeeping and reminders, then every due message."""
    if tick:
        with write_transactions():
            delivery.recover_stale()
            notifications.queue_task_reminders()
            case_service.run_milestone_tick()
            submissions.forget_old_submissions()
            db.session.commit()
    return delivery.send_due()


class MailSender:
    """Delivers the outbox without delaying responses, and retries on its own timer."""

    def __init__(self, app: Flask):
        self.app = app
        self.event = threading.Event()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.stopping = False
        self.last_tick = 0.0

    def start(self) -> None:
        with self.lock:
            if self.thread is not None and self.thread.is_alive():
                return
            self.stopping = False
            self.thread = threading.Thread(target=self._run, name="casebook-mail-sender",
                                           daemon=True)
            self.thread.start()
            self.event.set()  # deliver whatever an earlier run left queued

    def stop(self, timeout: float = 30) -> None:
        """End the thread once the round it is in has finished; what is still queued waits
        for the next sender. An app that is done with its database (a test's, an embedding
        process's) stops it, or it would go on polling that database."""
        with self.lock:
            thread, self.thread = self.thread, None
            self.stopping = True
            self.event.set()
        if thread is not None:
            thread.join(timeout)

    def wake(self) -> None:
        self.start()
        self.event.set()

    def _run(self) -> None:
        while not self.stopping:
            self.event.wait(float(self.app.config.get("MAIL_SENDER_POLL_SECONDS", 30)))
            self.event.clear()
            if not self.stopping:
                self.run_once()

    def run_once(self) -> None:
        with self.app.app_context():
            try:
                tick = time.monotonic() - self.last_tick >= TICK_SECONDS
                run_cycle(tick=tick)
                if tick:
                    self.last_tick = time.monotonic()
            except Exception:  # keep the thread alive; the next round tries again
                db.session.rollback()
                self.app.logger.exception("The mail sender failed; it will try again.")
            finally:
                db.session.remove()


def sender_for(app: Flask) -> MailSender:
    sender = app.extensions.get(EXTENSION)
    if sender is None:
        sender = app.extensions.setdefault(EXTENSION, MailSender(app))
    return sender


def stop_sender(app: Flask) -> None:
    """Stop the app's sender thread, if it started one."""
    sender = app.extensions.get(EXTENSION)
    if sender is not None:
        sender.stop()


def thread_enabled(app: Flask) -> bool:
    return bool(app.config.get("MAIL_SENDER_THREAD", True))


def start_in_process() -> None:
    """Start the sender with the first request of a web process (never in the CLI)."""
    app = current_app._get_current_object()
    if thread_enabled(app) and EXTENSION not in app.extensions:
        sender_for(app).start()


def listen_for_commits() -> None:
    """Wake the sender after commits that queued mail (once per process: Session is global)."""
    for name, listener in (("after_commit", _wake_after_commit),
                           ("after_rollback", _forget_after_rollback)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def _wake_after_commit(session: Session) -> None:
    """A commit that queued mail wakes the sender; a rolled-back save never does."""
    if not session.info.pop(outbox.PENDING_FLAG, False):
        return
    if has_request_context() and thread_enabled(current_app):
        sender_for(current_app._get_current_object()).wake()


def _forget_after_rollback(session: Session) -> None:
    if not session.in_transaction():
        session.info.pop(outbox.PENDING_FLAG, None)
