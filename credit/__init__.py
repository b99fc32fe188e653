"""Price and procurement credit (医药价格和招采信用评价): breaches, ratings derived by the region's
credit rules and confirmed four-eyes, repair, and the consequences bidding enforces."""
