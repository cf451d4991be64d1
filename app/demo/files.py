"""Small generated files for the demo cases: PNG screenshots, logs and CSV exports."""
from __future__ import annotations

import random
import struct
import zlib
from datetime import datetime, timedelta
from functools import lru_cache

PNG_SIZE = (240, 150)
ACCENTS = ((47, 91, 234), (15, 118, 110), (180, 83, 9), (107, 63, 196), (192, 38, 45))


def png_bytes(width: int, height: int, rows: list[bytes]) -> bytes:
    """Encode 8-bit RGB rows as a PNG (filter type 0 on every row)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def _paint(canvas: list[bytearray], box: tuple[int, int, int, int], color) -> None:
    """Fill the rectangle (x, y, width, height) with one colour."""
    x, y, w, h = box
    pixel = bytes(color)
    for row in canvas[y:y + h]:
        row[x * 3:(x + w) * 3] = pixel * w


@lru_cache(maxsize=None)
def screenshot_png(variant: int) -> bytes:
    """A mock application window with a title bar, text lines and an alert box."""
    width, height = PNG_SIZE
    accent = ACCENTS[variant % len(ACCENTS)]
    canvas = [bytearray(b"\xf1\xf3\xf6" * width) for _ in range(height)]
    _paint(canvas, (8, 8, width - 16, height - 16), (255, 255, 255))
    _paint(canvas, (8, 8, width - 16, 18), accent)
    for n, length in enumerate((150, 190, 120, 170)):
        _paint(canvas, (20, 36 + n * 12, length - (variant * 7) % 40, 5), (208, 213, 221))
    _paint(canvas, (20, 92, width - 40, 34), (253, 236, 236))
    _paint(canvas, (20, 92, 4, 34), (192, 38, 45))
    _paint(canvas, (32, 102, 110 + variant * 9 % 60, 5), (138, 28, 34))
    _paint(canvas, (32, 113, 80, 5), (220, 160, 160))
    return png_bytes(width, height, [bytes(row) for row in canvas])


def log_text(rng: random.Random, start: datetime, subject: str) -> bytes:
    """A plausible diagnostic log with timestamps around the given time."""
    levels = ("INFO", "INFO", "INFO", "WARN", "ERROR")
    events = ("service started", "connection established to upstream",
              "retrying request (attempt 2 of 5)", "timeout after 30000 ms",
              "authentication succeeded for svc account", "health check failed: 502",
              "configuration reloaded", "queue depth 1842 above threshold 1000",
              "operation completed", "access denied while reading path")
    lines = [f"# diagnostics for: {subject}"]
    moment = start
    for _ in range(rng.randint(18, 40)):
        moment += timedelta(seconds=rng.randint(1, 240))
        lines.append(f"{moment:%Y-%m-%d %H:%M:%S} {rng.choice(levels):5} "
                     f"[{rng.choice(('agent', 'net', 'auth', 'worker'))}] {rng.choice(events)}")
    return ("\n".join(lines) + "\n").encode()


def csv_text(rng: random.Random, start: datetime) -> bytes:
    """A short export of invoice lines."""
    rows = ["date,invoice,description,quantity,unit_price,total"]
    items = ("Licence - LedgerLine user", "Support plan", "PrintHub toner cartridge",
             "CloudVault storage 1 TB", "Onboarding session", "DeskPhone X3 handset")
    for n in range(rng.randint(8, 20)):
        day = start - timedelta(days=rng.randint(0, 60))
        quantity, price = rng.randint(1, 12), rng.choice((19.0, 49.0, 89.5, 120.0, 350.0))
        rows.append(f"{day:%Y-%m-%d},INV-{rng.randint(24000, 26999)},{rng.choice(items)},"
                    f"{quantity},{price:.2f},{quantity * price:.2f}")
    return ("\n".join(rows) + "\n").encode()


def make_file(kind: str, name: str, rng: random.Random, when: datetime,
              subject: str) -> tuple[str, bytes, str]:
    """One upload tuple (name, content, declared type) for the feed service."""
    if kind == "png":
        return name, screenshot_png(rng.randrange(len(ACCENTS))), "image/png"
    if kind == "csv":
        return name, csv_text(rng, when), "text/csv"
    return name, log_text(rng, when, subject), "text/plain"
