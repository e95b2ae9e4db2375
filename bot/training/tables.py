"""Database tables of the model's life: examples taught by staff, and train-and-deploy runs."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint

from bot.db import Base, utcnow
from bot.language import DEFAULT_LANGUAGE


class TrainingExample(Base):
    """A message staff taught the assistant, as an example of an intent."""

    __tablename__ = "training_example"
    __table_args__ = (UniqueConstraint("text", "intent"),)

    id = Column(Integer, primary_key=True)
    text = Column(Text, nullable=False)
    intent = Column(String(80), nullable=False)
    added_by = Column(String(80), nullable=False)
    added_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    inbox_item_id = Column(Integer, ForeignKey("inbox_item.id", ondelete="SET NULL"))
    # The example's language: both languages train the same model, each example says its own.
    language = Column(String(8), nullable=False, default=DEFAULT_LANGUAGE)


class ModelRun(Base):
    """One "train and deploy" (or rollback): its stages, test results and model file."""

    __tablename__ = "model_run"

    id = Column(Integer, primary_key=True)
    kind = Column(String(20), nullable=False, default="train")  # train or rollback
    started_by = Column(String(80), nullable=True)
    started_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    finished_at = Column(DateTime(timezone=True), nullable=True)
    state = Column(String(20), nullable=False, default="queued")
    stage = Column(String(40), nullable=True)
    log_tail = Column(Text, nullable=False, default="")
    test_results = Column(JSON, nullable=False, default=dict)
    model_path = Column(Text, nullable=True)
    deployed_at = Column(DateTime(timezone=True), nullable=True)
    error = Column(Text, nullable=True)
