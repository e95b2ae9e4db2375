"""Load a trained Rasa model in this process and parse messages with its NLU pipeline."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bot.training import rasa_commands


def parse_all(model: Path, texts: Iterable[str]) -> list[dict[str, Any]]:
    """Rasa's parse result for each text: intent, intent_ranking, entities, added keys."""
    os.environ.update(rasa_commands.environment())
    from rasa.core.agent import Agent  # after the environment: it quiets TensorFlow

    logging.getLogger("rasa").setLevel(logging.WARNING)
    agent = Agent.load(str(model))

    async def run() -> list[dict[str, Any]]:
        return [await agent.parse_message(text) for text in texts]

    return asyncio.run(run())
