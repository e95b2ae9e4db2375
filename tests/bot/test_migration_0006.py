"""Migration 0006: a v1 article and its history become format v2, unsigned."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from alembic import command
from sqlalchemy import text

from bot.db import _alembic_config, make_engine, upgrade


def test_old_source_becomes_one_unlinked_source_and_review_date_the_updated_date(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(_alembic_config(engine), "0005")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO article (slug, title, group_name, answer, related, terms, source, "
                "reviewed_on, status, updated_at) VALUES ('car-t-cells', 'CAR-T', 'types', "
                "'Text.', '[]', '{}', 'NCI,\n  CAR T Cells', '2026-11-29', 'published', "
                "'2026-11-29 10:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO article_revision (slug, number, fields, state, author, reason, "
                "created_at) VALUES ('car-t-cells', 1, :fields, 'published', 'x', 'y', "
                "'2026-11-29 10:00:00')"
            ),
            {"fields": '{"slug": "car-t-cells", "source": "NCI", "reviewed_on": "2026-11-29"}'},
        )
    upgrade(engine)
    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT sources, updated_on, signed_off_by, signed_off_role, signed_off_on "
                "FROM article"
            )
        ).one()
        fields = connection.execute(text("SELECT fields FROM article_revision")).scalar_one()
    assert row[0] == '[{"name": "NCI, CAR T Cells"}]'
    assert dt.date.fromisoformat(row[1]) == dt.date(2026, 11, 29)
    assert row[2:] == (None, None, None)
    assert '"sources": [{"name": "NCI"}]' in fields and '"updated_on": "2026-11-29"' in fields
    assert "reviewed_on" not in fields
    command.downgrade(_alembic_config(engine), "0005")
    with engine.connect() as connection:
        old = connection.execute(text("SELECT source, reviewed_on FROM article")).one()
    assert old[0] == "NCI, CAR T Cells" and str(old[1]) == "2026-11-29"
