"""One simulated person's browser: a ``requests`` session that times every request.

Each call names its endpoint (the route, not the concrete URL) so the table groups requests
the way an operator reads them. A 5xx, a status the journey did not expect, or no answer at
all raises :class:`ClientError` after being recorded: the journey stops there and the run
fails its checks.
"""

from __future__ import annotations

import html
import re
import time

import requests

from loadtest.stats import Recorder

CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
FLASH_RE = re.compile(r'<div class="flash (\w+)" role="alert">(.*?)</div>', re.S)
TIMEOUT = (10, 300)  # connect, read: generous, so a slow answer is measured rather than lost


class ClientError(RuntimeError):
    """A request failed in a way the journey cannot continue from."""


def flashes(page: str) -> list[tuple[str, str]]:
    """The flashed messages of a page as (category, text)."""
    return [(cat, html.unescape(text).strip()) for cat, text in FLASH_RE.findall(page)]


def csrf_of(page: str) -> str:
    """The CSRF token of a rendered form."""
    match = CSRF_RE.search(page)
    if not match:
        raise ClientError("no CSRF token on the page")
    return match.group(1)


class Browser:
    """A signed-in (or not yet) person talking to the platform."""

    def __init__(self, base_url: str, recorder: Recorder) -> None:
        """A fresh cookie jar against ``base_url``."""
        self.base = base_url.rstrip("/")
        self.recorder = recorder
        self.http = requests.Session()
        self.csrf = ""

    def request(self, method: str, path: str, endpoint: str, expect: tuple[int, ...], **kw) -> requests.Response:
        """Send one request without following redirects; record it; raise on the unexpected."""
        start = time.monotonic()
        try:
            response = self.http.request(method, self.base + path, allow_redirects=False, timeout=TIMEOUT, **kw)
        except requests.RequestException as exc:
            self.recorder.record(endpoint, start, time.monotonic(), None, False)
            raise ClientError(f"{method} {path}: no answer ({type(exc).__name__}: {exc})") from exc
        end = time.monotonic()
        ok = response.status_code in expect
        self.recorder.record(endpoint, start, end, response.status_code, ok)
        if not ok:
            raise ClientError(f"{method} {path}: HTTP {response.status_code} (expected {expect})")
        return response

    def get(self, path: str, endpoint: str, expect: tuple[int, ...] = (200,)) -> requests.Response:
        """GET a page or a file."""
        return self.request("GET", path, f"GET {endpoint}", expect)

    def post(self, path: str, endpoint: str, data: dict, files: dict | None = None,
             expect: tuple[int, ...] = (200, 302)) -> requests.Response:
        """POST a form with this session's CSRF token."""
        return self.request("POST", path, f"POST {endpoint}", expect, data={**data, "csrf_token": self.csrf},
                            files=files)

    def login(self, username: str, password: str) -> None:
        """Sign in through the login form and open the landing page, as a person does."""
        self.csrf = csrf_of(self.get("/login", "/login").text)
        response = self.post("/login", "/login", {"username": username, "password": password}, expect=(302,))
        if response.headers.get("Location", "").rstrip("/").endswith("/login"):
            raise ClientError(f"login of {username} refused")
        self.csrf = csrf_of(self.get("/", "/ (landing)").text)

    def close(self) -> None:
        """Drop the connection pool."""
        self.http.close()
