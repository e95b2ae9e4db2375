"""Answers: the article list, the editor with its live preview, history, review, revert.

Every rule lives in `bot.staff.revisions` (which also checks the role); these pages read
forms, call it, and show what happened. `staff_page(...)` is the first gate.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from bot.kb.answers import render as render_answer
from bot.kb.answers import to_message
from bot.kb.files import ENTITY_KINDS, LANGUAGE_NAMES
from bot.kb.hospital import hospital_values
from bot.kb.reading_level import measures
from bot.kb.store import get_article, related_titles
from bot.kb.tables import PUBLISHED, article_fields, text_of
from bot.kb.topics import GROUPS, REQUIRED_SLUGS
from bot.language import DEFAULT_LANGUAGE, LANGUAGES
from bot.staff.article_list import article_rows, history_entries
from bot.staff.revision_checks import RevisionError, check_article, complete, to_checked
from bot.staff.revisions import (
    EDITS,
    approve,
    dated,
    edit,
    get_revision,
    latest_revision,
    pending_submissions,
    reject,
    revert,
    revisions,
    unpublish,
    working_fields,
)
from bot.staff.roles import EDITOR, REVIEWER
from bot.staff.sign_off import sign_off
from web.admin.article_forms import (
    VersionForm,
    fields_from,
    form_values,
    language_from,
)
from web.admin.common import (
    JSON,
    NOTICES,
    known_intents,
    read_form,
    render,
    session_factory,
    staff_page,
)
from web.chat import shape_reply

NOTICES.update(
    {
        "draft-saved": "Your draft was saved. Patients still see the published answer.",
        "submitted": "Sent for review. A reviewer will publish it or send it back.",
        "published": "Published. The assistant uses it from its next answer.",
        "rejected": "Sent back to its author with your reason.",
        "reverted": "Reverted. The assistant uses this version from its next answer.",
        "unpublished": "Unpublished. Patients no longer see this article.",
        "signed-off": "Signed off. Patients now see the date of your clinical review.",
    }
)
RESERVED_SLUGS = ("new", "preview", "export", "import")  # /admin/articles/<these> are pages
MAX_PREVIEW_BYTES = 100_000
# --- the list ---


@staff_page(EDITOR)
async def articles_page(request: Request) -> Response:
    """GET: every article, searchable and filtered; reviewers see the review queue."""
    query = {k: request.query_params.get(k, "") for k in ("q", "group", "status", "old", "signoff")}
    with session_factory(request)() as session:
        rows = [r for r in article_rows(session) if r.matches(query)]
        queue = pending_submissions(session)
    return render(
        request,
        "admin/articles.html",
        {
            "rows": rows,
            "query": query,
            "groups": list(GROUPS),
            "queue": queue,
            "language_names": LANGUAGE_NAMES,
        },
    )


# --- the editor ---


def _stored_version(request: Request, slug: str, language: str) -> VersionForm:
    """A version's column as the database has it (its newest draft, else its live text)."""
    with session_factory(request)() as session:
        fields = working_fields(session, slug, language=language)
        latest = latest_revision(session, slug, language=language)
        live = get_article(session, slug, language=language, published_only=False)
    return VersionForm(
        language,
        form_values(fields or {}),
        live=live,
        based_on=latest.number if latest else None,
        written=fields is not None,
    )


def _editor(
    request: Request,
    *,
    slug: str | None,
    typed: VersionForm | None = None,
    status: int = 200,
) -> Response:
    """The editor: one column per language version (a new article starts in English).

    `typed` is a version as the person typed it (kept after a refusal); the other
    versions are read from the database.
    """
    languages = LANGUAGES if slug is not None else (DEFAULT_LANGUAGE,)
    versions = []
    for language in languages:
        if typed is not None and typed.language == language:
            if slug is not None:
                stored = _stored_version(request, slug, language)
                typed.live, typed.written = stored.live, stored.written or bool(typed.values)
            versions.append(typed)
        elif slug is not None:
            versions.append(_stored_version(request, slug, language))
        else:
            versions.append(VersionForm(language, form_values({})))
    if slug is not None and not any(v.written for v in versions):
        raise HTTPException(404, "There is no article with that name.")
    english = versions[0]
    return render(
        request,
        "admin/article_edit.html",
        {
            "live": english.live,  # the English row: its date and clinical sign-off
            "slug": slug,
            "values": english.values,
            "reason": english.reason,
            "based_on": english.based_on,
            "versions": versions,
            "groups": list(GROUPS),
            "kinds": ENTITY_KINDS,
            "error": next((v.error for v in versions if v.error), None),
        },
        status=status,
    )


