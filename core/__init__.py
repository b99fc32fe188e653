"""Kernel shared by every domain package: database sessions, money, audit log, clock.

Nothing here imports Flask; the web layer lives in ``web/`` and each package's ``views.py``.
"""
