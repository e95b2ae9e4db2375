"""The inbox page: messages the assistant did not answer well, and teaching it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from bot.kb.store import published_articles
from bot.kb.topics import intent_for_slug, slug_for_intent
from bot.language import LANGUAGES
from bot.staff.inbox import InboxError, dismiss, open_groups, point, sync, teach
from bot.staff.roles import EDITOR
from bot.staff.tracker_store import REASONS, TrackerStoreUnavailable
from bot.training.examples import ExampleError, list_examples
from web.admin.common import (
    NOTICES,
    known_intents,
    read_form,
    redirect,
    render,
    session_factory,
    staff_page,
)
from web.admin.languages import INBOX_LANGUAGE_NAMES

NOTICES.update(
    {
        "inbox-synced": "The inbox is up to date with the assistant's conversations.",
        "inbox-taught": "Added as training examples. They count from the next training.",
        "inbox-pointed": "Added as examples of the article's question.",
        "inbox-dismissed": "Dismissed.",
    }
)
_ACTIONS = {"teach": "inbox-taught", "point": "inbox-pointed", "dismiss": "inbox-dismissed"}


def _intent_choices(request: Request, titles: dict[str, str]) -> list[tuple[str, str]]:
    """Every intent of the domain as (intent, readable label), labels sorted."""
    intents = known_intents(request) or []
    labelled = []
    for intent in intents:
        slug = slug_for_intent(intent)
        title = titles.get(slug or "")
        labelled.append((intent, f"{title} ({intent})" if title else intent))
    return sorted(labelled, key=lambda pair: pair[1].lower())


async def _page(request: Request, error: str | None = None) -> Response:
    reason = request.query_params.get("reason", "")
    reason = reason if reason in REASONS else ""
    language = request.query_params.get("language", "")
    language = language if language in INBOX_LANGUAGE_NAMES else ""
    with session_factory(request)() as session:
        articles = published_articles(session)
        titles = {a.slug: a.title for a in articles}
        intents = _intent_choices(request, titles)
        known = {intent for intent, _ in intents}
        context = {
            "groups": open_groups(session, reason or None, language or None),
            "reasons": REASONS,
            "reason": reason,
            "language": language,
            "languages": INBOX_LANGUAGE_NAMES,
            "teachable_languages": LANGUAGES,
            "intents": intents,
            "articles": sorted(
                ((a.slug, a.title) for a in articles if intent_for_slug(a.slug) in known),
                key=lambda pair: pair[1].lower(),
            ),
            "examples": sorted(list_examples(session), key=lambda e: e.added_at, reverse=True),
            "error": error,
        }
    return render(request, "admin/inbox.html", context, status=400 if error else 200)


@staff_page(EDITOR)
async def inbox_page(request: Request) -> Response:
    """GET: open messages grouped with their near-duplicates, and the staff examples."""
    return await _page(request)


@staff_page(EDITOR)
async def sync_inbox(request: Request) -> Response:
    """POST: read the new conversations from Rasa's store."""
    settings = request.app.state.settings
    try:
        with session_factory(request).begin() as session:
            sync(
                session,
                settings.tracker_store_url,
                key=settings.secret_key,
                actor=request.state.staff.name,
            )
    except TrackerStoreUnavailable as problem:
        return await _page(request, str(problem))
    return redirect(request, "admin:inbox", "inbox-synced")


@staff_page(EDITOR)
async def act_on_items(request: Request) -> Response:
    """POST: teach the chosen messages an intent, point them at an article, or dismiss them."""
    form = await read_form(request)
    action = str(form.get("action", ""))
    me = request.state.staff.name
    try:
        ids = [int(value) for value in form.getlist("item")]
    except ValueError:
        return await _page(request, "Those messages are not in the inbox; reload the page.")
    intents = known_intents(request) or []
    # Only for messages whose language is not known: the others teach their own.
    language = str(form.get("language", "")) or None
    try:
        with session_factory(request).begin() as session:
            if action == "teach":
                intent = str(form.get("intent", ""))
                teach(session, ids, intent, intents, actor=me, language=language)
            elif action == "point":
                slug = str(form.get("slug", ""))
                point(session, ids, slug, intents, actor=me, language=language)
            elif action == "dismiss":
                dismiss(session, ids, actor=me)
            else:
                raise InboxError("Choose what to do with the messages.")
    except (InboxError, ExampleError) as problem:
        return await _page(request, str(problem))
    return redirect(request, "admin:inbox", _ACTIONS[action])
