"""The staff workspace in two languages: revisions, inbox messages and examples say theirs.

Every existing revision is of an English version, every example English; inbox messages
read before now have no known language (None, shown as "?"). Revision numbers stay
unique per slug across languages, so "version 7" of an article names one revision.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("article_revision") as table:
        table.add_column(sa.Column("language", sa.String(2), nullable=False, server_default="en"))
    with op.batch_alter_table("training_example") as table:
        table.add_column(sa.Column("language", sa.String(2), nullable=False, server_default="en"))
    with op.batch_alter_table("inbox_item") as table:
        table.add_column(sa.Column("language", sa.String(8), nullable=True))
        table.create_index("ix_inbox_item_language", ["language"])


def downgrade() -> None:
    # The old schema has one version per slug: French revisions would read as English ones.
    revisions = sa.table("article_revision", sa.column("language", sa.String(2)))
    op.get_bind().execute(revisions.delete().where(revisions.c.language != "en"))
    with op.batch_alter_table("inbox_item") as table:
        table.drop_index("ix_inbox_item_language")
        table.drop_column("language")
    with op.batch_alter_table("training_example") as table:
        table.drop_column("language")
    with op.batch_alter_table("article_revision") as table:
        table.drop_column("language")
