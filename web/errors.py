"""HTML answers for errors on the web pages (the JSON door answers problem+json)."""

from http import HTTPStatus
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from web.routes.sign_in import ended_mid_form, landing
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
        if request.method not in ("GET", "HEAD", "OPTIONS") and request.url.path != "/logout":
            # A form sent after the session ended: the sign-in page, keeping what was typed. For
            # htmx it replaces the whole page (base.html's responseHandling swaps a 401 in).
            response = ended_mid_form(request, request.app.state.settings)
            if is_fragment_request(request):
                response.headers.update({"HX-Retarget": "body", "HX-Reswap": "innerHTML"})
            return response
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return _redirect(request, f"/login?next={quote(landing(request, here), safe='/')}", status)
    title = _TITLES.get(status) or HTTPStatus(status).phrase
    kept = {k: v for k, v in headers.items() if k.lower() == "retry-after"}
    if is_fragment_request(request):
        # htmx asked for a part of a page: the error takes the page's main content instead, as it
        # would without JavaScript (app.mjs swaps in whatever is retargeted there).
        kept.update({"HX-Retarget": "#maincontent", "HX-Reswap": "innerHTML", "HX-Reselect": ".ata-error-page"})
    # Server errors never show their detail beyond the generic sentence they were raised with.
    return render(request, "pages/error.html", {"title": title, "detail": detail, "status": status},
                  status=status, headers=kept)
