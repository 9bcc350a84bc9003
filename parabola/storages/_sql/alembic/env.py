"""Alembic environment for parabola stores.

parabola runs migrations programmatically (``parabola db upgrade``) and passes an open
connection in ``config.attributes["connection"]``; running ``alembic`` by hand is supported with
``-x url=...``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from parabola.storages._sql._models import VERSION_TABLE, metadata

config = context.config
connection = config.attributes.get("connection")


def _run(conn: sa.Connection) -> None:
    context.configure(
        connection=conn,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        render_as_batch=True,  # SQLite needs batch mode to alter tables
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit("Pass the store URL: alembic -x url=sqlite:///parabola.db upgrade head")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        _run(conn)
