"""Entity tags and conditional requests (If-Match / If-None-Match)."""

from datetime import datetime
from email.utils import format_datetime
from functools import lru_cache

from fastapi import Request, Response

from api.core.errors import NotModified, PreconditionFailed


def etag_of(entity) -> str:
    """Strong ETag from the row's id and optimistic-lock version."""
    return f'"{entity.id}.{entity.version}"'


def _tags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def if_none_match(request: Request) -> list[str]:
    """The entity tags of If-None-Match (none without the header)."""
    return _tags(request.headers.get("if-none-match", ""))


def if_match(request: Request) -> list[str] | None:
    """The entity tags of If-Match, or None without the header."""
    header = request.headers.get("if-match")
    return None if header is None else _tags(header)


def ensure_match(tags: list[str] | None, current: str | None) -> None:
    """412 unless If-Match (`tags`) names the current tag; `current` None: nothing exists yet,
    which no tag, not even `*`, matches (RFC 9110 13.1.1)."""
    if tags is None:
        return
    if current is None or ("*" not in tags and current not in tags):
        raise PreconditionFailed(
            "If-Match does not match the current version of this resource; "
            "fetch it again to get the current ETag."
        )


def check_if_match(request: Request, entity) -> None:
    """412 when If-Match names another version; the UPDATE itself re-checks the version."""
    ensure_match(if_match(request), etag_of(entity))


def conditional_get(request: Request, response: Response, entity) -> None:
    """Set ETag; answer 304 when If-None-Match already names it."""
    etag = etag_of(entity)
    header = request.headers.get("if-none-match")
    if header is not None:
        tags = [t.removeprefix("W/") for t in _tags(header)]
        if "*" in tags or etag in tags:
            raise NotModified(etag)
    response.headers["ETag"] = etag


# For a route's `responses=`: the 412 an If-Match route can answer.
Precondition = {412: {"description": "If-Match does not match the current ETag"}}


def created(request: Request, response: Response, entity, route: str, **params) -> None:
    """A 201 with the new record's Location (and its ETag when it is versioned)."""
    response.status_code = 201
    response.headers["Location"] = str(request.url_for(route, **params))
    if hasattr(entity, "version"):
        response.headers["ETag"] = etag_of(entity)


@lru_cache(maxsize=4096)
def http_date(moment: datetime) -> str:
    """`moment` as an HTTP date (Last-Modified), remembered: the same data's answers carry the same
    date, and formatting it was 3% of a cached answer's time."""
    return format_datetime(moment, usegmt=True)
