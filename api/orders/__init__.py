"""The order endpoints of the API (issue 17, layer 3)."""
