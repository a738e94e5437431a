"""The one confirmation step for every destructive or final change (removing an agenda item, a
paper, a decision; ending a membership; anonymising a person; approving minutes): a page of its
own with the question, what it concerns, a button that POSTs and a Cancel link back, so it works
without JavaScript."""

from fastapi import Request

from web.templating import long_date, render


def confirm_page(request: Request, meeting=None, *, title: str, question: str, action: str, button: str,
                 cancel: str, warning: bool = True, fields: dict | None = None, details: list[str] | None = None,
                 quote: str | None = None, blocked: str | None = None, error: str | None = None,
                 status: int = 200, change: str | None = None, change_text: str = "Change the action",
                 caption: str | None = None, crumbs: list[tuple[str, str]] | None = None,
                 back: str | None = None, nav: str | None = None):
    """`meeting`, when the change concerns one, gives the caption, breadcrumb and Back link;
    otherwise pass `caption`, `crumbs` ((href, text) pairs) and `back` (the Back link's words).
    `blocked` (a sentence) replaces the button when it cannot be done; `error` is a problem met
    when it was tried (the page's title then starts "Error:")."""
    if meeting is not None:
        label = f"{meeting.title or 'Meeting'}, {long_date(meeting.starts_at)}"
        caption, crumbs = caption or label, crumbs or [(f"/meetings/{meeting.id}", label)]
        back, nav = back or "Back to the meeting", nav or "groups"
    return render(request, "pages/confirm.html", {
        "title": f"Error: {title}" if error else title, "nav": nav, "question": question,
        "action": action, "button": button, "cancel": cancel, "warning": warning, "fields": fields or {},
        "details": details or [], "quote": quote, "blocked": blocked, "error": error, "change": change,
        "change_text": change_text, "caption": caption, "crumbs": crumbs or [], "back": back or "Go back"},
        status=status)
