"""The interactive API documentation at /api/docs: Swagger UI from our own static files.

Not FastAPI's default page, which loads Swagger UI from a CDN (a blank page on a closed network,
and script from another origin). The page keeps the site's Content-Security-Policy; the one
difference is that Swagger UI's start-up script, inline in FastAPI's page, is allowed by its
hash, so that exact script runs and no other inline script can.
"""

import base64
import hashlib
import re

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from web.templating import CONTENT_SECURITY_POLICY

router = APIRouter(include_in_schema=False)

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_SCRIPT_SRC = "script-src 'self'"


def _policy_allowing(scripts: list[str]) -> str:
    """The site's policy, with script-src extended by the hashes of exactly these inline scripts."""
    if _SCRIPT_SRC not in CONTENT_SECURITY_POLICY:
        raise RuntimeError("the Content-Security-Policy no longer has script-src 'self'")
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
                      for s in scripts)
    return CONTENT_SECURITY_POLICY.replace(_SCRIPT_SRC, f"{_SCRIPT_SRC} {hashes}", 1)


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    page = get_swagger_ui_html(
        openapi_url=root + request.app.openapi_url,
        title=f"{request.app.title} - documentation",
        swagger_js_url=f"{root}/static/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url=f"{root}/static/swagger-ui/swagger-ui.css",
        swagger_favicon_url=f"{root}/static/nhsuk/assets/images/favicon.ico",
        # No badge fetched from validator.swagger.io.
        swagger_ui_parameters={"validatorUrl": None},
    )
    page.headers["Content-Security-Policy"] = _policy_allowing(_INLINE_SCRIPT.findall(page.body.decode()))
    return page
