"""SQLAlchemy models, sessions, migrations and the set-based queries that feed the domain."""
