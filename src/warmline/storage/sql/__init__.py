"""SQL repositories over SQLAlchemy Core: the same code on SQLite and PostgreSQL."""
