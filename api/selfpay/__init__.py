"""Self-settled payment routes of the API."""
