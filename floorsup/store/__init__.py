"""Storage: SQLModel tables, the engine factory, and queries that return plain snapshots."""
