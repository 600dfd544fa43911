"""The twin generator: learn an outcome model from history, sample twin populations.

Learns only from observable rows (the history and the profiles); potential outcomes stay on
the other side of the wall, in e2i_synth.world.interventions, read only by fidelity.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd

from e2i_synth.seeds import stream
from e2i_synth.twins.features import TWIN_TYPES, TwinType
from e2i_synth.twins.filters import PopulationFilter, select
from e2i_synth.twins.sampler import exact_copy_rate, smoothed_bootstrap
from e2i_synth.twins.training import TrainingResult, fit, training_rows

NAMESPACE = uuid.UUID("6f1f3b59-8d0b-4c47-9a36-0e2f5c1d7a10")
"""Ids are uuid5 of their content, so the same seed gives the same ids."""


def content_id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join(map(str, parts))))


def registered_name(twin_type: str, scenario_label: str) -> str:
    """One registered model per twin type and scenario ('*' for all of a brand's DGPs)."""
    label = scenario_label.replace("|", "_").replace("*", "all")
    return f"digital_twin_{twin_type}_{label}"


@dataclass
class TwinPopulation:
    population_id: str
    model_id: str
    twin_type: str
    name: str
    filters: dict
    twins: pd.DataFrame  # twin_id, features..., baseline_behavior
    reference_count: int  # training entities matching the filters
    exact_copy_rate: float
    created_at: datetime


@dataclass
class TwinGenerator:
    twin_type: TwinType
    brand: str
    scenario_label: str  # e.g. "kisqali|confounded", or "kisqali|*" across scenarios
    seed: int
    training: TrainingResult
    donors: pd.DataFrame  # one row per training entity: key + features
    trained_at: datetime
    mlflow_run_id: str | None = None
    model_version: str | None = None
    populations: list[TwinPopulation] = field(default_factory=list)

    @property
    def model_id(self) -> str:
        return content_id("model", self.twin_type.name, self.scenario_label, self.seed)

    @property
    def experiment_name(self) -> str:
        """The MLflow experiment: the source design's digital_twin_{twin_type}_{brand}."""
        return f"digital_twin_{self.twin_type.name}_{self.brand}"

    @property
    def registered_name(self) -> str:
        return registered_name(self.twin_type.name, self.scenario_label)

    @classmethod
    def train(
        cls, frame: pd.DataFrame, twin_type: str, brand: str, scenario_label: str, seed: int
    ) -> TwinGenerator:
        """Fit on the frame's training splits (see `training_rows`)."""
        kind = TWIN_TYPES[twin_type]
        rows = training_rows(frame)
        result = fit(rows, kind, seed)
        donors = rows.drop_duplicates(kind.key)[[kind.key, *kind.features]]
        return cls(
            twin_type=kind,
            brand=brand,
            scenario_label=scenario_label,
            seed=seed,
            training=result,
            donors=donors.reset_index(drop=True),
            trained_at=datetime.now(UTC),
        )

    def generate(
        self,
        n: int,
        filters: PopulationFilter | dict | None = None,
        seed: int | None = None,
        name: str | None = None,
    ) -> TwinPopulation:
        """n new twins drawn from the training entities matching `filters`, each with its
        baseline_behavior (the predicted outcome with nothing delivered)."""
        population_filter = PopulationFilter.parse(filters)
        pool = select(self.donors, population_filter)
        seed = self.seed if seed is None else seed
        label = f"{population_filter.as_dict()}|{n}|{seed}"
        rng = stream(seed, "twins", self.model_id, label)
        features = smoothed_bootstrap(pool, self.twin_type, n, rng)
        population_id = content_id("population", self.model_id, label)
        twin_ids = [content_id(population_id, i) for i in range(n)]
        untreated = features.assign(**self.twin_type.untreated)
        twins = features.assign(baseline_behavior=self.training.model.baseline(untreated))
        twins.insert(0, "twin_id", twin_ids)
        population = TwinPopulation(
            population_id=population_id,
            model_id=self.model_id,
            twin_type=self.twin_type.name,
            name=name or f"{self.twin_type.name} twins {self.scenario_label} {label}",
            filters=population_filter.as_dict(),
            twins=twins,
            reference_count=len(pool),
            exact_copy_rate=exact_copy_rate(features, pool, list(self.twin_type.features)),
            created_at=datetime.now(UTC),
        )
        self.populations.append(population)
        return population
