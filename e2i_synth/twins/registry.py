"""MLflow: every training run logged and registered; a population's model loaded from the
registry (models:/name/version).

Tracking goes to `MLFLOW_TRACKING_URI` when set, else to a SQLite store in `$E2I_HOME`
(the model registry needs a database-backed store) with artifacts beside it. MLflow is
imported here only, lazily: it is slow to import and stays out of the simulation path.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
import sklearn

from e2i_synth.locks import exclusive
from e2i_synth.settings import Tracking, tracking_from
from e2i_synth.twins.errors import TwinError
from e2i_synth.twins.features import TWIN_TYPES
from e2i_synth.twins.generator import TwinGenerator
from e2i_synth.twins.training import TrainingResult

ARTIFACTS_FOLDER = "mlartifacts"
MODEL_NAME = "model"
DONORS_FILE = "donors.parquet"
META_FILE = "generator.json"
SERIALIZATION = "cloudpickle"
"""Not MLflow's default (skops): skops writes each of the ~10,000 trees of a model and its
replicates as JSON (measured: 25 s per model here, cloudpickle well under 1 s). We load
only models we logged ourselves."""


@dataclass(frozen=True)
class RegisteredTwinModel:
    name: str
    version: str
    run_id: str
    tracking: Tracking

    @property
    def uri(self) -> str:
        return f"models:/{self.name}/{self.version}"


def use_tracking(mlflow, tracking: Tracking | str) -> Tracking:
    """Point MLflow at the store (a URI is read as MLFLOW_TRACKING_URI is). A server's user
    and password go through MLflow's own variables, so no URI MLflow quotes holds them."""
    tracking = tracking if isinstance(tracking, Tracking) else tracking_from(tracking)
    mlflow.set_tracking_uri(tracking.uri)
    credentials = {
        "MLFLOW_TRACKING_USERNAME": tracking.username,
        "MLFLOW_TRACKING_PASSWORD": tracking.password,
    }
    os.environ.update({name: value for name, value in credentials.items() if value is not None})
    return tracking


def _local_store(uri: str) -> Path | None:
    return Path(uri.removeprefix("sqlite:///")) if uri.startswith("sqlite:///") else None


def _experiment_id(mlflow, name: str, uri: str) -> str:
    """The experiment, created with artifacts under the SQLite file's folder when local (a
    server keeps its own artifact store). A local store is created and its experiment found
    or made under a lock beside it: scenarios trained at once in worker processes would
    otherwise migrate a new store twice ("duplicate column name") or create the brand's
    experiment twice; a server takes the second creation as the first's."""
    from mlflow.exceptions import MlflowException

    store = _local_store(uri)
    # A new store's "Creating initial MLflow database tables" lines would break into the
    # command's progress lines.
    logging.getLogger("mlflow.store.db.utils").setLevel(logging.WARNING)
    with exclusive(store.with_name(store.name + ".lock")) if store else contextlib.nullcontext():
        found = mlflow.get_experiment_by_name(name)
        if found is not None:
            return found.experiment_id
        location = (store.parent / ARTIFACTS_FOLDER).as_uri() if store else None
        try:
            return mlflow.create_experiment(name, artifact_location=location)
        except MlflowException as exc:
            if exc.error_code != "RESOURCE_ALREADY_EXISTS":
                raise
            return mlflow.get_experiment_by_name(name).experiment_id


