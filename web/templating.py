"""Rendering pages: one template per page, whose `content` block is also the htmx fragment.

A normal request gets the full page; an htmx request (not a boosted navigation, which swaps
the whole body) gets only the block it asks for, so page and fragment never drift apart.
"""

from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import pass_context
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup, escape

from api.core.types import LONDON
from web import labels
from web.labels import GROUP_KIND_LABELS, ROLE_LABELS

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

# Scripts and styles from this origin only; no inline script, no eval (htmx is configured
# with allowEval=false in base.html so it never needs 'unsafe-eval').
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

templates = Jinja2Blocks(directory=str(TEMPLATES_DIR))
templates.env.globals["ROLE_LABELS"] = ROLE_LABELS
templates.env.globals["KIND_LABELS"] = GROUP_KIND_LABELS
# Status words for the templates, from the one place they are written (web/labels.py).
templates.env.globals["vocab"] = labels


def long_date(value: date | datetime | None, time: str = "") -> str:
    """"16 January 2024", a moment in UK time whatever the server's zone; with `time` (a strftime
    format such as "%H:%M") the time of day follows after a comma."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LONDON)
    return f"{value.day} {value:%B %Y}" + (f", {value:{time}}" if time else "")


def _clock(value: datetime) -> str:
    local = value.astimezone(LONDON)
    return local.strftime("%-I:%M%p").lower().replace(":00", "")


def _when(start: datetime, end: datetime) -> str:
    """"16 January 2024, 2pm to 4:30pm" in UK time, whatever the server's zone."""
    return f"{long_date(start)}, {_clock(start)} to {_clock(end)}"


@pass_context
def _static_url(context, path: str) -> str:
    """A link to a file under /static (mounted in api/main.py). Not `url_for`: that searches
    every route before reaching the mount, a few milliseconds on each page for five links."""
    request = context.get("request")
    root = request.scope.get("root_path", "") if request is not None else ""
    return f"{root}/static/{path}"


def textarea_text(value) -> Markup:
    """A textarea's typed text, escaped, with its line breaks as character references: a caller
    that indents the field (`| indent(n)`) then indents the markup only, never what was typed."""
    text = "" if value is None else str(value)
    return Markup(str(escape(text.replace("\r\n", "\n"))).replace("\n", "&#10;"))  # noqa: S704 (escaped first)


templates.env.filters["long_date"] = long_date
templates.env.filters["textarea_text"] = textarea_text
templates.env.globals["static_url"] = _static_url
templates.env.globals["when"] = _when


def is_fragment_request(request: Request) -> bool:
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-boosted") != "true"


def render(request: Request, template: str, context: dict[str, Any] | None = None, *, status: int = 200,
           block: str = "content", headers: dict[str, str] | None = None) -> HTMLResponse:
    viewer = getattr(request.state, "viewer", None)
    ctx = {
        "user": viewer,
        "csrf_token": viewer.csrf_token if viewer is not None else None,
        **(context or {}),
    }
    kwargs: dict[str, Any] = {"block_name": block} if is_fragment_request(request) else {}
    response = templates.TemplateResponse(request, template, ctx, status_code=status, **kwargs)
    response.headers["Vary"] = "HX-Request"
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    # Pages may show personal data: not to be kept by shared caches or the back/forward cache.
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


