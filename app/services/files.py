"""The file store: uploads kept by content hash, written whole or not at all."""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

from flask import current_app

from app.services.errors import ValidationFailed

CHUNK = 64 * 1024
MAX_NAME = 255
# Types we name ourselves; everything else downloads as application/octet-stream. Never
# text/html, svg or anything else a browser would run.
TYPES_BY_EXTENSION = {
    "pdf": "application/pdf", "txt": "text/plain", "log": "text/plain", "csv": "text/csv",
    "json": "application/json", "xml": "application/xml", "zip": "application/zip",
    "gz": "application/gzip", "eml": "message/rfc822", "msg": "application/vnd.ms-outlook",
    "doc": "application/msword", "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint", "rtf": "application/rtf",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "mp4": "video/mp4", "mp3": "audio/mpeg", "wav": "audio/wav",
}
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
ALLOWED_TYPES = frozenset(TYPES_BY_EXTENSION.values()) | frozenset(IMAGE_TYPES)
FALLBACK_TYPE = "application/octet-stream"
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class StoredFile:
    name: str
    content_type: str
    size: int
    sha256: str


def max_upload_bytes() -> int:
    """The largest single file, from UPLOAD_MAX_MB."""
    return int(float(current_app.config.get("UPLOAD_MAX_MB", 25)) * 1024 * 1024)


def human_size(size: int) -> str:
    """A byte count as people read it: 512 bytes, 14 KB, 3.2 MB."""
    if size < 1024:
        return f"{size} bytes" if size != 1 else "1 byte"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{size:.1f} {unit}".replace(".0 ", " ") if size < 10 else f"{size:.0f} {unit}"
    return f"{size} bytes"


def upload_root() -> Path:
    """The store's folder; a relative setting is taken from the project folder."""
    root = Path(current_app.config["UPLOAD_FOLDER"])
    return root if root.is_absolute() else Path(current_app.root_path).parent / root


def path_for(sha256: str) -> Path:
    """Where a file with this hash lives; the hash is checked so no name escapes the store."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256 or ""):
        raise ValueError("not a sha256 hex digest")
    return upload_root() / sha256[:2] / sha256


def is_stored(sha256: str) -> bool:
    """True when the store holds a file with this hash."""
    try:
        return path_for(sha256).is_file()
    except ValueError:
        return False


def clean_name(name: str | None) -> str:
    """The original name without folders or control characters, shown escaped later."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = _UNSAFE_NAME.sub("", name).strip().lstrip(".").strip()
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        keep_ext = dot and len(ext) < 16
        name = stem[:MAX_NAME - len(ext) - 1] + dot + ext if keep_ext else name[:MAX_NAME]
    return name or "file"


def sniff_image(head: bytes) -> str | None:
    """The image type the magic bytes prove, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def content_type_for(name: str, head: bytes, declared: str | None = None) -> str:
    """A type from our allowlist: images by their bytes, others by extension, else binary."""
    image = sniff_image(head)
    if image:
        return image
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext in TYPES_BY_EXTENSION:
        return TYPES_BY_EXTENSION[ext]
    declared = (declared or "").split(";")[0].strip().lower()
    if declared in ALLOWED_TYPES and declared not in IMAGE_TYPES:
        return declared
    return FALLBACK_TYPE


def safe_type(content_type: str | None) -> str:
    """The stored type if it is on the allowlist, else binary (rows may come from elsewhere)."""
    return content_type if content_type in ALLOWED_TYPES else FALLBACK_TYPE


def _chunks(data) -> Iterator[bytes]:
    if isinstance(data, (bytes, bytearray, memoryview)):
        view = memoryview(data)
        for start in range(0, len(view), CHUNK):
            yield bytes(view[start:start + CHUNK])
        return
    stream: BinaryIO = getattr(data, "stream", data)
    while chunk := stream.read(CHUNK):
        yield chunk


def write_temp(name: str, data, declared: str | None = None) -> tuple[StoredFile, Path]:
    """Copy an upload into a temp file beside the store, hashing it; refuse one too large."""
    root = upload_root()
    (root / "tmp").mkdir(parents=True, exist_ok=True)
    limit = max_upload_bytes()
    digest, size, head = hashlib.sha256(), 0, b""
    fd, tmp = tempfile.mkstemp(dir=root / "tmp", prefix="upload-")
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in _chunks(data):
                size += len(chunk)
                if size > limit:
                    raise ValidationFailed(f"{name} is larger than the {human_size(limit)} limit; "
                                           "nothing was saved.", "files")
                if len(head) < 16:
                    head += chunk[:16 - len(head)]
                digest.update(chunk)
                handle.write(chunk)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    info = StoredFile(name=name, content_type=content_type_for(name, head, declared), size=size,
                      sha256=digest.hexdigest())
    return info, Path(tmp)


def store_uploads(uploads) -> list[StoredFile]:
    """Store every (name, data, declared type) or none of them; return what was stored."""
    staged: list[tuple[StoredFile, Path]] = []
    try:
        for name, data, declared in uploads:
            staged.append(write_temp(clean_name(name), data, declared))
    except BaseException:
        for _info, tmp in staged:
            tmp.unlink(missing_ok=True)
        raise
    for info, tmp in staged:
        target = path_for(info.sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():  # the same bytes are already stored
            tmp.unlink(missing_ok=True)
        else:
            os.replace(tmp, target)  # atomic: readers see the whole file or none
    return [info for info, _tmp in staged]


def read_head(sha256: str, size: int = 16) -> bytes:
    with open(path_for(sha256), "rb") as handle:
        return handle.read(size)
