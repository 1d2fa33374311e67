"""Pages of live-stream operations (server-rendered, htmx)."""
