-- Dagster keeps its runs, event logs and schedules in their own database.
CREATE DATABASE dagster OWNER e2i;
