"""The governance structure: the tree of groups and each group's page; for admins, adding a
group and changing its details (name, kind, remit, the group it reports to, code, Place).

Both doors share the registry service and the API's own checks (GroupCreate); the service refuses
a parent that would put a group below itself, and the form says so in plain words. A group keeps
its address (slug) when renamed, so links to it keep working.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from api import authz
from api.access import access_to
from api.authz import Subject
from api.core.errors import Conflict, InvalidInput
from api.dashboards.service import group_business
from api.deps import SessionDep
from api.meetings import documents, meetings
from api.registry import service as registry
from api.registry.models import Group
from api.registry.schemas import GROUP_KINDS, GroupCreate
from web.auth import RegistryViewer, csrf_protected, page_requires
from web.forms import attempt, changed_fields, field_errors, form_id
from web.labels import GROUP_KIND_LABELS
from web.templating import render

router = APIRouter()

Slug = Annotated[str, Path(max_length=80, pattern=r"^[a-z0-9-]+$")]
RegistryAdmin = Annotated[Subject, Depends(page_requires(authz.may_manage_registry))]
RegistryChange = Annotated[Subject, Depends(csrf_protected(authz.may_manage_registry))]
Field = Annotated[str, Form(max_length=1_000)]
LongField = Annotated[str, Form(max_length=10_000)]

FIELDS = ("name", "kind", "remit", "parent_id", "code", "place_code")
LABELS = {"name": "Name", "kind": "Kind of group", "remit": "Remit", "parent_id": "Reports to", "code": "Code",
          "place_code": "Place"}
# The service's words, said the way the form does.
PLAIN = {
    "parent_id": "A group cannot report to itself or to one of the groups below it: choose another group",
    "code": "Enter a code of 2 to 12 capital letters and digits, starting with a letter, like PAB",
    "remit": "The remit must be 5,000 characters or fewer",
}
CHANGED_MEANWHILE = ("Someone else changed this group's details after you opened the form. The form now shows "
                     "them as they are: make your changes again.")
NOTICES = {"added": "Group added.", "changed": "Details saved."}
# Addresses under /groups/ that are pages, not groups: a group named "New" gets "new-group".
RESERVED_SLUGS = {"new"}


@router.get("/groups")
def groups_page(request: Request, session: SessionDep, subject: RegistryViewer):
    return render(request, "pages/groups/index.html",
                  {"title": "Groups", "nav": "groups", "tree": registry.group_tree(session),
                   "can_manage": authz.may_manage_registry(subject)})


# Adding and changing a group (before /groups/{slug}, which "new" would otherwise match) --------

def _errors(error: InvalidInput | ValidationError) -> dict[str, str]:
    messages = field_errors(error, LABELS)
    return {field: PLAIN.get(field, message) for field, message in messages.items()}


def _checked(session, form: dict[str, str], group: Group | None) -> tuple[dict[str, Any], dict[str, str]]:
    """The group's fields from the form, each mistake in plain words, all at once."""
    errors: dict[str, str] = {}
    name = " ".join(form["name"].split())
    if not name:
        errors["name"] = "Enter the group's name"
    elif len(name) > 200:
        errors["name"] = "The name must be 200 characters or fewer"
    if form["kind"] not in GROUP_KINDS:
        errors["kind"] = "Choose the kind of group"
    remit = form["remit"].strip()
    if len(remit) > 5000:
        errors["remit"] = PLAIN["remit"]
    parent_id = form_id(form["parent_id"]) if form["parent_id"] else None
    if form["parent_id"] and parent_id not in {g.id for g in registry.all_groups(session)}:
        errors["parent_id"] = "Choose a group from the list, or none"
    code = form["code"].strip().upper()
    place_code = form["place_code"].strip()
    if place_code and place_code not in registry.place_names(session):
        errors["place_code"] = "Choose one of the nine Places, or none"
    data = {"name": name, "kind": form["kind"], "remit": remit, "parent_id": parent_id, "code": code or None,
            "place_code": place_code or None}
    if not errors:
        try:  # the API's own checks too, so that both doors accept the same groups
            checked = GroupCreate(**data).model_dump(exclude={"slug"})
        except ValidationError as error:
            errors = _errors(error)
        else:
            data = checked
    if group is None and not errors and registry.slugify(name) in RESERVED_SLUGS:
        data["slug"] = f"{registry.slugify(name)}-group"
    return data, errors


