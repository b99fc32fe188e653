"""Settlement runs: the batch's queue and its claims, the run itself, four-eyes approval, the monthly calendar."""
