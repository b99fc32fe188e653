"""Payments: files for the bank, the bank's return files, re-issue of failed payments, remittance advice."""