def log_generator(
    generator: TwinGenerator, training_frame: pd.DataFrame, tracking: Tracking | str
) -> RegisteredTwinModel:
    """Log params, CV metrics, feature importances, the training data (digest) and the
    model, register it, and stamp the generator with the run id and version."""
    import mlflow
    import mlflow.data
    import mlflow.sklearn

    tracking = use_tracking(mlflow, tracking)
    result = generator.training
    kind = generator.twin_type
    experiment_id = _experiment_id(mlflow, generator.experiment_name, tracking.uri)
    with (
        warnings.catch_warnings(),
        mlflow.start_run(experiment_id=experiment_id, run_name=generator.model_id) as run,
    ):
        # MLflow hints that integer columns cannot hold missing values; ours hold none.
        warnings.filterwarnings("ignore", "Hint: Inferred schema", UserWarning)
        mlflow.log_params(
            {
                **result.hyperparameters,
                "model_type": result.model_type,
                "twin_type": kind.name,
                "brand": generator.brand,
                "scenario": generator.scenario_label,
                "seed": generator.seed,
                "learner": "baseline_effect" if kind.has_untreated_arm else "s_learner",
                "training_rows": result.training_rows,
                "training_entities": result.training_entities,
            }
        )
        mlflow.log_metrics(
            {
                **result.metrics,
                **{f"cv_r2_{k}": v for k, v in result.cv_r2_by_learner.items()},
            }
        )
        mlflow.log_dict(result.model.feature_importances().to_dict(), "feature_importances.json")
        dataset = mlflow.data.from_pandas(
            training_frame, name=f"{generator.scenario_label} {kind.name}", targets=kind.target
        )
        mlflow.log_input(dataset, context="training")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / DONORS_FILE
            generator.donors.to_parquet(path, index=False)
            mlflow.log_artifact(str(path))
        mlflow.log_dict(_meta(generator), META_FILE)
        # MLflow warns about the format we chose (SERIALIZATION) and prints the registry's
        # own "Successfully registered" lines to stderr: the caller reports the version.
        with _without_pickle_warning(), contextlib.redirect_stderr(io.StringIO()):
            info = mlflow.sklearn.log_model(
                result.model,
                name=MODEL_NAME,
                registered_model_name=generator.registered_name,
                pip_requirements=[f"scikit-learn=={sklearn.__version__}", "e2i_synth"],
                serialization_format=SERIALIZATION,
            )
    generator.mlflow_run_id = run.info.run_id
    generator.model_version = str(info.registered_model_version)
    return RegisteredTwinModel(
        generator.registered_name, generator.model_version, run.info.run_id, tracking
    )


@contextlib.contextmanager
def _without_pickle_warning() -> Iterator[None]:
    """Drop MLflow's warning against (cloud)pickle while we log: we chose it, see SERIALIZATION."""
    logger = logging.getLogger("mlflow.sklearn")

    def keep(record: logging.LogRecord) -> bool:
        return "pickle or cloudpickle format" not in record.getMessage()

    logger.addFilter(keep)
    try:
        yield
    finally:
        logger.removeFilter(keep)


def _meta(generator: TwinGenerator) -> dict:
    result = generator.training
    return {
        "twin_type": generator.twin_type.name,
        "brand": generator.brand,
        "scenario_label": generator.scenario_label,
        "seed": generator.seed,
        "trained_at": generator.trained_at.isoformat(),
        "training": {k: v for k, v in asdict(result).items() if k != "model"},
    }


def registered_version(name: str, tracking: Tracking | str, version: str | None = None) -> str:
    """`version` if `name` has it registered, else the newest one; one error saying how to
    train a model, or naming the versions there are (MLflow's own error is a traceback).
    A local store that does not exist holds no model, and is not created just to say so."""
    import mlflow

    tracking = use_tracking(mlflow, tracking)
    store = _local_store(tracking.uri)
    if store is not None and not store.exists():
        found = []
    else:
        found = mlflow.MlflowClient(tracking.uri).search_model_versions(f"name = '{name}'")
    if not found:
        raise TwinError(
            f"no registered twin model {name!r} at {tracking}; train one first with "
            "`e2i-synth twins train --brand ... --dgp ...`"
        )
    versions = sorted(int(v.version) for v in found)
    if version is None:
        return str(versions[-1])
    if version.strip() not in {str(v) for v in versions}:
        raise TwinError(
            f"twin model {name!r} has no version {version!r} at {tracking}; registered: "
            f"{', '.join(map(str, versions))} (leave out --version for the latest)"
        )
    return version.strip()


def load_generator(name: str, version: str, tracking: Tracking | str) -> TwinGenerator:
    """The generator of a registered version: the model through models:/name/version, its
    donor population and metadata from the version's run."""
    import mlflow
    import mlflow.artifacts
    import mlflow.sklearn

    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    use_tracking(mlflow, tracking)
    model = mlflow.sklearn.load_model(f"models:/{name}/{version}")
    run_id = mlflow.MlflowClient().get_model_version(name, str(version)).run_id
    meta = mlflow.artifacts.load_dict(f"runs:/{run_id}/{META_FILE}")
    donors = pd.read_parquet(
        mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path=DONORS_FILE)
    )
    return TwinGenerator(
        twin_type=TWIN_TYPES[meta["twin_type"]],
        brand=meta["brand"],
        scenario_label=meta["scenario_label"],
        seed=meta["seed"],
        training=TrainingResult(model=model, **meta["training"]),
        donors=donors,
        trained_at=datetime.fromisoformat(meta["trained_at"]),
        mlflow_run_id=run_id,
        model_version=str(version),
    )
