"""Review of an evaluation, publicity with objections, publication, and the contracts that follow."""
