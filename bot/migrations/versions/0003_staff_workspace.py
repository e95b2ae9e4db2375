"""Staff workspace: users, sessions, audit log, article revisions, inbox, models.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "staff_user",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _when("created_at"),
        _when("last_login_at", nullable=True),
    )
    op.create_index("ix_staff_user_name", "staff_user", ["name"], unique=True)
    op.create_table(
        "staff_session",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("staff_user.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        _when("created_at"),
        _when("expires_at"),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        _when("at"),
        sa.Column("actor", sa.String(80), nullable=True),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("target", sa.String(200), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    op.create_index("ix_audit_event_at", "audit_event", ["at"])
    op.create_table(
        "article_revision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(80), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("author", sa.String(80), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _when("created_at"),
        sa.Column("based_on", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.String(80), nullable=True),
        _when("decided_at", nullable=True),
        sa.UniqueConstraint("slug", "number"),
    )
    op.create_index("ix_article_revision_slug", "article_revision", ["slug"])
    op.create_table(
        "inbox_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("group_key", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(30), nullable=False),
        sa.Column("intent", sa.String(80), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        _when("first_seen"),
        _when("last_seen"),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("resolution", sa.String(200), nullable=True),
        sa.Column("resolved_by", sa.String(80), nullable=True),
        _when("resolved_at", nullable=True),
    )
    op.create_index("ix_inbox_item_group_key", "inbox_item", ["group_key"])
    op.create_index("ix_inbox_item_status", "inbox_item", ["status"])
    op.create_table(
        "inbox_cursor",
        sa.Column("source", sa.String(200), primary_key=True),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
    )
    op.create_table(
        "training_example",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(80), nullable=False),
        sa.Column("added_by", sa.String(80), nullable=False),
        _when("added_at"),
        sa.Column(
            "inbox_item_id",
            sa.Integer(),
            sa.ForeignKey("inbox_item.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.UniqueConstraint("text", "intent"),
    )
    op.create_table(
        "model_run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("started_by", sa.String(80), nullable=True),
        _when("started_at"),
        _when("finished_at", nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("stage", sa.String(40), nullable=True),
        sa.Column("log_tail", sa.Text(), nullable=False),
        sa.Column("test_results", sa.JSON(), nullable=False),
        sa.Column("model_path", sa.Text(), nullable=True),
        _when("deployed_at", nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    for table in (
        "model_run",
        "training_example",
        "inbox_cursor",
        "inbox_item",
        "article_revision",
        "audit_event",
        "staff_session",
        "staff_user",
    ):
        op.drop_table(table)
