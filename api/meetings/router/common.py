"""What the meetings routers share: optional id filters, the 412 answer, and a 201 with its
Location (and ETag for a versioned record)."""

from typing import Annotated

from fastapi import Query, Request, Response, status

from api.core.http import etag_of
from api.core.schemas import Id

IdQuery = Annotated[Id | None, Query()]
Precondition = {412: {"description": "If-Match does not match the current ETag"}}


def created(request: Request, response: Response, entity, route: str, **params) -> None:
    response.status_code = status.HTTP_201_CREATED
    response.headers["Location"] = str(request.url_for(route, **params))
    if hasattr(entity, "version"):
        response.headers["ETag"] = etag_of(entity)
