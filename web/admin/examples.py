"""An article's questions: the examples that teach the assistant to answer with it.

A new topic needs no developer: staff write the article, add here a few ways people
ask for it, publish it, then train and deploy (the topic's intent and rule are generated
from the published articles at training). Examples are staff examples of the article's
intent (`ask_<slug>`), kept in the database like the ones taught from the inbox.
"""

from __future__ import annotations

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from bot.kb.tables import Article
from bot.kb.topics import intent_for_slug, is_generated_topic
from bot.language import DEFAULT_LANGUAGE, LANGUAGES
from bot.staff.roles import EDITOR
from bot.training.examples import ExampleError, add_example, remove_example
from bot.training.tables import TrainingExample
from web.admin.common import (
    NOTICES,
    known_intents,
    read_form,
    redirect,
    render,
    session_factory,
    staff_page,
)
from web.admin.languages import LANGUAGE_NAMES

NOTICES.update(
    {
        "examples-added": "Examples added. They count from the next training.",
        "example-removed": "Example removed. It stops counting from the next training.",
    }
)
MAX_LINES = 50  # one form at a time; more is refused


async def _page(
    request: Request,
    slug: str,
    error: str | None = None,
    typed: str = "",
    language: str = DEFAULT_LANGUAGE,
) -> Response:
    intent = intent_for_slug(slug)
    with session_factory(request)() as session:
        article = session.scalars(
            select(Article).where(Article.slug == slug, Article.language == DEFAULT_LANGUAGE)
        ).first()
        if article is None:
            raise HTTPException(404, "There is no such article.")
        examples = session.scalars(
            select(TrainingExample)
            .where(TrainingExample.intent == intent)
            .order_by(TrainingExample.language, TrainingExample.text)
        ).all()
        context = {
            "slug": slug,
            "title": article.title,
            "published": article.status == "published",
            "intent": intent,
            "generated": is_generated_topic(slug),
            "examples": examples,
            "error": error,
            "typed": typed,
            "language": language,
            "languages": {code: LANGUAGE_NAMES[code] for code in LANGUAGES},
        }
    return render(request, "admin/article_examples.html", context, status=400 if error else 200)


@staff_page(EDITOR)
async def examples_page(request: Request) -> Response:
    """GET: the article's staff examples. POST: add some (one per line), or remove one."""
    slug = str(request.path_params["slug"])
    if request.method == "GET":
        return await _page(request, slug)
    form = await read_form(request)
    me = request.state.staff.name
    typed = str(form.get("examples", ""))
    language = str(form.get("language", "")) or DEFAULT_LANGUAGE
    lines = [line for line in typed.splitlines() if line.strip()]
    intents = known_intents(request) or []
    try:
        with session_factory(request).begin() as session:
            if session.scalars(select(Article.id).where(Article.slug == slug)).first() is None:
                raise HTTPException(404, "There is no such article.")
            if form.get("action") == "remove":
                try:
                    example_id = int(str(form.get("example", "")))
                except ValueError:
                    raise ExampleError(
                        "That example is not in the list; reload the page."
                    ) from None
                remove_example(session, example_id, intent_for_slug(slug), actor=me)
                notice = "example-removed"
            else:
                if not lines:
                    raise ExampleError("Write at least one question, one per line.")
                if len(lines) > MAX_LINES:
                    raise ExampleError(f"At most {MAX_LINES} questions at a time.")
                for line in lines:
                    add_example(
                        session, line, intent_for_slug(slug), intents, actor=me, language=language
                    )
                notice = "examples-added"
    except ExampleError as problem:
        return await _page(request, slug, str(problem), typed, language)
    return redirect(request, "admin:article_examples", notice, slug=slug)
