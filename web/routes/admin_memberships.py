"""Administration of memberships: who sits on each group, in which role, since when.

Add a member, change a role (inline with htmx, or as plain forms that redirect back), end a
membership (after a confirmation page), read the group's membership history, and change many seats at once from a CSV
file after a preview of what would change. Every change goes through the registry service,
which audits it and keeps one seat per person at a time.
"""

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from api import authz
from api.authz import Subject
from api.core.db import savepoint
from api.core.errors import Conflict, InvalidInput, NotFound, ProblemError
from api.core.schemas import Id
from api.core.types import today
from api.core.uploads import size_text
from api.deps import SessionDep
from api.registry import history, membership_import
from api.registry import service as registry
from api.registry.models import Group, Membership
from api.registry.schemas import ROLES
from web.auth import csrf_protected, page_requires
from web.confirming import confirm_page
from web.forms import field_errors, form_id
from web.labels import MEMBERSHIP_CHANGE_LABELS, ROLE_LABELS
from web.templating import is_fragment_request, long_date, render

router = APIRouter(prefix="/admin/memberships")

RegistryAdmin = Annotated[Subject, Depends(page_requires(authz.may_manage_registry))]
RegistryChange = Annotated[Subject, Depends(csrf_protected(authz.may_manage_registry))]
Slug = Annotated[str, Path(max_length=80, pattern=r"^[a-z0-9-]+$")]
Done = Annotated[str | None, Query(max_length=20)]
HISTORY_SIZE = 50

# Messages shown after a change (the redirect names one, never free text from the URL).
NOTICES = {
    "added": "Member added.",
    "role": "Role changed.",
    "ended": "Membership ended.",
    "imported": "The changes from the file have been made.",
}
FIELDS = {"role": "Role", "start_date": "Start date", "end_date": "End date", "on_behalf_of_id": "On behalf of"}
ADD_LABELS = {"stakeholder_id": "Person", "role": "Role", "start_date": "Start date", "on_behalf_of_id": "On behalf of"}


def _role_options() -> list[tuple[str, str]]:
    return [(role, ROLE_LABELS[role]) for role in ROLES]


def _group(session, slug: str) -> Group:
    return registry.get_group_by_slug(session, slug)


def _seat(session, group: Group, membership_id: int) -> Membership:
    membership = session.get(Membership, membership_id)
    if membership is None or membership.group_id != group.id:
        raise NotFound(f"No membership {membership_id} in {group.name}.")
    return membership


def _date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None


# The list of groups ---------------------------------------------------------------------------

@router.get("")
def groups_page(request: Request, session: SessionDep, _: RegistryAdmin):
    groups = registry.all_groups(session)
    counts = registry.member_counts(session, [g.id for g in groups])
    return render(request, "pages/admin/memberships/index.html", {
        "title": "Memberships", "nav": "admin", "groups": groups, "counts": counts})


# One group's members --------------------------------------------------------------------------

def _history(session, group: Group, org_names: dict[int, str]) -> list[dict[str, Any]]:
    """The group's latest membership changes (api/registry/history.py), in the page's words."""

    def shown(field: str, value: Any) -> str:
        if value is None:
            return "none"
        if field == "role":
            return ROLE_LABELS.get(value, value)
        if field == "on_behalf_of_id":
            return org_names.get(value, f"organisation {value}")
        return long_date(value) if isinstance(value, date) else str(value)

    return [{"event": change.event, "what": MEMBERSHIP_CHANGE_LABELS[change.kind], "person": change.person,
             "at": long_date(change.event.occurred_at, "%H:%M"),
             "details": [(FIELDS[c.field], None if change.kind == "added" else shown(c.field, c.before),
                          shown(c.field, c.after)) for c in change.fields]}
            for change in history.for_group(session, group.id, limit=HISTORY_SIZE)]


def _group_page(request: Request, session, group: Group, *, errors: dict[str, str] | None = None,
                form: dict[str, Any] | None = None, notice: str | None = None, status: int = 200,
                block: str = "content"):
    """The members page in a constant number of queries, whatever the number of members."""
    people = registry.person_choices(session)
    organisations = registry.organisation_choices(session)
    org_names = dict(organisations)
    return render(request, "pages/admin/memberships/group.html", {
        "title": f"{'Error: ' if errors else ''}Members of {group.name}", "nav": "admin", "group": group,
        "seats": registry.group_roster(session, group.id),
        "person_options": [(i, f"{name} ({email})" if email else name) for i, name, email in people],
        "organisation_options": organisations, "role_options": _role_options(),
        "history": _history(session, group, org_names), "today": today(),
        "errors": errors or {}, "form": form or {}, "notice": notice,
        "fragment": block != "content",
    }, status=status, block=block)


@router.get("/{slug}")
def group_page(request: Request, session: SessionDep, _: RegistryAdmin, slug: Slug, done: Done = None):
    return _group_page(request, session, _group(session, slug), notice=NOTICES.get(done or ""))