def _conflict(error: Conflict, data: dict[str, Any]) -> dict[str, str]:
    if "with code" in error.detail:
        return {"code": f"Another group has the code {data['code']}"}
    return {"name": f"A group called {data['name']}, or a name very like it, already exists"}


def _form_page(request: Request, session, *, group: Group | None, form: dict[str, str],
               errors: dict[str, str] | None = None, status: int = 200):
    title = f"Change {group.name}'s details" if group else "Add a group"
    parents = [(g.id, g.name) for g in registry.all_groups(session) if group is None or g.id != group.id]
    return render(request, "pages/groups/form.html", {
        "title": f"Error: {title}" if errors else title, "heading": title, "nav": "groups", "group": group,
        "form": form, "errors": errors or {}, "parent_options": parents,
        "kind_options": [(kind, GROUP_KIND_LABELS[kind]) for kind in GROUP_KINDS],
        "place_options": sorted(registry.place_names(session).items(), key=lambda item: item[1])}, status=status)


def _form_of(group: Group) -> dict[str, str]:
    return {"name": group.name, "kind": group.kind, "remit": group.remit, "parent_id": str(group.parent_id or ""),
            "code": group.code or "", "place_code": group.place_code or "", "version": str(group.version)}


@router.get("/groups/new")
def new_group_page(request: Request, session: SessionDep, _: RegistryAdmin):
    return _form_page(request, session, group=None, form=dict.fromkeys(FIELDS, ""))


@router.post("/groups/new")
def add_group(request: Request, session: SessionDep, actor: RegistryChange, name: Field = "", kind: Field = "",
              remit: LongField = "", parent_id: Field = "", code: Field = "", place_code: Field = ""):
    form = {"name": name, "kind": kind, "remit": remit, "parent_id": parent_id, "code": code, "place_code": place_code}
    data, errors = _checked(session, form, None)
    if not errors:
        made, errors = attempt(session, lambda: registry.create_group(session, actor=actor, data=data),
                               conflict=lambda error: _conflict(error, data), invalid=_errors)
        if made is not None:
            return RedirectResponse(f"/groups/{made.slug}?done=added", status_code=303)
    return _form_page(request, session, group=None, form=form, errors=errors, status=422)


@router.get("/groups/{slug}/edit")
def edit_group_page(request: Request, session: SessionDep, _: RegistryAdmin, slug: Slug):
    group = registry.get_group_by_slug(session, slug)
    return _form_page(request, session, group=group, form=_form_of(group))


@router.post("/groups/{slug}/edit")
def change_group(request: Request, session: SessionDep, actor: RegistryChange, slug: Slug, name: Field = "",
                 kind: Field = "", remit: LongField = "", parent_id: Field = "", code: Field = "",
                 place_code: Field = "", version: Field = ""):
    group = registry.get_group_by_slug(session, slug)
    form = {"name": name, "kind": kind, "remit": remit, "parent_id": parent_id, "code": code,
            "place_code": place_code, "version": version}
    if version != str(group.version):
        return _form_page(request, session, group=group, form=_form_of(group), status=409,
                          errors={"group-form": CHANGED_MEANWHILE})
    data, errors = _checked(session, form, group)
    if not errors:
        changes = changed_fields(group, data)
        saved, errors = attempt(session, lambda: registry.update_group(session, actor=actor, group=group,
                                                                       changes=changes),
                                conflict=lambda error: _conflict(error, data), invalid=_errors)
        if saved is not None:
            return RedirectResponse(f"/groups/{group.slug}?done=changed", status_code=303)
    return _form_page(request, session, group=group, form=form, errors=errors, status=422)


# A group's page ---------------------------------------------------------------------------------


@router.get("/groups/{slug}")
def group_page(request: Request, session: SessionDep, subject: RegistryViewer, slug: Slug,
               former: Annotated[bool, Query()] = False, done: Annotated[str | None, Query(max_length=20)] = None):
    group = registry.get_group_by_slug(session, slug)
    context = {
        "title": group.name, "nav": "groups", "group": group, "show_former": former,
        "notice": NOTICES.get(done or ""), "can_manage_registry": authz.may_manage_registry(subject),
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
