"""/api/docs works on a closed network: every asset from this service, under the site's policy."""

import base64
import hashlib
import re

from web.templating import CONTENT_SECURITY_POLICY


def _csp(header: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (d.split() for d in header.split(";") if d.strip())}


def test_the_docs_page_uses_only_this_services_assets(anonymous_client):
    page = anonymous_client.get("/api/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "://" not in html and "cdn" not in html.lower()  # no other host, by any scheme

    references = re.findall(r'(?:src|href)="([^"]*)"', html) + re.findall(r"url: '([^']*)'", html)
    assert references, html
    for reference in references:
        assert reference.startswith("/") and not reference.startswith("//"), reference
    expected_types = {".js": "text/javascript", ".css": "text/css", ".ico": "image/",
                      ".json": "application/json"}
    for reference in references:
        served = anonymous_client.get(reference)
        assert served.status_code == 200, reference
        kind = next(v for k, v in expected_types.items() if reference.endswith(k))
        assert served.headers["content-type"].startswith(kind), (reference, served.headers["content-type"])
    assert any(r.endswith("/swagger-ui-bundle.js") for r in references)
    assert any(r.endswith("/swagger-ui.css") for r in references)


def test_the_docs_page_keeps_the_site_policy_and_allows_only_its_own_start_up_script(anonymous_client):
    page = anonymous_client.get("/api/docs")
    policy, site = _csp(page.headers["content-security-policy"]), _csp(CONTENT_SECURITY_POLICY)
    # Every directive as on the rest of the site, but for one hash added to script-src.
    assert {k: v for k, v in policy.items() if k != "script-src"} == {k: v for k, v in site.items()
                                                                          if k != "script-src"}
    inline = re.findall(r"<script>(.*?)</script>", page.text, re.DOTALL)
    assert len(inline) == 1 and "SwaggerUIBundle(" in inline[0]
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert policy["script-src"] == site["script-src"] + [f"'sha256-{digest}'"]
    assert "'unsafe-inline'" not in page.headers["content-security-policy"]
    assert "'unsafe-eval'" not in page.headers["content-security-policy"]
    # The start-up script asks no outside service (Swagger UI's default validator badge).
    assert '"validatorUrl": null' in inline[0]


def test_the_vendored_swagger_ui_is_pinned_and_licensed():
    from pathlib import Path

    static = Path(__file__).resolve().parents[2] / "web" / "static"
    sums = dict(line.split()[::-1] for line in (static / "SHA256SUMS").read_text().splitlines())
    for name in ("swagger-ui/swagger-ui-bundle.js", "swagger-ui/swagger-ui.css"):
        assert hashlib.sha256((static / name).read_bytes()).hexdigest() == sums[name], name
    assert "Apache License" in (static / "swagger-ui" / "LICENSE").read_text()
    assert "swagger-ui-dist" in (static / "VENDORED.md").read_text()
