"""The ceiling: a bare Flask app rendering a 50-row Jinja table from memory, no database."""
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask, render_template

app = Flask(__name__, template_folder=str(Path(__file__).resolve().parent / "templates"))
STATUSES = ("New", "Working", "Waiting on Customer", "Escalated")
ROWS = [{"number": 1001 + i, "subject": f"Printer on floor {i % 9 + 1} shows error E-{100 + i}",
         "account": f"Northwind Logistics {i}", "contact": f"Maya Berg {i}",
         "status": STATUSES[i % 4], "priority": ("Low", "Medium", "High", "Critical")[i % 4],
         "owner": "Bench Agent", "created_at": datetime(2026, 1, 1) + timedelta(hours=7 * i)}
        for i in range(50)]


@app.route("/")
def table():
    return render_template("bare_table.html", rows=ROWS)
