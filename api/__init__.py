"""System-to-system JSON API (``/api/v1``) with per-organisation tokens."""
