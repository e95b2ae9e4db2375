"""The trial finder as the actions use it: read answers, ask questions, show results."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.kb.answers import Answer, unavailable
from bot.kb.hospital import HOSPITAL_DEFAULTS, current_values
from bot.kb.tables import PUBLISHED, Article
from bot.language import DEFAULT_LANGUAGE
from bot.trials import replies
from bot.trials.form import read_answers
from bot.trials.search import Sites, TrialQuery, cancer_choices, find_trials
from bot.trials.tables import Trial
from bot.trials.tags import TrialTagger

logger = logging.getLogger(__name__)


def sites_from(values: dict[str, str]) -> Sites:
    """This hospital's trial sites and country, from its settings."""
    names = tuple(n.strip() for n in values["trial_site_names"].split(",") if n.strip())
    return Sites(names=names, country=values["hospital_country"].strip())


def tagger_from(session: Session) -> TrialTagger:
    """A tagger that knows the published articles' terms."""
    articles = session.scalars(select(Article).where(Article.status == PUBLISHED))
    return TrialTagger({"slug": a.slug, "terms": a.terms} for a in articles)


class TrialFinder:
    """Trials from the database, for the actions.

    Args:
        session_factory: the one session factory of the process (the `ArticleStore`'s).
    """

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    def _values(self, session: Session) -> dict[str, str]:
        return current_values(session)

    def read(self, text: str, requested: str | None, *, free_text: bool = True) -> dict[str, Any]:
        """Slot values that `text` gives (see `bot.trials.form.read_answers`)."""
        try:
            with self.session_factory() as session:
                tagger = tagger_from(session)
                country = self._values(session)["hospital_country"]
        except SQLAlchemyError as error:
            logger.error("trial finder: database unreachable: %s", error.__class__.__name__)
            tagger, country = TrialTagger([]), HOSPITAL_DEFAULTS["hospital_country"]
        return read_answers(
            text, requested, kinds_in=tagger.kinds_named, country=country, free_text=free_text
        )

    def question(self, slot: str, *, language: str = DEFAULT_LANGUAGE) -> Answer:
        """The question for `slot` in `language`; cancer types of open trials become buttons."""
        try:
            with self.session_factory() as session:
                values = self._values(session)
                choices = cancer_choices(session)
        except SQLAlchemyError as error:
            logger.error("trial finder: database unreachable: %s", error.__class__.__name__)
            values, choices = dict(HOSPITAL_DEFAULTS), []
        return replies.question(slot, values, cancer_keys=choices, language=language)

    def results(
        self,
        query: TrialQuery,
        offset: int = 0,
        today: dt.date | None = None,
        *,
        language: str = DEFAULT_LANGUAGE,
    ) -> Answer:
        """The results page that starts at `offset`, in `language`."""
        try:
            with self.session_factory() as session:
                values = self._values(session)
                search = find_trials(session, query, sites_from(values))
                total = session.scalar(select(func.count()).select_from(Trial)) or 0
        except SQLAlchemyError as error:
            logger.error("trial finder: database unreachable: %s", error.__class__.__name__)
            return unavailable({}, language=language)
        return replies.results(
            search,
            values,
            offset=offset,
            total_in_list=total,
            today=today or dt.date.today(),
            language=language,
        )
