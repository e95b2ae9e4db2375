"""Clinical trials imported from ClinicalTrials.gov, with interventions, sites and contacts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _child(name: str, *columns: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "nct_id",
            sa.String(11),
            sa.ForeignKey("trial.nct_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        *columns,
    )
    op.create_index(f"ix_{name}_nct_id", name, ["nct_id"])


def upgrade() -> None:
    op.create_table(
        "trial",
        sa.Column("nct_id", sa.String(11), primary_key=True),
        sa.Column("brief_title", sa.Text(), nullable=False),
        sa.Column("official_title", sa.Text(), nullable=True),
        sa.Column("brief_summary", sa.Text(), nullable=True),
        sa.Column("overall_status", sa.String(40), nullable=False),
        sa.Column("phases", sa.JSON(), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("eligibility_criteria", sa.Text(), nullable=True),
        sa.Column("minimum_age", sa.String(40), nullable=True),
        sa.Column("maximum_age", sa.String(40), nullable=True),
        sa.Column("minimum_age_years", sa.Float(), nullable=True),
        sa.Column("maximum_age_years", sa.Float(), nullable=True),
        sa.Column("sex", sa.String(10), nullable=False),
        sa.Column("healthy_volunteers", sa.Boolean(), nullable=True),
        sa.Column("last_update", sa.Date(), nullable=True),
        sa.Column("data_date", sa.Date(), nullable=True),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("cancer_types", sa.JSON(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_trial_overall_status", "trial", ["overall_status"])
    _child(
        "trial_intervention",
        sa.Column("type", sa.String(40), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("other_names", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
    )
    _child(
        "trial_location",
        sa.Column("facility", sa.Text(), nullable=True),
        sa.Column("city", sa.String(120), nullable=True),
        sa.Column("country", sa.String(80), nullable=True),
        sa.Column("status", sa.String(40), nullable=True),
    )
    _child(
        "trial_contact",
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("role", sa.String(40), nullable=True),
        sa.Column("phone", sa.String(80), nullable=True),
        sa.Column("email", sa.String(200), nullable=True),
    )


def downgrade() -> None:
    for name in ("trial_contact", "trial_location", "trial_intervention"):
        op.drop_index(f"ix_{name}_nct_id", table_name=name)
        op.drop_table(name)
    op.drop_index("ix_trial_overall_status", table_name="trial")
    op.drop_table("trial")
