"""Load test of issue 8 (``make loadtest``): gunicorn + PostgreSQL on loopback, 500 hospitals
uploading demand while 200 suppliers bid in the last minute; see ``loadtest/__main__.py``."""
