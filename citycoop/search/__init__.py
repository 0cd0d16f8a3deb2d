"""Full-text search over the portfolio: one index table, one backend per database."""
