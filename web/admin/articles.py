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

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.kb.answers import render as render_answer
from bot.kb.answers import to_message
from bot.kb.files import ENTITY_KINDS
from bot.kb.hospital import hospital_values
from bot.kb.reading_level import measures
from bot.kb.store import get_article, related_titles
from bot.kb.tables import PUBLISHED, article_fields, text_of
from bot.kb.topics import GROUPS, REQUIRED_SLUGS
from bot.staff.revision_checks import (
    RevisionError,
    article_rows,
    check_article,
    history_entries,
    to_checked,
)
from bot.staff.revisions import (
    EDITS,
    approve,
    dated,
    edit,
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
from web.admin.common import (
    JSON,
    NOTICES,
    known_intents,
    read_form,
    redirect,
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
TEXT_FIELDS = ("slug", "title", "group", "answer", "details")
SOURCE_SEPARATOR = " | "  # one source a line: "name | https://address"


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace("\n", ",").split(",") if part.strip()]


def sources_from_lines(value: str) -> list[dict[str, str]]:
    """The sources typed one a line as "name | https://address" (the address may be left out).

    The address is after the last "|", so a name may hold one; `kb check` then says
    which line lacks an address or has one that is not https.
    """
    sources = []
    for line in value.splitlines():
        name, sep, url = line.rpartition("|") if "|" in line else (line, "", "")
        source = {"name": " ".join(name.split())}
        if url.strip():
            source["url"] = url.strip()
        if source["name"] or url.strip():
            sources.append(source)
    return sources


def sources_to_lines(sources: Any) -> str:
    """The editor's text for a list of sources, one a line."""
    lines = []
    for source in sources if isinstance(sources, list) else []:
        if isinstance(source, dict):
            name, url = str(source.get("name") or ""), str(source.get("url") or "")
            lines.append(f"{name}{SOURCE_SEPARATOR}{url}" if url else name)
    return "\n".join(lines)


def fields_from(values: Mapping[str, Any]) -> dict[str, Any]:
    """The article's fields from the editor's inputs (a form or the preview's JSON).

    Related slugs and terms are typed comma-separated; one input per kind of term.
    """

    def text(name: str) -> str:
        value = values.get(name, "")
        return value.strip() if isinstance(value, str) else ""

    fields: dict[str, Any] = {name: text(name) for name in TEXT_FIELDS}
    fields["sources"] = sources_from_lines(text("sources"))
    fields["related"] = _split(text("related"))
    fields["terms"] = {
        kind: _split(text(f"terms_{kind}")) for kind in ENTITY_KINDS if text(f"terms_{kind}")
    }
    if not fields["details"]:
        del fields["details"]
    return fields


def form_values(fields: Mapping[str, Any]) -> dict[str, str]:
    """The editor's inputs filled from an article's fields."""
    values = {name: str(fields.get(name) or "") for name in TEXT_FIELDS}
    values["sources"] = sources_to_lines(fields.get("sources"))
    values["related"] = ", ".join(fields.get("related") or [])
    for kind in ENTITY_KINDS:
        values[f"terms_{kind}"] = ", ".join((fields.get("terms") or {}).get(kind) or [])
    return values


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
        {"rows": rows, "query": query, "groups": list(GROUPS), "queue": queue},
    )


# --- the editor ---


def _editor(
    request: Request,
    values: Mapping[str, str],
    *,
    slug: str | None,
    based_on: int | None,
    reason: str = "",
    error: str | None = None,
    status: int = 200,
) -> Response:
    live = None
    if slug is not None:
        with session_factory(request)() as session:
            live = get_article(session, slug, published_only=False)
    return render(
        request,
        "admin/article_edit.html",
        {
            "live": live,  # the published row: its date and clinical sign-off
            "slug": slug,
            "values": values,
            "reason": reason,
            "based_on": based_on,
            "groups": list(GROUPS),
            "kinds": ENTITY_KINDS,
            "error": error,
        },
        status=status,
    )


async def _save(request: Request, slug: str | None) -> Response:
    """Run the button pressed (draft, submit, publish) on the posted fields."""
    form = await read_form(request)
    staff = request.state.staff
    kind = str(form.get("action", ""))
    if kind not in EDITS:
        raise HTTPException(400, "Choose Save draft, Submit for review or Publish.")
    fields = fields_from(form)
    target = slug or fields["slug"]
    if slug is None and target in RESERVED_SLUGS:
        error = f"{target!r} is the name of a workspace page: choose another slug."
        return _editor(
            request, form_values(fields), slug=None, based_on=None, error=error, status=400
        )
    reason = str(form.get("reason", ""))
    based_on = str(form.get("based_on", ""))
    number = int(based_on) if based_on.isdigit() else None
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
            )
    except RevisionError as problem:
        return _editor(
            request,
            form_values(fields),
            slug=slug,
            based_on=number,
            reason=reason,
            error=str(problem),
            status=400,
        )
    notice = {"draft": "draft-saved", "submit": "submitted", "publish": "published"}
    return redirect(request, "admin:article", notice[kind], slug=target)


