"""Answers: the article list, the editor with its live preview, history, review, revert.

Every rule lives in `bot.revisions` (which also checks the role); these pages read
forms, call it, and show what happened. `staff_page(...)` is the first gate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.answers import render as render_answer
from bot.article_diff import diff_fields
from bot.kb_files import ENTITY_KINDS
from bot.kb_store import hospital_values, related_titles
from bot.models import PUBLISHED, Article
from bot.revisions import (
    STATE_DRAFT,
    STATE_PUBLISHED,
    STATE_SUBMITTED,
    NotAllowed,
    RevisionError,
    approve,
    check_article,
    latest_revision,
    measures,
    pending_submissions,
    publish,
    reject,
    revert,
    revisions,
    save_draft,
    submit,
    to_checked,
    unpublish,
    working_fields,
)
from bot.staff_models import EDITOR, REVIEWER, ArticleRevision
from bot.topics import GROUPS, REQUIRED_SLUGS, domain_intents
from web.admin.common import (
    NOTICES,
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
    }
)
ACTIONS = {"draft": save_draft, "submit": submit, "publish": publish}
STALE_AFTER = dt.timedelta(days=365)
RESERVED_SLUGS = ("new", "preview", "export", "import")  # /admin/articles/<these> are pages
MAX_PREVIEW_BYTES = 100_000
TEXT_FIELDS = ("slug", "title", "group", "answer", "details", "source", "reviewed_on")


def known_intents(request: Request) -> list[str] | None:
    """The Rasa domain's intents (a related topic needs one for its button)."""
    return domain_intents(request.app.state.settings.domain_file)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace("\n", ",").split(",") if part.strip()]


def fields_from(values: Mapping[str, Any]) -> dict[str, Any]:
    """The article's fields from the editor's inputs (a form or the preview's JSON).

    Related slugs and terms are typed comma-separated; one input per kind of term.
    """

    def text(name: str) -> str:
        value = values.get(name, "")
        return value.strip() if isinstance(value, str) else ""

    fields: dict[str, Any] = {name: text(name) for name in TEXT_FIELDS}
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
    values["related"] = ", ".join(fields.get("related") or [])
    for kind in ENTITY_KINDS:
        values[f"terms_{kind}"] = ", ".join((fields.get("terms") or {}).get(kind) or [])
    return values


# --- the list ---


def _row(article: Article | None, latest: ArticleRevision | None, slug: str) -> dict[str, Any]:
    fields = dict(latest.fields) if article is None and latest else {}
    reviewed = article.reviewed_on if article else None
    if article is None:
        status = "new, not published"
    else:
        status = "published" if article.status == PUBLISHED else "unpublished"
    return {
        "slug": slug,
        "title": article.title if article else fields.get("title", slug),
        "group": article.group if article else fields.get("group", ""),
        "text": " ".join(
            str(x or "")
            for x in (
                (article.answer, article.details)
                if article
                else (fields.get("answer"), fields.get("details"))
            )
        ),
        "status": status,
        "published": article is not None and article.status == PUBLISHED,
        "waiting": latest is not None and latest.state == STATE_SUBMITTED,
        "draft": latest is not None and latest.state == STATE_DRAFT,
        "reviewed_on": reviewed,
        "stale": reviewed is not None and dt.date.today() - reviewed > STALE_AFTER,
    }


def article_rows(session: Session) -> list[dict[str, Any]]:
    """Every article, published or not, with its review state."""
    articles = {a.slug: a for a in session.scalars(select(Article))}
    latest: dict[str, ArticleRevision] = {}
    for revision in session.scalars(select(ArticleRevision).order_by(ArticleRevision.number)):
        latest[revision.slug] = revision
    slugs = sorted(set(articles) | set(latest))
    rows = [_row(articles.get(s), latest.get(s), s) for s in slugs]
    return sorted(rows, key=lambda r: (r["group"], r["title"].lower()))


def _matches(row: Mapping[str, Any], query: Mapping[str, str]) -> bool:
    words = query.get("q", "").strip().lower()
    if words and not all(
        w in f"{row['title']} {row['slug']} {row['text']}".lower() for w in words.split()
    ):
        return False
    if query.get("group") and row["group"] != query["group"]:
        return False
    status = query.get("status", "")
    if status == "published" and not row["published"]:
        return False
    if status == "draft" and not (row["draft"] or not row["published"]):
        return False
    if status == "review" and not row["waiting"]:
        return False
    return not (query.get("old") and not row["stale"])


