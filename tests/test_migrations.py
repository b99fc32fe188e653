"""The schema built by the Alembic migrations equals the models' schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from schema import metadata


def test_migrated_schema_matches_models(database):
    # The session-wide ``database`` fixture was built by running the migrations.
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == []
