"""What a browser was sending when its session ended, kept through signing in again.

A form posted after the session has ended (idle too long, signed out elsewhere) is answered with
the sign-in page (web/errors.py), which carries the form's fields in one hidden field: signed with
the service's secret and tied to this browser's sign-in nonce (web/auth.py), so that it cannot be
altered, or planted in another browser, and expires with the nonce. After signing in, the person
is shown what they typed and sends it again with a fresh CSRF token (web/routes/sign_in.py): a
replay always needs their click. Never kept: passwords, CSRF tokens, other secrets, and files.
"""

import base64
import hashlib
import hmac
import json
import time
import zlib
from dataclasses import dataclass

from starlette.datastructures import FormData

from api.core.security import constant_time_equals

# What one sign-in page carries: enough for a long minute, not an upload.
MAX_CHARS = 60_000
MAX_FIELDS = 60
MAX_TOKEN = 120_000
LIFETIME_SECONDS = 3600  # as long as the sign-in nonce it is tied to (web/routes/sign_in.py)
_NEVER_KEPT = ("password", "csrf", "token", "secret")


@dataclass(frozen=True)
class Draft:
    action: str  # the path the form posted to
    back: str  # the page the form was on
    fields: list[tuple[str, str]]
    files_dropped: bool = False


def kept_fields(form: FormData | None) -> tuple[list[tuple[str, str]], bool]:
    """The form's text fields worth keeping, and whether a file had to be left behind."""
    fields, dropped = [], False
    for name, value in (form.multi_items() if form is not None else []):
        if not isinstance(value, str):
            dropped = True
        elif not any(word in name.lower() for word in _NEVER_KEPT):
            fields.append((name, value))
    return fields, dropped


def _signature(secret: str, nonce: str, payload: str) -> str:
    return hmac.new(secret.encode(), f"draft:{nonce}:{payload}".encode(), hashlib.sha256).hexdigest()


def seal(secret: str, nonce: str, draft: Draft) -> str | None:
    """The draft as a signed token for a hidden field; None when it is too big to carry."""
    if len(draft.fields) > MAX_FIELDS or sum(len(n) + len(v) for n, v in draft.fields) > MAX_CHARS:
        return None
    body = json.dumps({"a": draft.action, "b": draft.back, "f": draft.fields, "d": draft.files_dropped,
                       "t": int(time.time())}, ensure_ascii=False, separators=(",", ":"))
    payload = base64.urlsafe_b64encode(zlib.compress(body.encode(), 9)).decode()
    token = f"{payload}.{_signature(secret, nonce, payload)}"
    return token if len(token) <= MAX_TOKEN else None


def open_sealed(secret: str, nonce: str, token: str | None) -> Draft | None:
    """The draft in `token` if this service sealed it for this browser's nonce within the hour."""
    if not token or not nonce or len(token) > MAX_TOKEN or "." not in token:
        return None
    payload, _, signature = token.rpartition(".")
    if not constant_time_equals(_signature(secret, nonce, payload), signature):
        return None
    try:
        # A signed payload is ours, but the size is checked anyway before it is unpacked.
        body = json.loads(zlib.decompressobj().decompress(base64.urlsafe_b64decode(payload), MAX_CHARS * 8))
        if time.time() - int(body["t"]) > LIFETIME_SECONDS:
            return None
        return Draft(action=str(body["a"]), back=str(body["b"]), fields=[(str(n), str(v)) for n, v in body["f"]],
                     files_dropped=bool(body["d"]))
    except (ValueError, KeyError, TypeError, zlib.error):
        return None