def _to_version(
    request: Request, route: str, notice: str, slug: str, language: str
) -> RedirectResponse:
    """Redirect (303) to an article page about one version, with a notice."""
    assert notice in NOTICES, notice
    url = request.url_for(route, slug=slug).path
    query = {"notice": notice}
    if language != DEFAULT_LANGUAGE:
        query["lang"] = language
    anchor = f"#version-{language}" if route == "admin:article" else ""
    return RedirectResponse(f"{url}?{urlencode(query)}{anchor}", status_code=303)


async def _save(request: Request, slug: str | None) -> Response:
    """Run the button pressed (draft, submit, publish) on one version's posted fields."""
    form = await read_form(request)
    staff = request.state.staff
    kind = str(form.get("action", ""))
    if kind not in EDITS:
        raise HTTPException(400, "Choose Save draft, Submit for review or Publish.")
    fields = fields_from(form)
    language = language_from(form) if slug is not None else DEFAULT_LANGUAGE
    target = slug or fields["slug"]
    reason = str(form.get("reason", ""))
    based_on = str(form.get("based_on", ""))
    number = int(based_on) if based_on.isdigit() else None
    typed = VersionForm(language, form_values(fields), based_on=number, reason=reason)
    if slug is None and target in RESERVED_SLUGS:
        typed.error = f"{target!r} is the name of a workspace page: choose another slug."
        return _editor(request, slug=None, typed=typed, status=400)
    try:
        with session_factory(request).begin() as session:
            edit(
                session,
                kind,
                target,
                fields,
                reason,
                known_intents(request),
                actor=staff.actor,
                based_on=number,
                new=slug is None,
                language=language,
            )
    except RevisionError as problem:
        typed.error = str(problem)
        return _editor(request, slug=slug, typed=typed, status=400)
    notice = {"draft": "draft-saved", "submit": "submitted", "publish": "published"}
    return _to_version(request, "admin:article", notice[kind], target, language)


@staff_page(EDITOR)
async def new_article(request: Request) -> Response:
    """GET: an empty editor; POST: save the new article as a draft, submission or live."""
    if request.method == "POST":
        return await _save(request, None)
    return _editor(request, slug=None)


@staff_page(EDITOR)
async def edit_article(request: Request) -> Response:
    """GET: the editor, a column per language version; POST: save one version."""
    slug = request.path_params["slug"]
    if request.method == "POST":
        return await _save(request, slug)
    return _editor(request, slug=slug)


@staff_page(EDITOR, body=JSON)
async def preview(request: Request) -> Response:
    """POST (JSON): the draft as the chat shows it, its reading grade, words and problems.

    Anything but JSON gets 415 from `staff_page`; the size is capped on the stream
    (`web.body_limit`), the check below holds if the app is mounted without it.
    """
    body = await request.body()
    if len(body) > MAX_PREVIEW_BYTES:
        return JSONResponse({"error": "This article is too long to preview."}, status_code=413)
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        return JSONResponse({"error": "The preview could not read the form."}, status_code=400)
    fields = fields_from(data)
    fields["status"] = PUBLISHED
    language = language_from(fields)
    slug = fields.get("slug") or ""
    with session_factory(request)() as session:
        fields = dated(session, fields)  # the date patients would read if published now
        problems = check_article(session, fields, known_intents(request))
        values = hospital_values(session)
        # A translation links to the topics its English version lists, titled in its language.
        links = complete(session, fields).get("related") or []
        related = related_titles(session, links, language=language)
        live = get_article(session, slug, language=language) if slug else None
        same_text = live is not None and text_of(article_fields(live)) == text_of(fields)
        signed_off_on = live.signed_off_on if same_text and live is not None else None
    updated = to_checked(fields).get("updated_on")

    def chat(text: str) -> list[dict[str, Any]]:
        answer = render_answer(
            slug or "new-article",
            text,
            values=values,
            related=related,
            sources=fields["sources"],
            updated_on=updated if isinstance(updated, dt.date) else None,
            signed_off_on=signed_off_on,
            language=language,
        )
        return [asdict(m) for m in shape_reply([to_message(answer)])]

    return JSONResponse(
        {
            "language": language,
            "messages": chat(fields["answer"]) if fields["answer"] else [],
            "details": chat(fields["details"]) if fields.get("details") else [],
            "measures": {k: asdict(m) for k, m in measures(fields, language=language).items()},
            "problems": [
                {"field": p.field, "message": p.message, "severity": p.severity} for p in problems
            ],
        },
        headers={"Cache-Control": "no-store"},
    )


