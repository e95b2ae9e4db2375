"""Alembic environment: migrations run on the engine handed over by `bot.db`."""

from alembic import context

from bot import staff_models  # noqa: F401  (registers the staff workspace tables)
from bot.models import Base
from bot.trial_models import Trial  # noqa: F401  (registers the trial tables)

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