@staff_page(EDITOR)
async def articles_page(request: Request) -> Response:
    """GET: every article, searchable and filtered; reviewers see the review queue."""
    query = {k: request.query_params.get(k, "") for k in ("q", "group", "status", "old")}
    with session_factory(request)() as session:
        rows = [r for r in article_rows(session) if _matches(r, query)]
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
    return render(
        request,
        "admin/article_edit.html",
        {
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
    action = ACTIONS.get(str(form.get("action", "")))
    if action is None:
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
    kwargs: dict[str, Any] = {
        "actor": staff.name,
        "role": staff.role,
        "based_on": int(based_on) if based_on.isdigit() else None,
        "new": slug is None,
    }
    try:
        with session_factory(request).begin() as session:
            if action is save_draft:
                save_draft(session, target, fields, reason, **kwargs)
            else:
                action(session, target, fields, reason, known_intents(request), **kwargs)
    except NotAllowed as refused:
        raise HTTPException(403, str(refused)) from refused
    except RevisionError as problem:
        return _editor(
            request,
            form_values(fields),
            slug=slug,
            based_on=kwargs["based_on"],
            reason=reason,
            error=str(problem),
            status=400,
        )
    notice = {"draft": "draft-saved", "submit": "submitted", "publish": "published"}
    return redirect(request, "admin:article", notice[str(form["action"])], slug=target)


@staff_page(EDITOR)
async def new_article(request: Request) -> Response:
    """GET: an empty editor; POST: save the new article as a draft, submission or live."""
    if request.method == "POST":
        return await _save(request, None)
    values = form_values({"reviewed_on": dt.date.today().isoformat()})
    return _editor(request, values, slug=None, based_on=None)


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


@staff_page(EDITOR)
async def preview(request: Request) -> Response:
    """POST (JSON): the draft as the chat shows it, its reading grade, words and problems."""
    body = await request.body()
    if len(body) > MAX_PREVIEW_BYTES:
        return JSONResponse({"error": "This article is too long to preview."}, status_code=413)
    try:
        data = await request.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return JSONResponse({"error": "The preview could not read the form."}, status_code=400)
    fields = fields_from(data)
    fields["status"] = PUBLISHED
    with session_factory(request)() as session:
        problems = check_article(session, fields, known_intents(request))
        values = hospital_values(session)
        related = related_titles(session, fields["related"])
    checked = to_checked(fields)
    reviewed = checked.get("reviewed_on")
    reviewed = reviewed if isinstance(reviewed, dt.date) else None

    def chat(text: str) -> list[dict[str, Any]]:
        answer = render_answer(
            fields["slug"] or "new-article",
            text,
            values=values,
            related=related,
            source=fields["source"] or None,
            reviewed_on=reviewed,
        )
        # Shaped like Rasa's REST reply to actions/common.py `send`, then as the chat does.
        reply = [
            {
                "text": answer.full_text,
                "buttons": [{"title": b.title, "payload": b.payload} for b in answer.buttons],
                "custom": {"kb_article": answer.slug, "urgent": answer.urgent},
            }
        ]
        return [asdict(m) for m in shape_reply(reply)]

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
        article = session.scalars(select(Article).where(Article.slug == slug)).first()
        if article is None and not history:
            raise HTTPException(404, "There is no article with that name.")
        entries = []
        previous: ArticleRevision | None = None
        live: ArticleRevision | None = None  # the last published version so far
        for revision in history:
            # A reviewer judges a submission against what patients see now.
            against = live if revision.state == STATE_SUBMITTED else previous
            entries.append(
                {
                    "revision": revision,
                    "against": against.number if against else None,
                    "diffs": diff_fields(against.fields, revision.fields) if against else [],
                }
            )
            previous = revision
            if revision.state == STATE_PUBLISHED:
                live = revision
        context = {
            "slug": slug,
            "title": article.title if article else history[-1].fields.get("title", slug),
            "entries": list(reversed(entries)),
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
    except NotAllowed as refused:
        raise HTTPException(403, str(refused)) from refused
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
            lambda s, slug, f, who: approve(
                s, slug, _number(f), intents, actor=who.name, role=who.role
            ),
            "published",
        )
    return await _decide(
        request,
        lambda s, slug, f, who: reject(
            s, slug, _number(f), str(f.get("reason", "")), actor=who.name, role=who.role
        ),
        "rejected",
    )


@staff_page(REVIEWER)
async def revert_article(request: Request) -> Response:
    """POST: publish an earlier revision's content again (one click)."""
    intents = known_intents(request)
    return await _decide(
        request,
        lambda s, slug, f, who: revert(s, slug, _number(f), intents, actor=who.name, role=who.role),
        "reverted",
    )


@staff_page(REVIEWER)
async def unpublish_article(request: Request) -> Response:
    """POST: hide an article, unless it is required or other articles link to it."""
    return await _decide(
        request,
        lambda s, slug, f, who: unpublish(
            s, slug, str(f.get("reason", "")), actor=who.name, role=who.role
        ),
        "unpublished",
    )
