"""Uploaded files: the size and type refusals every upload shares, and the one way an imported
CSV file's bytes become text (the membership and indicator imports both read through it)."""

from typing import BinaryIO

from api.core.bodylimit import MB, size_text
from api.core.errors import ProblemError


class TooLarge(ProblemError):
    status, slug = 413, "too-large"


class UnsupportedType(ProblemError):
    status, slug = 415, "unsupported-media-type"


def too_large(limit: int) -> TooLarge:
    return TooLarge(f"The file is larger than the limit of {size_text(limit)}.")


def limit_of(max_mb: int) -> int:
    return max_mb * MB


def read_limited(upload: BinaryIO, *, limit: int) -> bytes:
    """The upload's bytes; 413 beyond `limit`, found by reading one byte more than it allows
    (never the whole of an oversized file)."""
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise too_large(limit)
    return data


def decode_csv(data: bytes, *, limit: int | None = None) -> str:
    """An imported CSV file as text: at most `limit` bytes (413; None for bytes that are not an
    upload, such as a file named on the command line), UTF-8 with or without a byte-order mark,
    and no NUL (415; PostgreSQL refuses NUL in text, and a file holding one is not CSV). The
    refusal names the line where it can, as the row checks that follow do."""
    if limit is not None and len(data) > limit:
        raise too_large(limit)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnsupportedType("The file is not UTF-8 text. Save it as 'CSV UTF-8' and try again.", errors=[
            {"line": None, "column": None, "msg": "not UTF-8"}]) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise UnsupportedType("The file is not CSV text: it contains NUL characters.", errors=[
            {"line": line, "column": None, "msg": "contains a NUL character"}])
    return text
