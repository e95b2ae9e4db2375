"""Conversation retention while the web app runs: purge at start-up, then once a day.

The purge itself is `bot.staff.conversations.purge`; this module only schedules it, in a
worker thread so the event loop keeps serving, and logs counts, never text or ids.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from anyio import to_thread
from sqlalchemy.exc import SQLAlchemyError

from bot.db import make_engine, make_session_factory
from bot.errors import Refused
from bot.settings import Settings
from bot.staff.conversations import PurgeReport, purge

PURGE_EVERY_SECONDS = 24 * 3600
logger = logging.getLogger(__name__)


def purge_once(settings: Settings) -> PurgeReport | None:
    """Run one purge with its own engine; log and return None if it cannot run."""
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine).begin() as session:
            report = purge(
                session, settings.tracker_store_url, settings.conversation_retention_days
            )
    except (Refused, SQLAlchemyError) as error:  # the app serves on; the next run retries
        logger.warning("conversation purge failed: %s", error.__class__.__name__)
        return None
    finally:
        engine.dispose()
    logger.info(
        "conversation purge: %d conversation(s) (%d events) and %d inbox item(s) older "
        "than %d days deleted",
        report.conversations,
        report.events,
        report.inbox_items,
        settings.conversation_retention_days,
    )
    return report


async def _daily(settings: Settings, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            await to_thread.run_sync(purge_once, settings)
        except Exception as error:  # noqa: BLE001 - a bug must not end the daily purge
            # The class only: a message could quote a conversation's id or text.
            logger.error("conversation purge crashed: %s", error.__class__.__name__)


@asynccontextmanager
async def retention(settings: Settings, every: float = PURGE_EVERY_SECONDS) -> AsyncIterator[None]:
    """For the app's lifespan: purge once before serving, then every `every` seconds."""
    await to_thread.run_sync(purge_once, settings)
    task = asyncio.create_task(_daily(settings, every))
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
