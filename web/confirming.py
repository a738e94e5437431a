"""The one confirmation step for the meeting pages (removing an item, a paper, a guest, a
declaration, a decision or an action; approving minutes): a page of its own with the question,
what it concerns, a button that POSTs and a Cancel link back, so it works without JavaScript."""

from fastapi import Request

from web.templating import render


def confirm_page(request: Request, meeting, *, title: str, question: str, action: str, button: str,
                 cancel: str, warning: bool = True, fields: dict | None = None, details: list[str] | None = None,
                 quote: str | None = None, blocked: str | None = None, error: str | None = None,
                 status: int = 200, change: str | None = None):
    """`blocked` (a sentence) replaces the button when it cannot be done; `error` is a problem
    met when it was tried (the page's title then starts "Error:")."""
    return render(request, "pages/meetings/confirm.html", {
        "title": f"Error: {title}" if error else title, "nav": "groups", "meeting": meeting, "question": question,
        "action": action, "button": button, "cancel": cancel, "warning": warning, "fields": fields or {},
        "details": details or [], "quote": quote, "blocked": blocked, "error": error, "change": change}, status=status)
