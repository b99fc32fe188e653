"""Payment pages: the supplier's payments and remittance advice, the fund's re-issues."""
