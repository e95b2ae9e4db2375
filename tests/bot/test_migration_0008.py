"""Migration 0008: revisions and examples say their language; old inbox items have none."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from bot.db import _alembic_config, make_engine, upgrade


def test_existing_rows_become_english_and_a_downgrade_drops_french_revisions(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(_alembic_config(engine), "0007")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO article_revision (slug, number, fields, state, author, reason, "
                "created_at) VALUES ('car-t-cells', 1, '{}', 'published', 'x', 'y', "
                "'2026-11-29 10:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO training_example (text, intent, added_by, added_at) "
                "VALUES ('what is it', 'ask_car_t_cells', 'eddie', '2026-11-29 10:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO inbox_item (text, group_key, reason, count, first_seen, last_seen, "
                "status) VALUES ('hm', 'hm', 'not_understood', 1, '2026-11-29 10:00:00', "
                "'2026-11-29 10:00:00', 'open')"
            )
        )
    upgrade(engine)
    with engine.begin() as connection:
        assert connection.execute(text("SELECT language FROM article_revision")).scalar() == "en"
        assert connection.execute(text("SELECT language FROM training_example")).scalar() == "en"
        assert connection.execute(text("SELECT language FROM inbox_item")).scalar() is None
        connection.execute(
            text(
                "INSERT INTO article_revision (slug, number, fields, state, author, reason, "
                "created_at, language) VALUES ('car-t-cells', 2, '{}', 'draft', 'x', 'y', "
                "'2026-11-29 10:00:00', 'fr')"
            )
        )
    command.downgrade(_alembic_config(engine), "0007")
    with engine.connect() as connection:
        numbers = connection.execute(text("SELECT number FROM article_revision")).scalars()
        assert list(numbers) == [1]
