"""wsgi.py, the entry point gunicorn and `flask --app wsgi` load."""
import os
import subprocess
import sys
from pathlib import Path


def test_the_entry_point_builds_the_app_and_freezes_what_start_up_made(tmp_path):
    """Start-up's objects are kept out of the collector's full passes (a worker's longest
    pause), and the app still answers."""
    env = {**os.environ, "FLASK_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
           "FLASK_SECRET_KEY": "wsgi-test", "FLASK_MAIL_SENDER_THREAD": "false"}
    script = ("import gc, wsgi\n"
              "frozen = gc.get_freeze_count()\n"
              "status = wsgi.app.test_client().get('/login').status_code\n"
              "print(frozen, status)\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parents[1],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    frozen, status = map(int, result.stdout.split())
    assert frozen > 10_000 and status == 200
