"""Answers: the article list, the editor with its live preview, history, review, revert.

Every rule lives in `bot.staff.revisions` (which also checks the role); these pages read
forms, call it, and show what happened. `staff_page(...)` is the first gate.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from bot.kb.answers import render as render_answer
from bot.kb.answers import to_message
from bot.kb.files import ENTITY_KINDS, LANGUAGE_NAMES, SHARED_FIELDS
from bot.kb.hospital import hospital_values
from bot.kb.reading_level import MAX_GRADE, MIN_EASE, measures
from bot.kb.store import get_article, related_titles
from bot.kb.tables import PUBLISHED, Article, article_fields, text_of
from bot.kb.topics import GROUPS, REQUIRED_SLUGS
from bot.language import DEFAULT_LANGUAGE, LANGUAGES, as_language
from bot.staff.revision_checks import (
    RevisionError,
    article_rows,
    check_article,
    complete,
    history_entries,
    to_checked,
)
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
TEXT_FIELDS = ("slug", "title", "group", "answer", "details")
SOURCE_SEPARATOR = " | "  # one source a line: "name | https://address"
# The editor's example of a source line, per language (real publishers' home pages).
SOURCE_EXAMPLES = {
    "en": 'US National Cancer Institute, "CAR T Cells" | '
    "https://www.cancer.gov/about-cancer/treatment/research/car-t-cells",
    "fr": "Institut national du cancer (INCa) | https://www.e-cancer.fr/",
}
# The reading target the editor names beside the answer, as `kb check` measures it.
READING_TARGETS = {
    "en": f"reading grade {MAX_GRADE:g} or below",
    "fr": f"French reading ease {MIN_EASE:g} or more",
}


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


def language_from(values: Mapping[str, Any]) -> str:
    """The version a form or a link is about (`language` or `lang`); English by default."""
    value = values.get("language") or values.get("lang")
    return as_language(value) or DEFAULT_LANGUAGE


def fields_from(values: Mapping[str, Any]) -> dict[str, Any]:
    """The article version's fields from the editor's inputs (a form or the preview's JSON).

    Related slugs and terms are typed comma-separated; one input per kind of term. A
    translation's form has no group or related topics (the English version's are shared)
    and says its `language`.
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
    language = language_from(values)
    if language != DEFAULT_LANGUAGE:
        for name in SHARED_FIELDS:
            fields.pop(name, None)
        fields["language"] = language
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
        {
            "rows": rows,
            "query": query,
            "groups": list(GROUPS),
            "queue": queue,
            "language_names": LANGUAGE_NAMES,
        },
    )


# --- the editor ---


@dataclass
class VersionForm:
    """One language version's column of the editor."""

    language: str
    values: dict[str, str]
    live: Article | None = None  # the version's row: its date and clinical sign-off
    based_on: int | None = None
    written: bool = True  # False: no such version yet (the form starts empty)
    reason: str = ""
    error: str | None = None

    @property
    def prefix(self) -> str:
        """What starts this column's element ids: none for English, "fr-" for French."""
        return "" if self.language == DEFAULT_LANGUAGE else f"{self.language}-"

    @property
    def name(self) -> str:
        """The language's name for staff ("French")."""
        return LANGUAGE_NAMES.get(self.language, self.language)

    @property
    def heading(self) -> str:
        """The column's heading."""
        return f"{self.name} version"

    @property
    def reading_target(self) -> str:
        """The reading target `kb check` holds this version to."""
        return READING_TARGETS.get(self.language, READING_TARGETS[DEFAULT_LANGUAGE])

    @property
    def source_example(self) -> str:
        """An example source line, from a publisher in this language."""
        return SOURCE_EXAMPLES.get(self.language, SOURCE_EXAMPLES[DEFAULT_LANGUAGE])


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
