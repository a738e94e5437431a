"""The agenda on a meeting's page, for the group's chair, vice chair and secretary (and admins):
add an item or the group's standing items, change an item, move it up or down, remove it after a
confirmation page; and the group's standing items (the template agendas start from) on a page of
their own. The rules are the services' (api/meetings/agenda.py, standing.py).

Every form works without JavaScript (303 back to the page, at the changed item, or the page again
with 422 and the typed text kept); with htmx only the agenda section comes back, the message names
the item, and focus moves to the item's heading. After a successful add the form is empty again.
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from api.access import access_to, ensure_manager
from api.core.db import savepoint
from api.core.errors import Conflict, InvalidInput
from api.core.schemas import Id
from api.deps import SessionDep
from api.meetings import agenda, standing
from api.meetings.schemas import AgendaItemCreate, AgendaItemUpdate, StandingItemEntry
from api.registry import service as registry
from web.auth import GroupBusinessViewer, ReaderChangingGroupBusiness
from web.confirming import confirm_page
from web.forms import plain
from web.routes.groups import Slug
from web.routes.meeting_edit import FormProblem, _mapped, _meeting_item, _officer_access, _seated, answer
from web.templating import is_fragment_request, render

router = APIRouter()

Short = Annotated[str, Form(max_length=2_000)]
Direction = Annotated[Literal["up", "down"], Form()]

ITEM_FIELDS = {"title": ("title", "Title"), "ref": ("ref", "Reference"), "lead_id": ("lead", "Lead"),
               "purpose": ("purpose", "Purpose")}


def _item_fields(prefix: str) -> dict[str, tuple[str, str]]:
    return {name: (f"{prefix}-{suffix}", label) for name, (suffix, label) in ITEM_FIELDS.items()}


def _lead(session, meeting, title: str, lead_id: str, fields: dict[str, tuple[str, str]],
          keep: int | None = None) -> tuple[int | None, dict[str, str]]:
    """The chosen lead, and every mistake in the item's title and lead at once."""
    lead, problems = _seated(session, meeting, lead_id, "lead_id", fields, keep)
    if not title.strip():
        problems = {fields["title"][0]: "Enter a title for the agenda item", **problems}
    return lead, problems


def _answer(request: Request, session, subject, meeting_id: int, **kwargs):
    """The agenda section's answer; focus on its heading unless the change names an item."""
    return answer(request, session, subject, meeting_id, **{"section": "agenda", "focus": "agenda-heading", **kwargs})


def _named(item) -> str:
    return f"{item.ref} \u2018{item.title}\u2019"


# A meeting's agenda -------------------------------------------------------------------------------

@router.post("/meetings/{meeting_id}/agenda-items")
def add_item(meeting_id: Id, request: Request, session: SessionDep, subject: ReaderChangingGroupBusiness,
             title: Short = "", ref: Short = "", lead_id: Short = "", purpose: Short = "",
             confidential: Short = ""):
    meeting, access = _officer_access(session, subject, meeting_id, "change an agenda")
    fields = _item_fields("new-item")
    form = {"new-item-title": title, "new-item-ref": ref, "new-item-lead": lead_id, "new-item-purpose": purpose,
            "new-item-confidential": bool(confidential)}
    errors, item = {}, None
    try:
        lead, problems = _lead(session, meeting, title, lead_id, fields)
        if problems:
            raise FormProblem(problems)
        data = AgendaItemCreate(title=title, ref=ref.strip() or None, lead_id=lead, purpose=purpose,
                                confidential=bool(confidential))
        with savepoint(session):
            item = agenda.add_agenda_item(session, access=access, meeting=meeting, data=data.model_dump())
    except FormProblem as problem:
        errors = problem.errors
    except (ValidationError, InvalidInput, Conflict) as error:
        errors = _mapped(error, fields, "new-item-ref" if isinstance(error, Conflict) and "already has" in error.detail
                         else "new-item-title")
    if item is None:
        return _answer(request, session, subject, meeting_id, notice_key="item-added", errors=errors, form=form)
    return _answer(request, session, subject, meeting_id, notice_key="item-added",
                   notice=f"Agenda item {item.ref} added.", focus=f"item-{item.id}-heading")


