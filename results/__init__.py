"""Putting a published result into effect (落地): the result file and its versions, the local allocation, its contracts."""
