"""Database tables of the clinical-trial finder: ClinicalTrials.gov records, as imported."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import relationship

from bot.db import Base, utcnow

# ClinicalTrials.gov overall statuses under which a person can still ask to join.
JOINABLE_STATUSES = ("RECRUITING", "NOT_YET_RECRUITING")


class Trial(Base):
    """One study record, keyed by its NCT id; replaced whole when a newer copy is imported."""

    __tablename__ = "trial"

    nct_id = Column(String(11), primary_key=True)
    brief_title = Column(Text, nullable=False)
    official_title = Column(Text, nullable=True)
    brief_summary = Column(Text, nullable=True)
    overall_status = Column(String(40), nullable=False, index=True)
    phases = Column(JSON, nullable=False, default=list)
    conditions = Column(JSON, nullable=False, default=list)
    keywords = Column(JSON, nullable=False, default=list)
    eligibility_criteria = Column(Text, nullable=True)
    minimum_age = Column(String(40), nullable=True)  # as written in the record: "18 Years"
    maximum_age = Column(String(40), nullable=True)
    minimum_age_years = Column(Float, nullable=True)
    maximum_age_years = Column(Float, nullable=True)
    sex = Column(String(10), nullable=False, default="ALL")  # ALL, FEMALE or MALE
    healthy_volunteers = Column(Boolean, nullable=True)
    last_update = Column(Date, nullable=True)  # last update posted on ClinicalTrials.gov
    data_date = Column(Date, nullable=True)  # when this copy of the record was taken
    kinds = Column(JSON, nullable=False, default=list)  # derived: immunotherapy kinds
    cancer_types = Column(JSON, nullable=False, default=list)  # derived: cancer type keys
    imported_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)

    interventions = relationship(
        "TrialIntervention",
        order_by="TrialIntervention.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    locations = relationship(
        "TrialLocation",
        order_by="TrialLocation.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    contacts = relationship(
        "TrialContact",
        order_by="TrialContact.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    def __repr__(self) -> str:
        return f"Trial(nct_id={self.nct_id!r}, status={self.overall_status!r})"


class TrialIntervention(Base):
    """A treatment a trial tests (drug, biological, procedure...)."""

    __tablename__ = "trial_intervention"

    id = Column(Integer, primary_key=True)
    nct_id = Column(
        String(11), ForeignKey("trial.nct_id", ondelete="CASCADE"), nullable=False, index=True
    )
    position = Column(Integer, nullable=False)
    type = Column(String(40), nullable=True)
    name = Column(Text, nullable=False)
    other_names = Column(JSON, nullable=False, default=list)
    description = Column(Text, nullable=True)


class TrialLocation(Base):
    """A site where a trial takes place."""

    __tablename__ = "trial_location"

    id = Column(Integer, primary_key=True)
    nct_id = Column(
        String(11), ForeignKey("trial.nct_id", ondelete="CASCADE"), nullable=False, index=True
    )
    position = Column(Integer, nullable=False)
    facility = Column(Text, nullable=True)
    city = Column(String(120), nullable=True)
    country = Column(String(80), nullable=True)
    status = Column(String(40), nullable=True)  # the site's own recruitment status


class TrialContact(Base):
    """A central contact of a trial, as published in its record."""

    __tablename__ = "trial_contact"

    id = Column(Integer, primary_key=True)
    nct_id = Column(
        String(11), ForeignKey("trial.nct_id", ondelete="CASCADE"), nullable=False, index=True
    )
    position = Column(Integer, nullable=False)
    name = Column(Text, nullable=True)
    role = Column(String(40), nullable=True)
    phone = Column(String(80), nullable=True)
    email = Column(String(200), nullable=True)
