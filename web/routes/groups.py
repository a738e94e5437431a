from fastapi import APIRouter, Request

from api.deps import RegistryReader, SessionDep
from api.registry import service

router = APIRouter()


@router.get("/groups")
def groups_page(request: Request, session: SessionDep, _: RegistryReader):
    groups = service.all_groups(session)
    return {"groups": [g.name for g in groups]}
