"""Storage: SQLAlchemy tables, migrations and queries for SQLite and PostgreSQL."""
