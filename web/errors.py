"""HTML answers for errors on the web pages (the JSON door answers problem+json)."""

from http import HTTPStatus
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from web.forms import safe_next
from web.templating import is_fragment_request, render

_TITLES = {
    400: "There is a problem with the request",
    403: "You do not have permission to see this page",
    404: "Page not found",
    422: "There is a problem with the request",
    429: "Too many requests",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}


def _redirect(request: Request, target: str, status: int) -> Response:
    if is_fragment_request(request):
        return Response(status_code=status, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def render_error(request: Request, status: int, detail: str, headers: dict[str, str], slug: str | None) -> Response:
    if slug == "password-change-required":
        return _redirect(request, "/account/password", status)
    if status == 401:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return _redirect(request, f"/login?next={quote(safe_next(here), safe='/')}", status)
    title = _TITLES.get(status) or HTTPStatus(status).phrase
    # Server errors never show their detail beyond the generic sentence they were raised with.
    return render(request, "pages/error.html", {"title": title, "detail": detail, "status": status},
                  status=status, headers={k: v for k, v in headers.items() if k.lower() == "retry-after"})
