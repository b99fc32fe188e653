"""Listing routes of ``/api/v1`` (suppliers' ERP systems list products; everyone reads prices)."""
