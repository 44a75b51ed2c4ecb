"""Persistence: SQLAlchemy 2.0 async models, the database handle and Alembic migrations."""
