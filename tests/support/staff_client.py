"""Signing a test client in through the real forms (imported by the staff tests)."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

PASSWORD = "correct horse battery staple"
USERS = {"alice": "admin", "rita": "reviewer", "eddie": "editor"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> TestClient:
    """Sign `client` in through the real form; fails the test if it does not work."""
    page = client.get("/admin/login")
    response = client.post(
        "/admin/login",
        data={"name": name, "password": password, "csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 303, response.text
    return client
