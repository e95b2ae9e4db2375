"""Linked sources, honest dates and clinical sign-off of articles.

`source` (free text) becomes `sources`, a list of {name, url}: the old text is kept as
one source with that name and no URL (kb check then asks for the URL). `reviewed_on`
was the day the text was written, so it becomes `updated_on`; who signed the text off
clinically, and when, is new and empty: nobody has yet.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_article = sa.table(
    "article",
    sa.column("id", sa.Integer()),
    sa.column("source", sa.Text()),
    sa.column("sources", sa.JSON()),
    sa.column("reviewed_on", sa.Date()),
    sa.column("updated_on", sa.Date()),
)
_revision = sa.table(
    "article_revision", sa.column("id", sa.Integer()), sa.column("fields", sa.JSON())
)


def _v2_fields(fields: dict) -> dict:
    """A revision's fields in format v2 (history stays readable and can be reverted to)."""
    fields = dict(fields)
    if "source" in fields:
        name = " ".join(str(fields.pop("source") or "").split())
        fields["sources"] = [{"name": name}] if name else []
    if "reviewed_on" in fields:
        fields["updated_on"] = fields.pop("reviewed_on")
    return fields


def _v1_fields(fields: dict) -> dict:
    fields = dict(fields)
    if "sources" in fields:
        sources = fields.pop("sources") or []
        fields["source"] = "; ".join(str(s.get("name", "")) for s in sources if isinstance(s, dict))
    if "updated_on" in fields:
        fields["reviewed_on"] = fields.pop("updated_on")
    return fields


def _rewrite_revisions(convert: Callable[[dict], dict]) -> None:
    bind = op.get_bind()
    for row_id, fields in bind.execute(sa.select(_revision.c.id, _revision.c.fields)).all():
        if isinstance(fields, dict):
            bind.execute(
                _revision.update().where(_revision.c.id == row_id).values(fields=convert(fields))
            )


def upgrade() -> None:
    with op.batch_alter_table("article") as table:
        table.add_column(sa.Column("sources", sa.JSON(), nullable=True))
        table.add_column(sa.Column("updated_on", sa.Date(), nullable=True))
        table.add_column(sa.Column("signed_off_by", sa.String(80), nullable=True))
        table.add_column(sa.Column("signed_off_role", sa.String(80), nullable=True))
        table.add_column(sa.Column("signed_off_on", sa.Date(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(_article.c.id, _article.c.source, _article.c.reviewed_on))
    for row_id, source, reviewed_on in rows.all():
        name = " ".join((source or "").split())
        bind.execute(
            _article.update()
            .where(_article.c.id == row_id)
            .values(sources=[{"name": name}] if name else [], updated_on=reviewed_on)
        )
    with op.batch_alter_table("article") as table:
        table.alter_column("sources", existing_type=sa.JSON(), nullable=False)
        table.alter_column("updated_on", existing_type=sa.Date(), nullable=False)
        table.drop_column("source")
        table.drop_column("reviewed_on")
    _rewrite_revisions(_v2_fields)


def downgrade() -> None:
    _rewrite_revisions(_v1_fields)
    with op.batch_alter_table("article") as table:
        table.add_column(sa.Column("source", sa.Text(), nullable=True))
        table.add_column(sa.Column("reviewed_on", sa.Date(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(_article.c.id, _article.c.sources, _article.c.updated_on))
    for row_id, sources, updated_on in rows.all():
        names = "; ".join(str(s.get("name", "")) for s in sources or [] if isinstance(s, dict))
        bind.execute(
            _article.update()
            .where(_article.c.id == row_id)
            .values(source=names or "-", reviewed_on=updated_on)
        )
    with op.batch_alter_table("article") as table:
        table.alter_column("source", existing_type=sa.Text(), nullable=False)
        table.alter_column("reviewed_on", existing_type=sa.Date(), nullable=False)
        table.drop_column("signed_off_on")
        table.drop_column("signed_off_role")
        table.drop_column("signed_off_by")
        table.drop_column("updated_on")
        table.drop_column("sources")
