"""The web layer: Flask extensions, request sessions, auth decorators, shell pages.

Only this package, ``app.py`` and each domain package's ``views.py``/``forms.py`` import Flask.
"""