# --- history, review, revert, unpublish ---


def _history(request: Request, slug: str, language: str, error: str | None = None) -> Response:
    """One version's history: its revisions, diffs and decisions."""
    with session_factory(request)() as session:
        history = revisions(session, slug, language=language)
        article = get_article(session, slug, language=language, published_only=False)
        others = {
            other: get_article(session, slug, language=other, published_only=False) is not None
            or bool(revisions(session, slug, language=other))
            for other in LANGUAGES
            if other != language
        }
        if article is None and not history:
            if not any(others.values()):
                raise HTTPException(404, "There is no article with that name.")
        title = article.title if article else (history[-1].fields.get("title") if history else "")
        context = {
            "slug": slug,
            "title": title or slug,
            "language": language,
            "language_name": LANGUAGE_NAMES.get(language, language),
            "other_versions": [(o, LANGUAGE_NAMES.get(o, o)) for o, seen in others.items()],
            "entries": history_entries(history),
            "published": article is not None and article.status == PUBLISHED,
            "required": slug in REQUIRED_SLUGS,
            "error": error,
        }
    return render(request, "admin/article_history.html", context, status=400 if error else 200)


@staff_page(EDITOR)
async def history_page(request: Request) -> Response:
    """GET: one version's revisions (`?lang=fr`), with who, when, why, and their diffs."""
    return _history(request, request.path_params["slug"], language_from(request.query_params))


async def _decide(request: Request, run: Any, notice: str) -> Response:
    """Run a reviewer's decision on one version; a refusal shows its history with the reason.

    The version is the chosen revision's own (review, revert) or the form's (unpublish).
    """
    slug = request.path_params["slug"]
    staff = request.state.staff
    form = await read_form(request)
    language = language_from(form)
    number = str(form.get("number", ""))
    if number.isdigit():
        with session_factory(request)() as session:
            revision = get_revision(session, slug, int(number))
            language = revision.language if revision is not None else language
    try:
        with session_factory(request).begin() as session:
            run(session, slug, form, staff)
    except RevisionError as problem:
        return _history(request, slug, language, str(problem))
    return _to_version(request, "admin:article_history", notice, slug, language)


def _number(form: Mapping[str, Any]) -> int:
    value = str(form.get("number", ""))
    if not value.isdigit():
        raise HTTPException(400, "Choose a version.")
    return int(value)


@staff_page(REVIEWER)
async def review(request: Request) -> Response:
    """POST: publish a submitted revision, or send it back with a reason."""
    form = await read_form(request)
    intents = known_intents(request)
    if form.get("decision") == "publish":
        return await _decide(
            request,
            lambda s, slug, f, who: approve(s, slug, _number(f), intents, actor=who.actor),
            "published",
        )
    return await _decide(
        request,
        lambda s, slug, f, who: reject(
            s, slug, _number(f), str(f.get("reason", "")), actor=who.actor
        ),
        "rejected",
    )


@staff_page(REVIEWER)
async def revert_article(request: Request) -> Response:
    """POST: publish an earlier revision's content again (one click), in its version."""
    intents = known_intents(request)
    return await _decide(
        request,
        lambda s, slug, f, who: revert(s, slug, _number(f), intents, actor=who.actor),
        "reverted",
    )


@staff_page(REVIEWER)
async def unpublish_article(request: Request) -> Response:
    """POST: hide a version (English: the whole topic), unless it is required or linked."""
    return await _decide(
        request,
        lambda s, slug, f, who: unpublish(
            s, slug, str(f.get("reason", "")), actor=who.actor, language=language_from(f)
        ),
        "unpublished",
    )


@staff_page(REVIEWER)
async def sign_off_article(request: Request) -> Response:
    """POST: sign off one version's published text clinically, as the signed-in reviewer."""
    slug = request.path_params["slug"]
    form = await read_form(request)
    language = language_from(form)
    try:
        with session_factory(request).begin() as session:
            sign_off(
                session,
                slug,
                str(form.get("role", "")),
                actor=request.state.staff.actor,
                language=language,
            )
    except RevisionError as problem:
        typed = _stored_version(request, slug, language)
        typed.error = str(problem)
        return _editor(request, slug=slug, typed=typed, status=400)
    return _to_version(request, "admin:article", "signed-off", slug, language)
