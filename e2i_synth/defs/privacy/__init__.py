"""The privacy domain's Dagster layer: the scorecard check and the optimizer job."""