@router.post("/{slug}/members")
def add_member(request: Request, session: SessionDep, actor: RegistryChange, slug: Slug,
               stakeholder_id: Annotated[str, Form(max_length=12)] = "",
               role: Annotated[str, Form(max_length=20)] = "",
               start_date: Annotated[str, Form(max_length=20)] = "",
               on_behalf_of_id: Annotated[str, Form(max_length=12)] = ""):
    group = _group(session, slug)
    form = {"stakeholder_id": stakeholder_id, "role": role, "start_date": start_date.strip(),
            "on_behalf_of_id": on_behalf_of_id}
    errors = {}
    if form_id(stakeholder_id) is None:
        errors["stakeholder_id"] = "Choose the person to add"
    if role not in ROLES:
        errors["role"] = "Choose a role"
    start = _date(start_date)
    if start is None:
        errors["start_date"] = "Enter the date the membership starts, like 2024-04-01"
    if on_behalf_of_id and form_id(on_behalf_of_id) is None:
        errors["on_behalf_of_id"] = "Choose an organisation from the list, or none"
    if not errors:
        try:
            registry.create_membership(session, actor=actor, group=group, data={
                "stakeholder_id": form_id(stakeholder_id), "role": role, "start_date": start, "end_date": None,
                "on_behalf_of_id": form_id(on_behalf_of_id)})
        except Conflict as exc:
            errors["stakeholder_id"] = exc.detail
        except InvalidInput as exc:
            errors = field_errors(exc, ADD_LABELS)
        else:
            return RedirectResponse(f"/admin/memberships/{group.slug}?done=added#members", status_code=303)
    return _group_page(request, session, group, errors=errors, form=form, status=422)


def _after_row_change(request: Request, session, group: Group, *, done: str, notice: str,
                      errors: dict[str, str], form: dict[str, Any]):
    """htmx swaps the members section (422 with the message beside the field); a plain form
    redirects back with a notice, or shows the page again with what was typed."""
    if is_fragment_request(request):
        return _group_page(request, session, group, errors=errors, form=form, block="members",
                           notice=None if errors else notice, status=422 if errors else 200)
    if errors:
        return _group_page(request, session, group, errors=errors, form=form, status=422)
    return RedirectResponse(f"/admin/memberships/{group.slug}?done={done}#members", status_code=303)


def _update(session, actor: Subject, membership: Membership, changes: dict[str, Any], key: str) -> dict[str, str]:
    try:
        registry.update_membership(session, actor=actor, membership=membership, changes=changes)
    except (Conflict, InvalidInput) as exc:
        # The service names the field at fault; say it in the page's words, not the API's.
        fields = {str(e.get("loc", ["", ""])[-1]) for e in (getattr(exc, "errors", None) or [])}
        if "end_date" in fields:
            return {key: f"The end date cannot be before the membership started ({membership.start_date:%d/%m/%Y})"}
        return {key: exc.detail}
    return {}


@router.post("/{slug}/members/{membership_id}/role")
def change_role(request: Request, session: SessionDep, actor: RegistryChange, slug: Slug, membership_id: Id,
                role: Annotated[str, Form(max_length=20)] = ""):
    group = _group(session, slug)
    membership = _seat(session, group, membership_id)
    key = f"role-{membership.id}"
    valid = role in ROLES
    errors = _update(session, actor, membership, {"role": role}, key) if valid else {key: "Choose a role"}
    name = registry.stakeholder_name(session, membership.stakeholder_id)
    label = ROLE_LABELS.get(role, role)
    return _after_row_change(request, session, group, done="role", errors=errors, form={key: role},
                             notice=f"{name} is now {label}.")


def _end_problem(membership: Membership, end: date | None) -> str | None:
    if end is None:
        return "Enter the date the membership ends, like 2024-04-01"
    if end < membership.start_date:  # the service's rule, asked first so the row shows it before the confirmation
        return f"The end date cannot be before the membership started ({membership.start_date:%d/%m/%Y})"
    return None


@router.get("/{slug}/members/{membership_id}/end")
def confirm_end(request: Request, session: SessionDep, _: RegistryAdmin, slug: Slug, membership_id: Id,
                end_date: Annotated[str, Query(max_length=20)] = ""):
    """The confirmation step for ending a membership (the row's End button leads here, with its date)."""
    group = _group(session, slug)
    membership = _seat(session, group, membership_id)
    end = _date(end_date)
    name = registry.stakeholder_name(session, membership.stakeholder_id)
    problem = _end_problem(membership, end)
    details = [] if problem else [
        f"The membership ends on {long_date(end)}." + (" They stay a member until then." if end > today() else ""),
        "It stays in the group's membership history, and in the minutes of the meetings they attended."]
    return confirm_page(
        request, title="End a membership", question=f"End {name}'s membership of {group.name}?",
        action=f"/admin/memberships/{group.slug}/members/{membership.id}/end", button="End membership",
        cancel=f"/admin/memberships/{group.slug}#members", details=details, blocked=problem,
        fields={"end_date": end.isoformat() if end else "", "confirmed": "yes"},
        caption=f"Members of {group.name}", nav="admin", back="Back to the members",
        crumbs=[("/admin", "Admin"), ("/admin/memberships", "Memberships"),
                (f"/admin/memberships/{group.slug}", f"Members of {group.name}")], status=422 if problem else 200)


