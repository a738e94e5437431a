"""Mail for admins: whether the service can send, how many messages are in each state, what
waits and what failed (with the last error and the next try), and failed messages sent again."""

from typing import Annotated, Literal, get_args

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse

from api import authz
from api.authz import Subject
from api.core.pagination import PageParams
from api.core.schemas import Id
from api.deps import SessionDep
from api.mail import admin as outbox
from api.mail.smtp import SmtpConfigError, parse_smtp_url
from web.auth import csrf_protected, page_requires
from web.templating import render

router = APIRouter(prefix="/admin")

MailAdmin = Annotated[Subject, Depends(page_requires(authz.may_manage_accounts))]
MailChange = Annotated[Subject, Depends(csrf_protected(authz.may_manage_accounts))]
PAGE_SIZE = 50
Shown = Literal["failed", "pending"]


def _smtp(settings) -> tuple[str | None, str | None]:
    """Where mail goes (never the password), or why it cannot go."""
    if not settings.smtp_url:
        return None, None
    try:
        return parse_smtp_url(settings.smtp_url).describe(), None
    except SmtpConfigError as exc:
        return None, str(exc)


@router.get("/mail")
def mail_page(request: Request, session: SessionDep, _: MailAdmin,
              show: Annotated[Shown | None, Query()] = None,
              cursor: Annotated[str | None, Query(max_length=512)] = None,
              done: Annotated[Literal["retried"] | None, Query()] = None):
    settings = request.app.state.settings
    smtp_server, smtp_problem = _smtp(settings)
    lists = {}
    for status in get_args(Shown):
        if show is None or show == status:
            rows, next_cursor = outbox.list_messages(
                session, status=status, page=PageParams(limit=PAGE_SIZE, cursor=cursor if show == status else None))
            lists[status] = {"rows": rows, "next_cursor": next_cursor}
    return render(request, "pages/admin/mail.html", {
        "title": "Mail", "nav": "admin", "smtp_server": smtp_server, "smtp_problem": smtp_problem,
        "in_process": settings.mail_worker, "counts": outbox.counts(session), "lists": lists, "show": show,
        "older": bool(cursor), "mail_from": settings.mail_from,
        "notice": "The message is queued to be sent again." if done == "retried" else None,
    })


@router.post("/mail/{message_id}/retry")
def retry_message(message_id: Id, session: SessionDep, actor: MailChange):
    outbox.retry(session, actor=actor, message_id=message_id)
    return RedirectResponse("/admin/mail?done=retried", status_code=303)
