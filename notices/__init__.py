"""Notices (通知): written by every package through :mod:`notices.services`, read in a user's inbox."""
