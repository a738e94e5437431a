"""What the meetings routers share beyond api/core/http.py: optional id filters."""

from typing import Annotated

from fastapi import Query

from api.core.schemas import Id

IdQuery = Annotated[Id | None, Query()]