@router.post("/meetings/{meeting_id}/agenda-items/standing")
def add_standing_items(meeting_id: Id, request: Request, session: SessionDep, subject: ReaderChangingGroupBusiness):
    meeting, access = _officer_access(session, subject, meeting_id, "change an agenda")
    try:
        with savepoint(session):
            added = standing.add_standing_items(session, access=access, meeting=meeting)
    except (InvalidInput, Conflict) as error:
        return _answer(request, session, subject, meeting_id, notice_key="standing-added",
                       errors={"standing-items": f"The standing items were not added: {error.detail}"})
    if not added:
        return _answer(request, session, subject, meeting_id, notice_key="standing-none",
                       notice="The agenda already has every standing item.")
    words = "1 standing item" if len(added) == 1 else f"{len(added)} standing items"
    return _answer(request, session, subject, meeting_id, notice_key="standing-added",
                   notice=f"{words} added to the agenda: {added[0].ref} to {added[-1].ref}."
                   if len(added) > 1 else f"{words} added to the agenda: {added[0].ref}.",
                   focus=f"item-{added[0].id}-heading")


@router.post("/meetings/{meeting_id}/agenda-items/{item_id}")
def change_item(meeting_id: Id, item_id: Id, request: Request, session: SessionDep,
                subject: ReaderChangingGroupBusiness, title: Short = "", lead_id: Short = "", purpose: Short = ""):
    meeting, access = _officer_access(session, subject, meeting_id, "change an agenda")
    item = _meeting_item(session, meeting, item_id)
    prefix = f"item-{item.id}"
    form = {f"{prefix}-title": title, f"{prefix}-lead": lead_id, f"{prefix}-purpose": purpose}
    errors = {}
    try:
        lead, problems = _lead(session, meeting, title, lead_id, _item_fields(prefix), keep=item.lead_id)
        if problems:
            raise FormProblem(problems)
        changes = AgendaItemUpdate(title=title, lead_id=lead, purpose=purpose).model_dump()
        with savepoint(session):
            agenda.update_agenda_item(session, access=access, item=item, changes={
                key: changes[key] for key in ("title", "lead_id", "purpose")})
    except FormProblem as problem:
        errors = problem.errors
    except (ValidationError, InvalidInput, Conflict) as error:
        errors = _mapped(error, _item_fields(prefix), f"{prefix}-title")
    return _answer(request, session, subject, meeting_id, notice_key="item-changed",
                   notice=f"Agenda item {item.ref} changed.", focus=f"{prefix}-heading", errors=errors, form=form)


@router.post("/meetings/{meeting_id}/agenda-items/{item_id}/move")
def move_item(meeting_id: Id, item_id: Id, request: Request, session: SessionDep,
              subject: ReaderChangingGroupBusiness, direction: Direction):
    meeting, access = _officer_access(session, subject, meeting_id, "change an agenda")
    item = _meeting_item(session, meeting, item_id)
    prefix = f"item-{item.id}"
    try:
        with savepoint(session):
            agenda.move(session, access=access, meeting=meeting, item=item, by=-1 if direction == "up" else 1)
    except (InvalidInput, Conflict) as error:
        return _answer(request, session, subject, meeting_id, notice_key="item-moved",
                       errors={f"{prefix}-move": f"This item cannot be moved: {error.detail}"})
    return _answer(request, session, subject, meeting_id, notice_key="item-moved",
                   notice=f"\u2018{item.title}\u2019 moved {direction}: it is now item {item.ref}.",
                   focus=f"{prefix}-heading")


def _confirm_page(request: Request, session, meeting, access, item, *, error: str | None = None, status: int = 200):
    blocker = error or agenda.removal_blocker(session, item)
    back = f"/meetings/{meeting.id}#item-{item.id}-heading"
    return confirm_page(
        request, meeting, title=f"Remove agenda item {item.ref}",
        question=f"Are you sure you want to remove item {item.ref} \u2018{item.title}\u2019?",
        details=["This cannot be undone. The generated references of the items after it are renumbered to close "
                 "the gap."],
        action=f"/meetings/{meeting.id}/agenda-items/{item.id}/remove", button=f"Remove item {item.ref}",
        cancel=back, error=error, status=status,
        blocked="The item was not removed." if error else blocker and (
            f"This item cannot be removed: {blocker[:1].lower()}{blocker[1:]}"))


