"""What every staff endpoint shares: body kinds, form shape, CSRF with odd characters."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from tests.support.staff_client import csrf_token
from tests.web.admin.test_articles import SLUG, counts, editor_form
from web.admin.common import MAX_FORM_FIELDS, tokens_match


def test_a_form_posted_to_the_json_preview_gets_415(
    signed_in: Callable[[str], TestClient],
) -> None:
    """Before: the CSRF check parsed the form, then the endpoint re-read the body: 500."""
    eddie = signed_in("eddie")
    token = csrf_token(eddie.get(f"/admin/articles/{SLUG}").text)
    response = eddie.post("/admin/articles/preview", data={"answer": "x", "csrf_token": token})
    assert response.status_code == 415
    plain = eddie.post(
        "/admin/articles/preview",
        content=b'{"answer": "x"}',
        headers={"X-CSRF-Token": token, "Content-Type": "text/plain"},
    )
    assert plain.status_code == 415


@pytest.mark.parametrize("sent", ["é".encode("latin-1"), "Ã©".encode("latin-1"), b"\xff\xfe"])
def test_a_non_ascii_csrf_header_gets_403_not_500(
    signed_in: Callable[[str], TestClient], sent: bytes
) -> None:
    eddie = signed_in("eddie")
    response = eddie.post(
        "/admin/articles/preview", json={"answer": "x"}, headers={"X-CSRF-Token": sent}
    )
    assert response.status_code == 403
    assert "This form has expired" in response.text


def test_csrf_tokens_are_compared_as_bytes() -> None:
    assert tokens_match("abc", "abc")
    assert not tokens_match("", "abc")
    assert not tokens_match("é", "abc") and not tokens_match("abc", "abcd")


def test_a_file_on_a_form_that_takes_none_is_refused(
    signed_in: Callable[[str], TestClient], session_factory: sessionmaker[Session]
) -> None:
    eddie = signed_in("eddie")
    form = editor_form(eddie, answer="A new answer.")
    before = counts(session_factory)
    response = eddie.post(
        f"/admin/articles/{SLUG}", data=form, files={"extra": ("a.txt", b"x" * 10_000)}
    )
    assert response.status_code == 400
    assert counts(session_factory) == before


def test_a_form_with_too_many_fields_is_refused(
    signed_in: Callable[[str], TestClient], session_factory: sessionmaker[Session]
) -> None:
    eddie = signed_in("eddie")
    form = editor_form(eddie, answer="A new answer.")
    padding = {f"f{i}": "x" for i in range(MAX_FORM_FIELDS)}
    before = counts(session_factory)
    response = eddie.post(f"/admin/articles/{SLUG}", data={**form, **padding})
    assert response.status_code == 400
    assert counts(session_factory) == before


def test_the_import_still_takes_files(signed_in: Callable[[str], TestClient]) -> None:
    rita = signed_in("rita")
    token = csrf_token(rita.get("/admin/articles/import").text)
    files = [("files", (f"a{i}.yml", b"slug: x\n")) for i in range(3)]
    response = rita.post("/admin/articles/import", data={"csrf_token": token}, files=files)
    assert response.status_code in (200, 400), response.text  # a plan, with or without errors
    assert response.template.name == "admin/import.html"  # type: ignore[attr-defined]
