"""HTTP for the registry: parse, call the service, shape the response."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from starlette.datastructures import UploadFile

from api.core.db import get_or_404
from api.core.errors import Conflict, InvalidInput
from api.core.http import Precondition, check_if_match, conditional_get, created, etag_of
from api.core.pagination import Page, PageDep, set_next_link
from api.core.schemas import SINGLE_LINE, Id
from api.core.uploads import too_large
from api.deps import BodiesReader, RegistryManager, RegistryReader, SessionDep
from api.registry import membership_import, service
from api.registry.current import is_current
from api.registry.models import Group, Membership, Organisation, Stakeholder
from api.registry.schemas import (
    AreaKind,
    AreaRead,
    GroupCreate,
    GroupKind,
    GroupRead,
    GroupUpdate,
    MembershipCreate,
    MembershipRead,
    MembershipUpdate,
    OrganisationCreate,
    OrganisationRead,
    OrganisationUpdate,
    Role,
    Sector,
    StakeholderCreate,
    StakeholderRead,
    StakeholderUpdate,
    SystemLeaderLevel,
)

router = APIRouter()

GssPath = Annotated[str, Path(pattern=r"^[EWSN]\d{8}$")]
Q = Annotated[str | None, Query(max_length=100, description="Case-insensitive part of the name"), SINGLE_LINE]
GssQuery = Annotated[str | None, Query(pattern=r"^[EWSN]\d{8}$")]
def _membership_read(membership: Membership, name: str) -> MembershipRead:
    return MembershipRead(**membership.model_dump(), stakeholder_name=name,
                          is_current=is_current(membership))


# Areas and Places ---------------------------------------------------------------------------

@router.get("/areas", response_model=Page[AreaRead], tags=["registry"])
def list_areas(session: SessionDep, _: BodiesReader, kind: AreaKind | None = None):
    """Every area the data uses: Places, Active Partnership areas, the subregion, England."""
    return Page(items=service.list_areas(session, kind=kind), next_cursor=None)


@router.get("/places", response_model=Page[AreaRead], tags=["registry"])
def list_places(session: SessionDep, _: BodiesReader):
    """The nine Places (local authority areas) of Cheshire and Merseyside."""
    return Page(items=service.list_areas(session, kind="place"), next_cursor=None)


@router.get("/places/{gss_code}", response_model=AreaRead, tags=["registry"])
def get_place(gss_code: GssPath, session: SessionDep, _: BodiesReader):
    return service.get_place(session, gss_code)


# Organisations ------------------------------------------------------------------------------

@router.get("/organisations", response_model=Page[OrganisationRead], tags=["registry"])
def list_organisations(request: Request, response: Response, session: SessionDep, _: BodiesReader,
                       page: PageDep, sector: Sector | None = None, place_code: GssQuery = None, q: Q = None):
    rows, cursor = service.list_organisations(session, page=page, sector=sector, place_code=place_code, q=q)
    set_next_link(request, response, cursor)
    return Page(items=rows, next_cursor=cursor)


@router.post("/organisations", response_model=OrganisationRead, status_code=201, tags=["registry"])
def create_organisation(body: OrganisationCreate, request: Request, response: Response,
                        session: SessionDep, actor: RegistryManager):
    org = service.create_organisation(session, actor=actor, data=body.model_dump())
    created(request, response, org, "get_organisation", organisation_id=org.id)
    return org


@router.get("/organisations/{organisation_id}", response_model=OrganisationRead, tags=["registry"])
def get_organisation(organisation_id: Id, request: Request, response: Response,
                     session: SessionDep, _: BodiesReader):
    org = get_or_404(session, Organisation, organisation_id, "organisation")
    conditional_get(request, response, org)
    return org


@router.patch("/organisations/{organisation_id}", response_model=OrganisationRead, tags=["registry"],
              responses=Precondition)
def update_organisation(organisation_id: Id, body: OrganisationUpdate, request: Request,
                        response: Response, session: SessionDep, actor: RegistryManager):
    org = get_or_404(session, Organisation, organisation_id, "organisation")
    check_if_match(request, org)
    org = service.update_organisation(session, actor=actor, organisation=org, changes=body.changes())
    response.headers["ETag"] = etag_of(org)
    return org


@router.delete("/organisations/{organisation_id}", status_code=204, tags=["registry"], responses=Precondition)
def delete_organisation(organisation_id: Id, request: Request, session: SessionDep, actor: RegistryManager):
    org = get_or_404(session, Organisation, organisation_id, "organisation")
    check_if_match(request, org)
    service.delete_organisation(session, actor=actor, organisation=org)
    return Response(status_code=204)


# Stakeholders -------------------------------------------------------------------------------

@router.get("/stakeholders", response_model=Page[StakeholderRead], tags=["registry"])
def list_stakeholders(request: Request, response: Response, session: SessionDep, _: RegistryReader,
                      page: PageDep, organisation_id: Id | None = None,
                      place_code: GssQuery = None, group_id: Id | None = None,
                      system_leader_level: SystemLeaderLevel | None = None, q: Q = None):
    """People, alphabetically; `group_id` keeps the current members of that group."""
    rows, cursor = service.list_stakeholders(
        session, page=page, organisation_id=organisation_id, place_code=place_code,
        group_id=group_id, system_leader_level=system_leader_level, q=q,
    )
    set_next_link(request, response, cursor)
    return Page(items=rows, next_cursor=cursor)


@router.post("/stakeholders", response_model=StakeholderRead, status_code=201, tags=["registry"])
def create_stakeholder(body: StakeholderCreate, request: Request, response: Response,
                       session: SessionDep, actor: RegistryManager):
    person = service.create_stakeholder(session, actor=actor, data=body.model_dump())
    created(request, response, person, "get_stakeholder", stakeholder_id=person.id)
    return person


@router.get("/stakeholders/{stakeholder_id}", response_model=StakeholderRead, tags=["registry"])
def get_stakeholder(stakeholder_id: Id, request: Request, response: Response,
                    session: SessionDep, _: RegistryReader):
    person = get_or_404(session, Stakeholder, stakeholder_id, "stakeholder")
    conditional_get(request, response, person)
    return person


@router.patch("/stakeholders/{stakeholder_id}", response_model=StakeholderRead, tags=["registry"],
              responses=Precondition)
def update_stakeholder(stakeholder_id: Id, body: StakeholderUpdate, request: Request,
                       response: Response, session: SessionDep, actor: RegistryManager):
    person = get_or_404(session, Stakeholder, stakeholder_id, "stakeholder")
    check_if_match(request, person)
    person = service.update_stakeholder(session, actor=actor, stakeholder=person, changes=body.changes())
    response.headers["ETag"] = etag_of(person)
    return person


# DELETE /stakeholders/{id} is in api/router.py: whether a person may be deleted depends on the
# records every domain keeps about them (api/privacy.py).


# Groups -------------------------------------------------------------------------------------

def _group_read(group: Group, count: int) -> GroupRead:
    return GroupRead(**group.model_dump(), member_count=count)


@router.get("/groups", response_model=Page[GroupRead], tags=["registry"])
def list_groups(request: Request, response: Response, session: SessionDep, _: BodiesReader,
                page: PageDep, kind: GroupKind | None = None,
                parent_id: Id | None = None, q: Q = None):
    rows, cursor = service.list_groups(session, page=page, kind=kind, parent_id=parent_id, q=q)
    counts = service.member_counts(session, [g.id for g in rows])
    set_next_link(request, response, cursor)
    return Page(items=[_group_read(g, counts.get(g.id, 0)) for g in rows], next_cursor=cursor)


@router.post("/groups", response_model=GroupRead, status_code=201, tags=["registry"])
def create_group(body: GroupCreate, request: Request, response: Response,
                 session: SessionDep, actor: RegistryManager):
    group = service.create_group(session, actor=actor, data=body.model_dump())
    created(request, response, group, "get_group", group_id=group.id)
    return _group_read(group, 0)


@router.get("/groups/{group_id}", response_model=GroupRead, tags=["registry"])
def get_group(group_id: Id, request: Request, response: Response, session: SessionDep, _: BodiesReader):
    group = get_or_404(session, Group, group_id, "group")
    conditional_get(request, response, group)
    return _group_read(group, service.member_counts(session, [group.id]).get(group.id, 0))


@router.patch("/groups/{group_id}", response_model=GroupRead, tags=["registry"], responses=Precondition)
def update_group(group_id: Id, body: GroupUpdate, request: Request, response: Response,
                 session: SessionDep, actor: RegistryManager):
    group = get_or_404(session, Group, group_id, "group")
    check_if_match(request, group)
    group = service.update_group(session, actor=actor, group=group, changes=body.changes())
    response.headers["ETag"] = etag_of(group)
    return _group_read(group, service.member_counts(session, [group.id]).get(group.id, 0))


# Memberships --------------------------------------------------------------------------------

@router.get("/groups/{group_id}/memberships", response_model=Page[MembershipRead], tags=["registry"])
def list_memberships(group_id: Id, request: Request, response: Response, session: SessionDep,
                     _: RegistryReader, page: PageDep, include_ended: bool = False, role: Role | None = None,
                     stakeholder_id: Id | None = None):
    """Current memberships of a group; `include_ended=true` adds the ended ones (history)."""
    get_or_404(session, Group, group_id, "group")
    rows, cursor = service.list_memberships(session, group_id=group_id, page=page, include_ended=include_ended,
                                            role=role, stakeholder_id=stakeholder_id)
    set_next_link(request, response, cursor)
    return Page(items=[_membership_read(m, name) for m, name in rows], next_cursor=cursor)


@router.post("/groups/{group_id}/memberships", response_model=MembershipRead, status_code=201,
             tags=["registry"], responses={409: {"description": "Overlaps an existing membership"}})
def create_membership(group_id: Id, body: MembershipCreate, request: Request, response: Response,
                      session: SessionDep, actor: RegistryManager):
    group = get_or_404(session, Group, group_id, "group")
    membership = service.create_membership(session, actor=actor, group=group, data=body.model_dump())
    created(request, response, membership, "get_membership", membership_id=membership.id)
    return _membership_read(membership, service.stakeholder_name(session, membership.stakeholder_id))


@router.get("/memberships/{membership_id}", response_model=MembershipRead, tags=["registry"])
def get_membership(membership_id: Id, request: Request, response: Response,
                   session: SessionDep, _: RegistryReader):
    membership = get_or_404(session, Membership, membership_id, "membership")
    conditional_get(request, response, membership)
    return _membership_read(membership, service.stakeholder_name(session, membership.stakeholder_id))


@router.patch("/memberships/{membership_id}", response_model=MembershipRead, tags=["registry"],
              responses=Precondition)
def update_membership(membership_id: Id, body: MembershipUpdate, request: Request, response: Response,
                      session: SessionDep, actor: RegistryManager):
    """Change role or dates; ending a membership sets `end_date` and keeps the record."""
    membership = get_or_404(session, Membership, membership_id, "membership")
    check_if_match(request, membership)
    membership = service.update_membership(session, actor=actor, membership=membership, changes=body.changes())
    response.headers["ETag"] = etag_of(membership)
    return _membership_read(membership, service.stakeholder_name(session, membership.stakeholder_id))


async def _membership_csv(request: Request) -> str:
    """The CSV of a `text/csv` body or of a multipart `file` field: at most 1 MB of UTF-8 text."""
    limit = membership_import.MAX_BYTES
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise too_large(limit)
    content_type = request.headers.get("content-type", "")
    if content_type.lower().startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=5)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput("Send the CSV as the form field 'file'.",
                               errors=[{"loc": ["body", "file"], "msg": "Field required"}])
        membership_import.check_media_type(upload.content_type, upload.filename)
        data = await upload.read(limit + 1)
    else:
        membership_import.check_media_type(content_type)
        data = b""
        async for chunk in request.stream():
            data += chunk
            if len(data) > limit:
                break
    return membership_import.decode(data)


_CSV_BODY = {"requestBody": {"required": True, "content": {
    "text/csv": {"schema": {"type": "string"}, "example": "email,role,start_date,end_date\n"
                 "pat.example@example.org,member,2025-04-01,\nsam.example@example.org,,,2025-03-31\n"},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                       "properties": {"file": {"type": "string", "format": "binary"}}}}}}}


@router.post("/groups/{group_id}/memberships/import", response_model=membership_import.ImportResult,
             tags=["registry"], openapi_extra=_CSV_BODY, responses={
                 409: {"description": "`plan_digest` given and the plan is no longer the same; nothing written"},
                 413: {"description": "larger than 1 MB"},
                 415: {"description": "not CSV, or not UTF-8 text"},
                 422: {"description": "problems found: `errors: [{line, column, msg}]`; nothing written"}})
def import_memberships(group_id: Id, session: SessionDep, actor: RegistryManager,
                       text: Annotated[str, Depends(_membership_csv)], dry_run: bool = False,
                       plan_digest: Annotated[str | None, Query(pattern=r"^[0-9a-f]{64}$")] = None):
    """Add, change the role of, or end many memberships of a group from CSV (`email,role,
    start_date,end_date`; a row with `end_date` ends the person's seat). Send it as the body
    (`text/csv`) or as a multipart `file`. Every row is checked first; then all changes are
    written, audited, or none. `dry_run=true` answers the plan without writing; pass its `digest`
    back as `plan_digest` to apply only if the group's memberships still give the same plan."""
    group = get_or_404(session, Group, group_id, "group")
    plan = membership_import.plan(session, group=group, text=text)
    if not plan.ok:
        raise InvalidInput("The file has problems; nothing was changed.", errors=plan.errors)
    if plan_digest is not None and plan_digest != plan.digest:
        raise Conflict("The group's memberships have changed since that plan was made; nothing was changed. "
                       "Ask for a new dry run.")
    if not dry_run:
        membership_import.apply(session, actor=actor, group=group, plan=plan)
    return membership_import.result_of(plan, applied=not dry_run)
