"""Storage: SQLite through aiosqlite, schema migrations, repositories and PTB persistence."""
