"""Scale-out: scenarios written as partitioned Parquet, one file per table and part, so
any number of workers (Dagster's celery executor, or any engine) can write them apart and
DuckDB, Spark or pandas read them as one table."""
