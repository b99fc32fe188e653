"""Evaluation of an opened batch: the optimizer run over the batch's demand and opened bids,
as versioned background runs with progress, each keeping its clearing records."""
