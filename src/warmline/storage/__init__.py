"""Storage: repository ports, their SQL implementations (SQLite, PostgreSQL) and in-memory twins."""
