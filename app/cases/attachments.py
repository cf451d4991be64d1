"""Attachment downloads and image previews, only through the case they belong to."""
from urllib.parse import quote

from flask import abort, send_file
from flask_login import current_user
from werkzeug.utils import secure_filename

from app.access import get_case_or_404
from app.cases import bp
from app.services import feed as feed_service
from app.services import files as file_store


def content_disposition(name: str, inline: bool = False) -> str:
    """An RFC 6266 header: a plain ASCII fallback plus the exact name as RFC 5987 filename*."""
    fallback = secure_filename(name) or "download"
    return (f"{'inline' if inline else 'attachment'}; filename=\"{fallback}\"; "
            f"filename*=UTF-8''{quote(name, safe='')}")


def _attachment_or_404(number: int, attachment_id: int):
    case = get_case_or_404(number, current_user)
    attachment = feed_service.get_attachment(case, attachment_id)
    if attachment is None or not file_store.is_stored(attachment.sha256):
        abort(404)
    return attachment


def send_attachment(attachment, content_type: str, *, inline: bool):
    """Send a stored file with the safe headers every download carries (the portal too)."""
    response = send_file(file_store.path_for(attachment.sha256), mimetype=content_type,
                         conditional=True, etag=attachment.sha256, max_age=0)
    headers = response.headers
    headers["Content-Disposition"] = content_disposition(attachment.original_name, inline)
    headers["Content-Security-Policy"] = "sandbox"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/<int:number>/attachments/<int:attachment_id>")
def download_attachment(number: int, attachment_id: int):
    """Download a file as an attachment, typed from our allowlist, never rendered."""
    attachment = _attachment_or_404(number, attachment_id)
    return send_attachment(attachment, file_store.safe_type(attachment.content_type), inline=False)


@bp.route("/<int:number>/attachments/<int:attachment_id>/image")
def attachment_image(number: int, attachment_id: int):
    """Show an image inline (the feed's thumbnail) when its bytes prove it is one."""
    attachment = _attachment_or_404(number, attachment_id)
    sniffed = file_store.sniff_image(file_store.read_head(attachment.sha256))
    if sniffed is None or sniffed != attachment.content_type:
        abort(404)
    return send_attachment(attachment, sniffed, inline=True)