@staff_page(EDITOR)
async def new_article(request: Request) -> Response:
    """GET: an empty editor; POST: save the new article as a draft, submission or live."""
    if request.method == "POST":
        return await _save(request, None)
    return _editor(request, form_values({}), slug=None, based_on=None)


@staff_page(EDITOR)
async def edit_article(request: Request) -> Response:
    """GET: the editor on the newest draft (or the live article); POST: save it."""
    slug = request.path_params["slug"]
    if request.method == "POST":
        return await _save(request, slug)
    with session_factory(request)() as session:
        fields = working_fields(session, slug)
        latest = latest_revision(session, slug)
    if fields is None:
        raise HTTPException(404, "There is no article with that name.")
    return _editor(
        request, form_values(fields), slug=slug, based_on=latest.number if latest else None
    )


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
    with session_factory(request)() as session:
        fields = dated(session, fields)  # the date patients would read if published now
        problems = check_article(session, fields, known_intents(request))
        values = hospital_values(session)
        related = related_titles(session, fields["related"])
        live = get_article(session, fields["slug"]) if fields["slug"] else None
        same_text = live is not None and text_of(article_fields(live)) == text_of(fields)
        signed_off_on = live.signed_off_on if same_text and live is not None else None
    updated = to_checked(fields).get("updated_on")

    def chat(text: str) -> list[dict[str, Any]]:
        answer = render_answer(
            fields["slug"] or "new-article",
            text,
            values=values,
            related=related,
            sources=fields["sources"],
            updated_on=updated if isinstance(updated, dt.date) else None,
            signed_off_on=signed_off_on,
        )
        return [asdict(m) for m in shape_reply([to_message(answer)])]

    return JSONResponse(
        {
            "messages": chat(fields["answer"]) if fields["answer"] else [],
            "details": chat(fields["details"]) if fields.get("details") else [],
            "measures": {k: asdict(m) for k, m in measures(fields).items()},
            "problems": [
                {"field": p.field, "message": p.message, "severity": p.severity} for p in problems
            ],
        },
        headers={"Cache-Control": "no-store"},
    )


# --- history, review, revert, unpublish ---


def _history(request: Request, slug: str, error: str | None = None) -> Response:
    with session_factory(request)() as session:
        history = revisions(session, slug)
        article = get_article(session, slug, published_only=False)
        if article is None and not history:
            raise HTTPException(404, "There is no article with that name.")
        context = {
            "slug": slug,
            "title": article.title if article else history[-1].fields.get("title", slug),
            "entries": history_entries(history),
            "published": article is not None and article.status == PUBLISHED,
            "required": slug in REQUIRED_SLUGS,
            "error": error,
        }
    return render(request, "admin/article_history.html", context, status=400 if error else 200)


@staff_page(EDITOR)
async def history_page(request: Request) -> Response:
    """GET: every revision with who, when, why, and its diff against the one before."""
    return _history(request, request.path_params["slug"])


async def _decide(request: Request, run: Any, notice: str) -> Response:
    """Run a reviewer's decision; a refusal shows the history page with the reason."""
    slug = request.path_params["slug"]
    staff = request.state.staff
    form = await read_form(request)
    try:
        with session_factory(request).begin() as session:
            run(session, slug, form, staff)
    except RevisionError as problem:
        return _history(request, slug, str(problem))
    return redirect(request, "admin:article_history", notice, slug=slug)


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
    """POST: publish an earlier revision's content again (one click)."""
    intents = known_intents(request)
    return await _decide(
        request,
        lambda s, slug, f, who: revert(s, slug, _number(f), intents, actor=who.actor),
        "reverted",
    )


@staff_page(REVIEWER)
async def unpublish_article(request: Request) -> Response:
    """POST: hide an article, unless it is required or other articles link to it."""
    return await _decide(
        request,
        lambda s, slug, f, who: unpublish(s, slug, str(f.get("reason", "")), actor=who.actor),
        "unpublished",
    )


@staff_page(REVIEWER)
async def sign_off_article(request: Request) -> Response:
    """POST: sign off the published text clinically, as the signed-in reviewer."""
    slug = request.path_params["slug"]
    form = await read_form(request)
    try:
        with session_factory(request).begin() as session:
            sign_off(session, slug, str(form.get("role", "")), actor=request.state.staff.actor)
    except RevisionError as problem:
        with session_factory(request)() as session:
            fields = working_fields(session, slug)
            latest = latest_revision(session, slug)
        if fields is None:
            raise HTTPException(404, "There is no article with that name.") from problem
        return _editor(
            request,
            form_values(fields),
            slug=slug,
            based_on=latest.number if latest else None,
            error=str(problem),
            status=400,
        )
    return redirect(request, "admin:article", "signed-off", slug=slug)
