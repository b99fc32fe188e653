"""Multi-year contract cycles: the contract-period rule, yearly agreed volumes and their re-confirmation, renewal (接续)."""
