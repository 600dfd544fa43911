from dagster import Definitions

from e2i_synth.defs.scale.jobs import export_parquet, export_parquet_celery

defs = Definitions(jobs=[export_parquet, export_parquet_celery])
