"""Hospital demand collection (报量): versions of uploaded demand sheets, bureau views, reminders.

``models`` (tables), ``services`` (use cases, one transaction each), ``queries`` (scoped reads),
``files`` (rejected uploads' error workbooks, short-lived), ``views``/``forms`` (web layer).
"""
