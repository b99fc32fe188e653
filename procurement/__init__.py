"""Catalog, batches, their rule sets and lifecycle, and (later) demand collection."""
