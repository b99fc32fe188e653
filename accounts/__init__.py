"""Organisations, users, roles, passwords, login throttling and data scoping."""