@router.post("/{slug}/members/{membership_id}/end")
def end_membership(request: Request, session: SessionDep, actor: RegistryChange, slug: Slug, membership_id: Id,
                   end_date: Annotated[str, Form(max_length=20)] = "",
                   confirmed: Annotated[str, Form(max_length=5)] = ""):
    """The row's End button: a mistake in the date is answered in place (422); a good date goes on
    to the confirmation page, whose button (`confirmed`) ends the membership."""
    group = _group(session, slug)
    membership = _seat(session, group, membership_id)
    key = f"end-{membership.id}"
    end = _date(end_date)
    problem = _end_problem(membership, end)
    if problem is None and confirmed != "yes":
        target = f"/admin/memberships/{group.slug}/members/{membership.id}/end?{urlencode({'end_date': end})}"
        if is_fragment_request(request):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    errors = {key: problem} if problem else _update(session, actor, membership, {"end_date": end}, key)
    name = registry.stakeholder_name(session, membership.stakeholder_id)
    return _after_row_change(request, session, group, done="ended", errors=errors, form={key: end_date.strip()},
                             notice=f"{name}'s membership ended on {long_date(end)}.")


# Bulk changes from CSV ------------------------------------------------------------------------

def _import_page(request: Request, group: Group, *, plan: membership_import.Plan | None = None, text: str = "",
                 errors: dict[str, str] | None = None, notice: str | None = None, status: int = 200):
    return render(request, "pages/admin/memberships/import.html", {
        "title": f"{'Error: ' if errors or (plan and plan.errors) else ''}Change members of {group.name} from a file",
        "nav": "admin", "group": group, "plan": plan,
        "text": text, "errors": errors or {}, "notice": notice, "limit": size_text(membership_import.MAX_BYTES),
        "role_list": ", ".join(ROLES),
    }, status=status)


@router.get("/{slug}/import")
def import_page(request: Request, session: SessionDep, _: RegistryAdmin, slug: Slug):
    return _import_page(request, _group(session, slug))


def _uploaded_text(upload: UploadFile | None, pasted: str) -> str:
    """The CSV from the file field, else from the text box; ProblemError if unusable."""
    if upload is not None and upload.filename:
        membership_import.check_media_type(upload.content_type, upload.filename)
        return membership_import.decode(upload.file.read(membership_import.MAX_BYTES + 1))
    return membership_import.decode(pasted.encode())


@router.post("/{slug}/import")
def preview_import(request: Request, session: SessionDep, _: RegistryChange, slug: Slug,
                   file: Annotated[UploadFile | None, File()] = None,
                   csv_text: Annotated[str, Form(max_length=membership_import.MAX_BYTES)] = ""):
    """Show what the file would change; nothing is written here."""
    try:
        text = _uploaded_text(file, csv_text)
    except ProblemError as exc:
        return _import_page(request, _group(session, slug), text=csv_text, errors={"file": exc.detail}, status=422)
    return _preview(request, session, slug, text)


def _preview(request: Request, session, slug: str, text: str, *, notice: str | None = None, status: int = 200):
    group = _group(session, slug)
    if not text.strip():
        return _import_page(request, group, errors={"file": "Choose a CSV file, or paste its contents"},
                            status=422)
    plan = membership_import.plan(session, group=group, text=text)
    return _import_page(request, group, plan=plan, text=text, notice=notice,
                        status=status if plan.ok else 422)


@router.post("/{slug}/import/apply")
def apply_import(request: Request, session: SessionDep, actor: RegistryChange, slug: Slug,
                 csv_text: Annotated[str, Form(max_length=membership_import.MAX_BYTES)] = "",
                 digest: Annotated[str, Form(max_length=64)] = ""):
    """Make the previewed changes, all or none; if the plan is no longer the one previewed,
    show the new plan instead."""
    group = _group(session, slug)
    try:
        text = membership_import.decode(csv_text.encode())
    except ProblemError as exc:
        return _import_page(request, group, errors={"file": exc.detail}, status=422)
    plan = membership_import.plan(session, group=group, text=text)
    if not plan.ok:
        return _import_page(request, group, plan=plan, text=text, status=422)
    if plan.digest != digest:
        return _import_page(request, group, plan=plan, text=text, status=409, notice=(
            "The group's memberships changed after your preview, so the file would now make different changes. "
            "Nothing has been changed: check the new preview below."))
    try:
        with savepoint(session):
            membership_import.apply(session, actor=actor, group=group, plan=plan)
    except (Conflict, InvalidInput) as exc:
        return _import_page(request, group, plan=membership_import.plan(session, group=group, text=text),
                            text=text, errors={"file": exc.detail}, status=409)
    return RedirectResponse(f"/admin/memberships/{group.slug}?done=imported#members", status_code=303)