@router.get("/meetings/{meeting_id}/agenda-items/{item_id}/remove")
def confirm_remove_item(meeting_id: Id, item_id: Id, request: Request, session: SessionDep,
                        subject: GroupBusinessViewer):
    """Are you sure? A page of its own, so that it works without JavaScript."""
    meeting, access = _officer_access(session, subject, meeting_id, "change an agenda")
    item = _meeting_item(session, meeting, item_id)
    return _confirm_page(request, session, meeting, access, item)


@router.post("/meetings/{meeting_id}/agenda-items/{item_id}/remove")
def remove_item(meeting_id: Id, item_id: Id, request: Request, session: SessionDep,
                subject: ReaderChangingGroupBusiness):
    meeting, access = _officer_access(session, subject, meeting_id, "change an agenda")
    item = _meeting_item(session, meeting, item_id)
    named = _named(item)
    try:
        with savepoint(session):
            agenda.delete_agenda_item(session, access=access, item=item)
    except Conflict as error:
        detail = error.detail[:1].lower() + error.detail[1:]
        message = f"This item cannot be removed: {detail}"
        if is_fragment_request(request):
            return _answer(request, session, subject, meeting_id, notice_key="item-removed",
                           errors={f"item-{item_id}-remove": message})
        return _confirm_page(request, session, meeting, access, item, error=message, status=422)
    return _answer(request, session, subject, meeting_id, notice_key="item-removed",
                   notice=f"Agenda item {named} removed.")


# A group's standing items -------------------------------------------------------------------------

STANDING_NOTICES = {"added": "Standing item added.", "changed": "Standing item changed.",
                    "moved": "Standing item moved.", "removed": "Standing item removed."}
STALE = ("The standing items changed since this page was loaded (someone else may be editing them), so "
         "nothing was changed. Here they are as they stand now.")


def _group_officer(session, subject, slug: str):
    group = registry.get_group_by_slug(session, slug)
    access = access_to(session, subject, group.id)
    ensure_manager(session, access, "change the standing agenda")
    return group, access


def _standing_page(request: Request, session, group, *, notice: str | None = None, errors: dict | None = None,
                   form: dict | None = None, status: int = 200):
    items, default = standing.standing_items(session, group_id=group.id)
    title = f"Standing agenda items: {group.name}"
    return render(request, "pages/groups/standing_items.html", {
        "title": f"Error: {title}" if errors else title, "nav": "groups", "group": group, "items": items,
        "default": default, "notice": notice, "errors": errors or {}, "form": form or {},
        "limit": standing.MAX_STANDING_ITEMS}, status=status)


@router.get("/groups/{slug}/standing-items")
def standing_items_page(slug: Slug, request: Request, session: SessionDep, subject: GroupBusinessViewer,
                        done: Annotated[str | None, Query(max_length=20)] = None):
    group, _ = _group_officer(session, subject, slug)
    return _standing_page(request, session, group, notice=STANDING_NOTICES.get(done or ""))


def _save_standing(request: Request, session, group, access, items: list[dict], *, done: str, anchor: str,
                   field: str, form: dict | None = None):
    """Replace the list; back to the page at `anchor`, or the page with the error on `field`."""
    try:
        with savepoint(session):
            standing.replace_standing_items(session, access=access, items=items)
    except InvalidInput as error:
        messages = [e["msg"] for e in (error.errors or [])] or [error.detail]
        return _standing_page(request, session, group, errors={field: plain(messages[0], "Title")}, form=form,
                              status=422)
    return RedirectResponse(f"/groups/{group.slug}/standing-items?done={done}#{anchor}", status_code=303)


def _entry(title: str, purpose: str, prefix: str) -> tuple[dict | None, dict]:
    """A standing item from a form, or its field errors."""
    if not title.strip():
        return None, {f"{prefix}-title": "Enter a title for the standing item"}
    try:
        return StandingItemEntry(title=title, purpose=purpose).model_dump(), {}
    except ValidationError as error:
        labels = {"title": "Title", "purpose": "Purpose"}
        found = _mapped(error, {name: (f"{prefix}-{name}", label) for name, label in labels.items()},
                        f"{prefix}-title")
        return None, found


def _current(session, group, number: int, was: str) -> list[dict] | None:
    """The list as it stands, if item `number` is still the one titled `was` (None: it changed)."""
    items, _ = standing.standing_items(session, group_id=group.id)
    if not 1 <= number <= len(items) or items[number - 1]["title"] != was:
        return None
    return items


