"""Execution of the contracts: deliveries, acceptance, returns and clawbacks, reconciliation, prepayment, refunds."""
