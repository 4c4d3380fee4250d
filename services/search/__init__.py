"""Finding articles: one query builder for the CLI, the HTTP API and the page."""
