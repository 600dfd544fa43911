"""The benchmark domain in Dagster: one dynamic partition per suite variant."""
