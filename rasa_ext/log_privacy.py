"""Keep patients' words out of Rasa's own log lines (defence in depth).

Rasa writes the whole message to the log, at WARNING, when a message that starts with
"/" does not parse as a coded intent: a `UserWarning` "Failed to parse arguments in line
'<message>'" and a structlog event `message.parsing.failed` with the text. The channels
already pass such messages on as plain words (`bot.inbound.as_words`); these filters
drop the two records anyway, should any other path reach the parser.
"""

from __future__ import annotations

import logging
import warnings

# The prefixes of Rasa 3.6's messages that quote the user's text.
_WARNING_PATTERN = r"Failed to parse arguments"
_MARKERS = ("Failed to parse arguments", "message.parsing.failed")
# The loggers those records are made on (structlog names them after the module).
_LOGGERS = ("rasa.shared.core.training_data.story_reader.yaml_story_reader", "py.warnings")


class DropMessageText(logging.Filter):
    """Drop log records that quote a message Rasa failed to parse."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False (drop) for Rasa's parse-failure records; True for everything else."""
        try:
            text = record.getMessage()
        except Exception:  # a record whose arguments do not format: not ours to judge
            return True
        return not any(marker in text for marker in _MARKERS)


_FILTER = DropMessageText()


def install() -> None:
    """Silence Rasa's parse-failure warnings and drop its matching log records.

    Safe to call more than once. Called when the channels load, which is after Rasa set
    its own warning filters, so this one comes first and wins.
    """
    warnings.filterwarnings("ignore", message=_WARNING_PATTERN, category=UserWarning)
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    for handler in logging.getLogger().handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
