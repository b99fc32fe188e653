"""One database session per request: a write session for POST/PUT/PATCH/DELETE."""

from __future__ import annotations

from flask import abort, current_app, g, request
from sqlmodel import Session

from core.config import Settings
from core.db import Database

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def database() -> Database:
    """The app's :class:`Database`."""
    return current_app.extensions["jicai.db"]


def app_settings() -> Settings:
    """The app's :class:`~core.config.Settings`."""
    return current_app.extensions["jicai.settings"]


def keyring():
    """The sealing keyring (KEKs live outside the database): ``JICAI_SEAL_KEK``, else the
    instance file, made the first time something seals or opens bids. A test may set
    ``app.extensions["jicai.keyring"]`` to a keyring of its own."""
    given = current_app.extensions.get("jicai.keyring")
    return given if given is not None else current_app.extensions["jicai.secrets"].seal_keyring()


def visible_batch(code: str):
    """The batch the signed-in user may see, or 404 (unknown and foreign batches alike)."""
    from procurement.queries import find_batch

    batch = find_batch(get_session(), g.actor, code)
    if batch is None:
        abort(404, description="no such batch")  # the API answers with this text; pages ignore it
    return batch


def tendered_batch(code: str):
    """Like :func:`visible_batch`, for the pages of bidding, which an executed result does not have."""
    batch = visible_batch(code)
    if batch.procedure != "tender":
        abort(404, description="no such batch")
    return batch


def get_session() -> Session:
    """The request's session, opened on first use."""
    if "db_session" not in g:
        db = database()
        write = request.method not in SAFE_METHODS
        g.db_session = db.write_session() if write else db.read_session()
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    """Roll back whatever the request left uncommitted and close the session."""
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
