from dagster import Definitions

from e2i_synth.defs.scale.jobs import (
    export_chunked,
    export_chunked_celery,
    export_parquet,
    export_parquet_celery,
)

defs = Definitions(
    jobs=[export_parquet, export_parquet_celery, export_chunked, export_chunked_celery]
)
