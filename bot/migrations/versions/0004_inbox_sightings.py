"""Inbox sightings: which conversation (by its keyed reference) sent an inbox message.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_sighting",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "item_id",
            sa.Integer(),
            sa.ForeignKey("inbox_item.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("conversation_ref", sa.String(12), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_inbox_sighting_item_id", "inbox_sighting", ["item_id"])
    op.create_index("ix_inbox_sighting_conversation_ref", "inbox_sighting", ["conversation_ref"])


def downgrade() -> None:
    op.drop_table("inbox_sighting")
