"""`flask mail ...`: receive one message, send the outbox, run the sender, queue reminders."""
import signal
import sys
import time

import click
from sqlalchemy.exc import OperationalError

from app.database import write_transactions
from app.extensions import db
from app.mail import delivery
from app.mail.sender import TICK_SECONDS, run_cycle
from app.services import cases as case_service
from app.services import notifications
from app.services.mail_ingest import IngestError, ingest_message

# sysexits(3) codes: mail servers bounce on EX_DATAERR and retry later on EX_TEMPFAIL.
EX_DATAERR = 65
EX_TEMPFAIL = 75


@click.group("mail")
def mail_group() -> None:
    """The mail pipeline: ingest, send, worker and tick."""


@mail_group.command("ingest")
def ingest() -> None:
    """Read one RFC 822 message on stdin and add it to Casebook (pipe your mail server here)."""
    raw = sys.stdin.buffer.read()
    try:
        with write_transactions():
            result = ingest_message(raw)
            db.session.commit()
    except IngestError as exc:
        db.session.rollback()
        click.echo(f"Rejected: {exc} Nothing was stored.", err=True)
        sys.exit(EX_DATAERR)
    except OperationalError as exc:
        db.session.rollback()
        click.echo(f"The database is unavailable ({exc.orig}); try again later.", err=True)
        sys.exit(EX_TEMPFAIL)
    click.echo(str(result))


@mail_group.command("send")
def send() -> None:
    """Deliver every message that is due, once, and report."""
    report = delivery.send_due()
    click.echo(str(report))
    for error in report.errors:
        click.echo(f"  {error}", err=True)


@mail_group.command("tick")
def tick() -> None:
    """Queue reminders for tasks that are due and fail messages a crashed sender left behind."""
    with write_transactions():
        stale = delivery.recover_stale()
        reminders = notifications.queue_task_reminders()
        fired = case_service.run_milestone_tick()
        db.session.commit()
    click.echo(f"Queued {reminders} task reminder{'s' if reminders != 1 else ''}."
               + (f" Milestones: {fired.warned} warning(s), {fired.violated} violation(s)."
                  if fired.warned or fired.violated else "")
               + (f" Marked {stale} interrupted message(s) as failed." if stale else ""))


@mail_group.command("worker")
@click.option("--interval", default=5.0, show_default=True,
              help="Seconds between looks at the outbox.")
def worker(interval: float) -> None:
    """Run the sender until stopped (Ctrl+C or SIGTERM); safe to run several at once."""
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    click.echo(f"Mail worker started; checking the outbox every {interval:g} seconds.")
    last_tick = 0.0
    try:
        while not stopping:
            due_tick = time.monotonic() - last_tick >= TICK_SECONDS
            try:
                report = run_cycle(tick=due_tick)
                if due_tick:
                    last_tick = time.monotonic()
                if report.sent or report.retrying or report.failed:
                    click.echo(str(report))
            except OperationalError as exc:
                db.session.rollback()
                click.echo(f"Database unavailable ({exc.orig}); retrying.", err=True)
            finally:
                db.session.remove()
            _sleep(interval, stopping)
    except KeyboardInterrupt:
        pass
    click.echo("Mail worker stopped.")


def _sleep(seconds: float, stopping: list) -> None:
    end = time.monotonic() + seconds
    while not stopping and time.monotonic() < end:
        time.sleep(min(0.5, end - time.monotonic()))
