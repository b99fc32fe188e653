"""Sealed bidding (申报): unit comparable prices, validation, receipts and sealing.

Pure modules — no database, no Flask: ``pricing`` (差比价 → 单位可比价), ``validation``
(refusal reasons of a bid), ``receipts`` (canonical bid, salted SHA-256 receipts) and
``sealing`` (envelope encryption opened only at the opening time).
"""
