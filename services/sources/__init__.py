"""Live sources: a watched folder, RSS/Atom feeds and the HTTP ingest endpoint feed articles.raw."""
