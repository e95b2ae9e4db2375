"""The HTML pages: the chat, the nurses' topic list, a topic's QR code and handout.

Each page is drawn in one language (`web.i18n.page_language`: `?lang=`, else the
browser's preference, else English); every link it makes carries that `lang=`.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from bot.kb.answers import unavailable
from bot.language import LANGUAGES
from web.catalogue import find_topic, handout, topic_groups
from web.conversation_ids import new_conversation
from web.i18n import LANGUAGE_NAMES, page_language, say, texts
from web.qr import qr_svg

# Pages drawn from Accept-Language must not be served from a cache to another reader.
VARY = {"Vary": "Accept-Language"}


def topic_link(public_url: str, slug: str, language: str) -> str:
    """The public address that opens the chat on `slug` in `language` (what QR codes encode)."""
    return f"{public_url}/?{urlencode({'topic': slug, 'lang': language})}"


def page_context(language: str, **values: Any) -> dict[str, Any]:
    """What every public template needs: the language, its texts, the switch's names."""
    return {"lang": language, "ui": texts(language), "language_names": LANGUAGE_NAMES, **values}


def chat_strings(values: dict[str, str]) -> str:
    """Every text of the chat page in both languages, with the care-team contact, as JSON."""
    return json.dumps(
        {
            language: {**texts(language), "unavailable": _unavailable(values, language)}
            for language in LANGUAGES
        },
        ensure_ascii=False,
    )


def _unavailable(values: dict[str, str], language: str) -> str:
    return unavailable(values, language=language).text


async def chat_page(request: Request) -> Response:
    """`/`: the chat. `?topic=<slug>` opens it on that topic's answer, `?lang=` in a language.

    Each load carries a fresh signed conversation id and its reference; the page keeps
    the one it already holds for this tab, so a reload continues the conversation.
    """
    state = request.app.state
    language = page_language(request)
    conversation = new_conversation(state.settings.secret_key)
    requested = request.query_params.get("topic")
    topic = find_topic(state.store, requested, language=language) if requested else None
    values = state.store.hospital_values_or_defaults()
    return state.templates.TemplateResponse(
        request,
        "chat.html",
        page_context(
            language,
            topic=topic,
            topic_not_found=requested is not None and topic is None,
            unavailable=_unavailable(values, language),
            strings_json=chat_strings(values),
            embedded=request.query_params.get("embed") == "1",
            conversation=conversation,
        ),
        headers={"Cache-Control": "no-store"},  # an id is one browser's, never a cache's
    )


async def topics_page(request: Request) -> Response:
    """`/topics`: every published topic by group, with its link and QR code."""
    state = request.app.state
    language = page_language(request)
    public_url = state.settings.public_url
    return state.templates.TemplateResponse(
        request,
        "topics.html",
        page_context(
            language,
            groups=topic_groups(state.store, language=language),
            topic_link=lambda slug: topic_link(public_url, slug, language),
        ),
        headers=VARY,
    )


async def print_page(request: Request) -> Response:
    """`/topics/<slug>/print`: a one-page handout of the topic, with its QR code."""
    state = request.app.state
    language = page_language(request)
    content = handout(state.store, request.path_params["slug"], language=language)
    if content is None:
        raise HTTPException(404, say("error_no_topic", language))
    return state.templates.TemplateResponse(
        request,
        "print.html",
        page_context(
            language,
            handout=content,
            link=topic_link(state.settings.public_url, content.topic.slug, language),
        ),
        headers=VARY,
    )


async def qr_code(request: Request) -> Response:
    """`/topics/<slug>/qr.svg`: the QR code of the topic's chat link, with its `lang=`."""
    state = request.app.state
    language = page_language(request)
    topic = find_topic(state.store, request.path_params["slug"], language=language)
    if topic is None:
        raise HTTPException(404, say("error_no_topic", language))
    return Response(
        qr_svg(topic_link(state.settings.public_url, topic.slug, language)),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=3600", **VARY},
    )
