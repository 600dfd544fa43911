"""Tasks for agents: a question, the JSON schema of its answer, the scoring rule in words,
the hidden key it is scored against and why the answer is what it is (shown only once an
answer is scored). Suites are generated from one scenario's tables, truth included, and
are reproducible: the same tables and seed give the same tasks, byte for byte."""

from __future__ import annotations

import json
import zlib
from dataclasses import asdict, dataclass, field

import numpy as np

from e2i_synth.settings import Scenario

SUITE_VERSION = "1.0"
"""Bumped whenever a suite's questions, keys or scoring change."""


@dataclass(frozen=True)
class Task:
    """One question. `kind` names its scoring rule (scoring.RULES); `key` holds the answer
    and the rule's parameters and never reaches an agent."""

    task_id: str
    suite: str
    scenario: str
    kind: str
    question: str
    answer_schema: dict
    scoring: str
    key: dict = field(repr=False)
    explanation: str = field(repr=False)

    def public(self) -> dict:
        """What an agent is shown: everything but the key and the explanation."""
        return {
            "task_id": self.task_id,
            "suite": self.suite,
            "scenario": self.scenario,
            "question": self.question,
            "answer_schema": self.answer_schema,
            "scoring": self.scoring,
        }

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Task:
        return cls(**json.loads(text))


def object_schema(**properties: dict) -> dict:
    """A JSON schema of an object with exactly these properties, all required."""
    return {
        "type": "object",
        "properties": properties,
        "required": sorted(properties),
        "additionalProperties": False,
    }


INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
STRING = {"type": "string"}
STRINGS = {"type": "array", "items": STRING}


def rng_for(scenario: Scenario, suite: str, seed: int) -> np.random.Generator:
    """A generator per (seed, scenario, suite): suites draw independently of each other."""
    return np.random.default_rng([seed, zlib.crc32(f"{scenario.partition_key}|{suite}".encode())])


def task_id(scenario: Scenario, suite: str, name: str) -> str:
    return f"{scenario.partition_key}/{suite}/{name}"