@router.post("/groups/{slug}/standing-items")
def add_standing_item(slug: Slug, request: Request, session: SessionDep, subject: ReaderChangingGroupBusiness,
                      title: Short = "", purpose: Short = ""):
    group, access = _group_officer(session, subject, slug)
    form = {"new-standing-title": title, "new-standing-purpose": purpose}
    entry, errors = _entry(title, purpose, "new-standing")
    items, _ = standing.standing_items(session, group_id=group.id)
    if len(items) >= standing.MAX_STANDING_ITEMS:
        errors = {"new-standing-title": f"A group has at most {standing.MAX_STANDING_ITEMS} standing items"}
    if errors:
        return _standing_page(request, session, group, errors=errors, form=form, status=422)
    return _save_standing(request, session, group, access, [*items, entry], done="added",
                          anchor=f"standing-{len(items) + 1}", field="new-standing-title", form=form)


@router.post("/groups/{slug}/standing-items/{number}")
def change_standing_item(slug: Slug, number: Id, request: Request, session: SessionDep,
                         subject: ReaderChangingGroupBusiness, title: Short = "", purpose: Short = "",
                         was: Short = ""):
    group, access = _group_officer(session, subject, slug)
    prefix = f"standing-{number}"
    form = {f"{prefix}-title": title, f"{prefix}-purpose": purpose}
    items = _current(session, group, number, was)
    if items is None:
        return _standing_page(request, session, group, errors={"standing-heading": STALE}, status=409)
    entry, errors = _entry(title, purpose, prefix)
    if errors:
        return _standing_page(request, session, group, errors=errors, form=form, status=422)
    items[number - 1] = entry
    return _save_standing(request, session, group, access, items, done="changed", anchor=prefix,
                          field=f"{prefix}-title", form=form)


@router.post("/groups/{slug}/standing-items/{number}/move")
def move_standing_item(slug: Slug, number: Id, request: Request, session: SessionDep,
                       subject: ReaderChangingGroupBusiness, direction: Direction, was: Short = ""):
    group, access = _group_officer(session, subject, slug)
    items = _current(session, group, number, was)
    if items is None:
        return _standing_page(request, session, group, errors={"standing-heading": STALE}, status=409)
    to = max(1, min(len(items), number + (-1 if direction == "up" else 1)))
    items.insert(to - 1, items.pop(number - 1))
    return _save_standing(request, session, group, access, items, done="moved", anchor=f"standing-{to}",
                          field="standing-heading")


@router.get("/groups/{slug}/standing-items/{number}/remove")
def confirm_remove_standing_item(slug: Slug, number: Id, request: Request, session: SessionDep,
                                 subject: GroupBusinessViewer, was: Annotated[str, Query(max_length=2_000)] = ""):
    """The confirmation step before a standing item is removed (the page's Remove button leads here)."""
    group, _ = _group_officer(session, subject, slug)
    items = _current(session, group, number, was)
    return confirm_page(
        request, title="Remove a standing item", question=f"Remove standing item {number}, \u2018{was}\u2019?",
        details=["The agendas of meetings already planned keep it; agendas started from now on will not have it."],
        action=f"/groups/{group.slug}/standing-items/{number}/remove", button="Remove standing item",
        cancel=f"/groups/{group.slug}/standing-items#standing-{number}", fields={"was": was},
        blocked=STALE if items is None else None, caption=group.name, nav="groups", back="Back to the standing items",
        crumbs=[("/groups", "Groups"), (f"/groups/{group.slug}", group.name),
                (f"/groups/{group.slug}/standing-items", "Standing agenda items")])


@router.post("/groups/{slug}/standing-items/{number}/remove")
def remove_standing_item(slug: Slug, number: Id, request: Request, session: SessionDep,
                         subject: ReaderChangingGroupBusiness, was: Short = ""):
    group, access = _group_officer(session, subject, slug)
    items = _current(session, group, number, was)
    if items is None:
        return _standing_page(request, session, group, errors={"standing-heading": STALE}, status=409)
    items.pop(number - 1)
    return _save_standing(request, session, group, access, items, done="removed", anchor="standing-heading",
                          field="standing-heading")
