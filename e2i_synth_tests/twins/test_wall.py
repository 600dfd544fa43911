"""The wall: twin code learns from observable tables only; the world's potential outcomes
and exact effects are read by fidelity (and the runs that call it), nowhere else."""

import ast
from pathlib import Path

import e2i_synth.twins

TRUTH_READERS = {"fidelity.py", "policy.py", "pipeline.py", "workflows.py", "checks.py"}
TRUTH_NAMES = {
    "true_effects",
    "exact_effects",
    "unit_truth_table",
    "run_experiment",
    "ground_truth_table",
    "y0",
    "observed",
}


def names_used(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "e2i_synth.world.interventions":
            used |= {alias.name for alias in node.names}
        elif isinstance(node, ast.Attribute):
            used.add(node.attr)
    return used


def test_only_fidelity_side_reads_the_truth():
    folder = Path(e2i_synth.twins.__file__).parent
    readers = {p.name for p in folder.glob("*.py") if names_used(p) & TRUTH_NAMES}
    assert readers <= TRUTH_READERS
    assert "fidelity.py" in readers
