"""Stories section of `python -m bench`: what building a story costs on top of generating
its scenario (the baseline), per shipped example, and the analyzer's time per query."""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path
from time import perf_counter

import pandas as pd

from e2i_synth.settings import Scenario
from e2i_synth.stories import example_files, parse_story
from e2i_synth.stories.audience import present
from e2i_synth.stories.build import (
    analyze_story,
    check_queries,
    hero_values,
    scenario_frames,
    story_calendar,
    story_frames,
)
from e2i_synth.stories.export import export_frames
from e2i_synth.stories.golden import Context
from e2i_synth.stories.truth import read_truths
from e2i_synth.tables import build_tables
from e2i_synth.validation.suite import structural_checks
from e2i_synth.world import draw_world

REPEATS = 3


def median_seconds(run, repeats: int = REPEATS) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(repeats):
        started = perf_counter()
        result = run()
        timings.append(perf_counter() - started)
    return statistics.median(timings), result


def story_rows(file) -> list[dict]:
    story = parse_story(file.read_text(encoding="utf-8"), file.name)
    spec = story.scenario
    base_s, base = median_seconds(
        lambda: build_tables(draw_world(Scenario(spec.brand, spec.dgp), spec.n_patients, spec.seed))
    )
    analyze_s, analyses = median_seconds(lambda: analyze_story(story))
    scenario_frames(spec.brand, spec.dgp, spec.n_patients, spec.seed)  # cached: not timed below
    calendar_s, (base, plan, _) = median_seconds(lambda: story_calendar(story, analyses))
    over_s, (frames, heroes) = median_seconds(lambda: story_frames(story, base, plan, 1.0))
    presented = present(frames, story)
    context = Context(hero_values(story, heroes), read_truths(frames))
    golden_s, outcomes = median_seconds(
        lambda: check_queries(story, analyses, presented, context, {})
    )
    checks_s, _ = median_seconds(lambda: structural_checks(frames), 1)
    with tempfile.TemporaryDirectory() as folder:
        export_s, _ = median_seconds(lambda: export_frames(presented, Path(folder)), 1)
    rows = sum(len(f) for f in frames.values())
    passed = sum(o.passed for o in outcomes)
    label = f"{file.name} ({spec.n_patients:,} patients, {rows:,} rows)"
    steps = {
        "scenario generation (baseline)": base_s,
        f"analyze {len(story.queries)} queries": analyze_s,
        "calendar (plan; weighted re-dating and rebuild when `temporal`)": calendar_s,
        "overrides (shift, heroes, names, truth)": over_s,
        f"golden queries in DuckDB ({passed}/{len(outcomes)} pass)": golden_s,
        "structural checks": checks_s,
        "export + read-back (Parquet, CSV, schema)": export_s,
    }
    return [
        {"story": label, "step": step, "seconds": round(s, 3), "x baseline": round(s / base_s, 2)}
        for step, s in steps.items()
    ]


def stories_table() -> pd.DataFrame:
    rows = [row for file in example_files() for row in story_rows(file)]
    return pd.DataFrame(rows).set_index(["story", "step"])


if __name__ == "__main__":
    print(stories_table().to_string())
