"""The HTML pages: the chat, the nurses' topic list, a topic's QR code and handout."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from bot.kb.answers import unavailable
from web.catalogue import find_topic, handout, topic_groups
from web.conversation_ids import new_conversation
from web.qr import qr_svg


def topic_link(request: Request, slug: str) -> str:
    """The public address that opens the chat on `slug` (what QR codes encode)."""
    return f"{request.app.state.settings.public_url}/?topic={slug}"


async def chat_page(request: Request) -> Response:
    """`/`: the chat. `?topic=<slug>` opens it on that topic's answer.

    Each load carries a fresh signed conversation id and its reference; the page keeps
    the one it already holds for this tab, so a reload continues the conversation.
    """
    state = request.app.state
    conversation = new_conversation(state.settings.secret_key)
    requested = request.query_params.get("topic")
    topic = find_topic(state.store, requested) if requested else None
    values = state.store.hospital_values_or_defaults()
    return state.templates.TemplateResponse(
        request,
        "chat.html",
        {
            "topic": topic,
            "topic_not_found": requested is not None and topic is None,
            "unavailable": unavailable(values).text,
            "embedded": request.query_params.get("embed") == "1",
            "conversation": conversation,
        },
        headers={"Cache-Control": "no-store"},  # an id is one browser's, never a cache's
    )


async def topics_page(request: Request) -> Response:
    """`/topics`: every published topic by group, with its link and QR code."""
    state = request.app.state
    return state.templates.TemplateResponse(
        request,
        "topics.html",
        {"groups": topic_groups(state.store), "public_url": state.settings.public_url},
    )


async def print_page(request: Request) -> Response:
    """`/topics/<slug>/print`: a one-page handout of the topic, with its QR code."""
    state = request.app.state
    content = handout(state.store, request.path_params["slug"])
    if content is None:
        raise HTTPException(404, "No published topic has this name.")
    return state.templates.TemplateResponse(
        request,
        "print.html",
        {"handout": content, "link": topic_link(request, content.topic.slug)},
    )


async def qr_code(request: Request) -> Response:
    """`/topics/<slug>/qr.svg`: the QR code of the topic's chat link."""
    topic = find_topic(request.app.state.store, request.path_params["slug"])
    if topic is None:
        raise HTTPException(404, "No published topic has this name.")
    return Response(
        qr_svg(topic_link(request, topic.slug)),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=3600"},
    )
