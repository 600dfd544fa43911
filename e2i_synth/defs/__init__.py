"""The thin Dagster layer: partitions, assets, resources and jobs that call the pure core."""
