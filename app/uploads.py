"""Reading the text fields of a multipart body too large for Flask to parse."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, MultipartDecoder, NeedData
from werkzeug.wsgi import LimitedStream

MAX_FIELD_BYTES = 64 * 1024
CHUNK = 64 * 1024


def read_text_fields(environ, *, read_at_most: int) -> MultiDict:
    """The body's text fields (a note typed beside a file): file contents are read past and
    dropped, a field over MAX_FIELD_BYTES is left out, and reading stops after read_at_most
    bytes (whatever came by then is kept)."""
    boundary = parse_options_header(environ.get("CONTENT_TYPE", ""))[1].get("boundary")
    length = int(environ.get("CONTENT_LENGTH") or 0)
    fields: MultiDict = MultiDict()
    if not boundary or not length:
        return fields
    decoder = MultipartDecoder(boundary.encode())
    stream = LimitedStream(environ["wsgi.input"], min(length, read_at_most))
    part, chunks, size = None, [], 0
    while chunk := stream.read(CHUNK):
        decoder.receive_data(chunk)
        event = decoder.next_event()
        while not isinstance(event, (Epilogue, NeedData)):
            if isinstance(event, Field):
                part, chunks, size = event, [], 0
            elif not isinstance(event, Data):  # a file part: its bytes are not kept
                part = None
            elif part is not None:
                size += len(event.data)
                chunks.append(event.data)
                if size > MAX_FIELD_BYTES:
                    part = None
                elif not event.more_data:
                    fields.add(part.name, b"".join(chunks).decode("utf-8", "replace"))
            event = decoder.next_event()
    return fields
