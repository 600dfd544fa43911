"""The celery app a worker runs: `celery -A e2i_synth.defs.scale.worker worker -Q e2i_synth`
(broker from `E2I_CELERY_BROKER`). It executes the steps `export_parquet_celery` queues."""

from dagster_celery.make_app import make_app
from dagster_celery.tasks import create_task

from e2i_synth.settings import celery_broker_url

app = make_app({"broker": celery_broker_url(), "backend": "rpc://"})
execute_plan = create_task(app)
