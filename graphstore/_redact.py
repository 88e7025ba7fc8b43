"""The one redaction of credentials: every error message, log line, repr and hint passes here.

Three things are hidden: the password in a URI's user info (``bolt://user:***@host``), the
value of ``password=…``-style settings in text, and every password graphstore was given in this
process (``remember`` is called when a connection is parsed), wherever it appears — e.g. echoed
back by a driver, or in a URI whose user info a parser did not recognise.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import quote

__all__ = ["MASK", "redact", "redact_uri", "remember"]

MASK = "***"
# scheme://userinfo@ — greedy up to the last "@" before the host, so "p@ss" is covered too
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<user>[^:/@\s'\"]*):(?P<pw>[^/\s'\"]*)@")
_SETTING = re.compile(r"(?i)(?P<key>\b(?:password|passwd|pwd|secret|token|auth)\s*=\s*)(?P<q>['\"]?)"
                      r"(?P<value>[^\s'\",;&)]+)")
# Shorter values would mask ordinary words in messages; Neo4j itself requires 8+ characters.
_MIN_SECRET = 4
_secrets: set[str] = set()
_lock = threading.Lock()


def remember(secret: str | None) -> None:
    """Redact this value (and its percent-encoded form) from every later message."""
    if not secret or len(secret) < _MIN_SECRET:
        return
    with _lock:
        _secrets.update({secret, quote(secret, safe="")})


def redact(text: str) -> str:
    """``text`` with credentials replaced by ``***``."""
    text = _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
    text = _SETTING.sub(lambda m: f"{m['key']}{m['q']}{MASK}", text)
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)  # longest first: no partial leftovers
    for secret in known:
        text = text.replace(secret, MASK)
    return text


def redact_uri(uri: str) -> str:
    """A URI to show a user again (e.g. in a hint): the password dropped, the user kept."""
    return _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}@", uri)
