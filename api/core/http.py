"""Entity tags and conditional requests (If-Match / If-None-Match)."""

from fastapi import Request, Response

from api.core.errors import NotModified, PreconditionFailed


def etag_of(entity) -> str:
    """Strong ETag from the row's id and optimistic-lock version."""
    return f'"{entity.id}.{entity.version}"'


def _tags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def check_if_match(request: Request, entity) -> None:
    """412 when If-Match names another version; the UPDATE itself re-checks the version."""
    header = request.headers.get("if-match")
    if header is None:
        return
    tags = _tags(header)
    if "*" in tags:
        return
    if etag_of(entity) not in tags:
        raise PreconditionFailed(
            "If-Match does not match the current version of this resource; "
            "fetch it again to get the current ETag."
        )


def conditional_get(request: Request, response: Response, entity) -> None:
    """Set ETag; answer 304 when If-None-Match already names it."""
    etag = etag_of(entity)
    header = request.headers.get("if-none-match")
    if header is not None:
        tags = [t.removeprefix("W/") for t in _tags(header)]
        if "*" in tags or etag in tags:
            raise NotModified(etag)
    response.headers["ETag"] = etag
