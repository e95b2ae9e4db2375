"""Alembic environment: migrations run on the engine handed over by `bot.db`."""

from alembic import context

# Importing the table modules registers every feature's tables on the one Base.
from bot.db import Base
from bot.kb import tables as kb_tables  # noqa: F401
from bot.staff import tables as staff_tables  # noqa: F401
from bot.training import tables as training_tables  # noqa: F401
from bot.trials import tables as trial_tables  # noqa: F401

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
