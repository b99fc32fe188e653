"""Self-settled payment monitoring (自行结算货款监测, issue 17)."""
