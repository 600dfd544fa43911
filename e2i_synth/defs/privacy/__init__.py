"""The privacy domain's Dagster layer: synthetic journeys behind a blocking scorecard check,
and the optimizer job."""
