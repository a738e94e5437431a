"""The governance structure: the tree of groups and each group's page."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from api import authz
from api.access import access_to
from api.dashboards.service import group_business
from api.deps import SessionDep
from api.meetings import documents, meetings
from api.registry import service as registry
from web.auth import RegistryViewer
from web.templating import render

router = APIRouter()

Slug = Annotated[str, Path(max_length=80, pattern=r"^[a-z0-9-]+$")]


@router.get("/groups")
def groups_page(request: Request, session: SessionDep, _: RegistryViewer):
    return render(request, "pages/groups/index.html",
                  {"title": "Groups", "nav": "groups", "tree": registry.group_tree(session)})


@router.get("/groups/{slug}")
def group_page(request: Request, session: SessionDep, subject: RegistryViewer, slug: Slug,
               former: Annotated[bool, Query()] = False):
    group = registry.get_group_by_slug(session, slug)
    context = {
        "title": group.name, "nav": "groups", "group": group, "show_former": former,
        "parents": registry.ancestors_of(session, group),
        "children": registry.children_of(session, group.id),
        "seats": registry.group_roster(session, group.id),
        "former_seats": registry.group_roster(session, group.id, ended=True) if former else [],
    }
    context["upcoming"], context["past"] = meetings.meetings_around(session, group.id)
    if authz.may_read_group_business(subject):
        # As the person may see it: confidential items and draft minutes only for its members.
        access = access_to(session, subject, group.id)
        context["business"] = group_business(session, access=access, group=group)
        context["documents"] = documents.recent_for_group(session, access=access, group_id=group.id)
        context["can_schedule"] = access.may_manage  # "Schedule a meeting" for officers and admins
    # The "show former members" control swaps just the members section.
    return render(request, "pages/groups/detail.html", context, block="members")
