"""Staff sign-in hardening: idle timeout of sessions, an admin's unlock of a name.

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_session") as table:
        table.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("idle_minutes", sa.Integer(), nullable=True))
    with op.batch_alter_table("staff_user") as table:
        table.add_column(
            sa.Column("sign_in_unlocked_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    # Batch mode: SQLite drops a column by copying the table.
    with op.batch_alter_table("staff_user") as table:
        table.drop_column("sign_in_unlocked_at")
    with op.batch_alter_table("staff_session") as table:
        table.drop_column("idle_minutes")
        table.drop_column("last_seen_at")
