"""Scheduled work: the steps the batch timeline drives, and the one scheduler process."""
