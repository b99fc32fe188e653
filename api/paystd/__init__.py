"""The payment-standard endpoints of ``/api/v1`` (for HIS and fund systems)."""
