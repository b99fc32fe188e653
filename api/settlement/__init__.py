"""The settlement part of ``/api/v1``: deliveries, acceptance, returns, application,
reconciliation, statements and payment status for supplier ERP and hospital HIS systems."""
