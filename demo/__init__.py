"""Demo data, reachable only through ``flask --app app seed``."""
