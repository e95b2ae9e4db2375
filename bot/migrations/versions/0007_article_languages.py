"""Articles in several languages: one row per (slug, language).

Every existing article is the English version (`language` "en"). The slug stops being
unique on its own: a French version shares its English version's slug. Downgrading
keeps only the English versions (the old schema has room for one per slug).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_article = sa.table("article", sa.column("language", sa.String(2)))


def upgrade() -> None:
    with op.batch_alter_table("article") as table:
        table.add_column(sa.Column("language", sa.String(2), nullable=False, server_default="en"))
        table.drop_index("ix_article_slug")
        table.create_index("ix_article_slug", ["slug"], unique=False)
        table.create_unique_constraint("uq_article_slug_language", ["slug", "language"])


def downgrade() -> None:
    op.get_bind().execute(_article.delete().where(_article.c.language != "en"))
    with op.batch_alter_table("article") as table:
        table.drop_constraint("uq_article_slug_language", type_="unique")
        table.drop_index("ix_article_slug")
        table.create_index("ix_article_slug", ["slug"], unique=True)
        table.drop_column("language")
