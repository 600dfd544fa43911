"""Privacy section of `python -m bench`: the scorecard's cost at 100,000 rows x 20 columns
(goal <= 10 s), the utility-vs-epsilon curve of the DP synthesizer on a core table, and one
row per synthesizer (copula, MST at each epsilon, the twin sampler): utility, causal utility
(the treatment effect's gap), rule adherence, the attack's AUC with its 95% interval and
exposed members, and time. `python -m bench.privacy --synthesizers` prints that table
alone."""

from __future__ import annotations

import statistics
from time import perf_counter, process_time

import numpy as np
import pandas as pd

from e2i_synth.catalog import SCALES
from e2i_synth.privacy import copula
from e2i_synth.privacy.scorecard import score
from e2i_synth.privacy.views import VIEWS, causal_design, modeled_frame, split_real
from e2i_synth.settings import DEFAULT_SEED, Scenario
from e2i_synth.tables import build_tables
from e2i_synth.world import draw_world

SCORECARD_ROWS = 100_000
SCORECARD_HOLDOUT = 20_000
NUMERIC_COLUMNS = 12
CATEGORICAL_COLUMNS = 8
SCORECARD_GOAL_SECONDS = 10.0
SCORECARD_REPEATS = 3
EPSILONS = (0.5, 1.0, 3.0, 10.0)
CURVE_SCENARIO = Scenario("kisqali", "confounded")
CURVE_VIEW = "patient_journeys"
VIEW_OF_SYNTHESIZERS = "patient_journeys"


def wide_table(n: int, seed: int) -> pd.DataFrame:
    """12 correlated numerics (a shared factor) and 8 categoricals tied to it."""
    rng = np.random.default_rng(seed)
    factor = rng.normal(size=n)
    numeric = {
        f"num_{i}": (0.6 * factor + rng.normal(size=n)) * (i + 1) for i in range(NUMERIC_COLUMNS)
    }
    categorical = {
        f"cat_{i}": np.digitize(factor + rng.normal(size=n), np.linspace(-2, 2, 3 + i)).astype(str)
        for i in range(CATEGORICAL_COLUMNS)
    }
    return pd.DataFrame(numeric | categorical)


def scorecard_table() -> pd.DataFrame:
    """Median wall seconds of one full scorecard (TSTR included) at 100k x 20."""
    train = wide_table(SCORECARD_ROWS, 1)
    holdout = wide_table(SCORECARD_HOLDOUT, 2)
    synthetic = wide_table(SCORECARD_ROWS, 3)
    timings, cpu = [], []
    for _ in range(SCORECARD_REPEATS):
        started, started_cpu = perf_counter(), process_time()
        card = score("bench", train, holdout, synthetic, target="cat_0")
        timings.append(perf_counter() - started)
        cpu.append(process_time() - started_cpu)
    seconds = statistics.median(timings)
    return pd.DataFrame(
        [
            {
                "measure": f"scorecard, {SCORECARD_ROWS:,} train + {SCORECARD_ROWS:,} synthetic "
                f"rows x {NUMERIC_COLUMNS + CATEGORICAL_COLUMNS} columns, "
                f"{SCORECARD_HOLDOUT:,} holdout",
                "goal": f"<= {SCORECARD_GOAL_SECONDS:.0f} s",
                "measured": f"{seconds:.2f} s (median of "
                + ", ".join(f"{t:.2f}" for t in timings)
                + f"); CPU {statistics.median(cpu):.2f} s",
                "result": "PASS" if seconds <= SCORECARD_GOAL_SECONDS else "FAIL",
                "all green (fresh draw)": card.all_green,
            }
        ]
    ).set_index("measure")


def curve_row(label: str, synthesizer, train, holdout) -> dict[str, object]:
    started = perf_counter()
    synthetic = synthesizer.fit(train).sample(len(train), DEFAULT_SEED)
    seconds = perf_counter() - started
    card = score(CURVE_VIEW, train, holdout, synthetic, VIEWS[CURVE_VIEW].target)
    return {
        "synthesizer": label,
        "KS mean": round(card.ks_mean, 3),
        "TV mean": round(card.tv_mean, 3),
        "corr delta": round(card.corr_delta, 3),
        f"TSTR R2 ({card.target})": round(card.tstr, 3),
        "TRTR R2": round(card.trtr, 3),
        "MIA AUC": round(card.mia_auc, 3),
        "dup rate": round(card.duplicate_rate, 3),
        "all green": card.all_green,
        "fit + sample s": round(seconds, 1),
    }


def epsilon_table() -> pd.DataFrame:
    """Utility and privacy of the MST DP synthesizer at each epsilon on one core table,
    with the (non-private) Gaussian copula as the reference."""
    from e2i_synth.privacy.dp_synthesizer import MSTSynthesizer, starting_params

    world = draw_world(CURVE_SCENARIO, SCALES["small"], DEFAULT_SEED)
    train, holdout = split_real(modeled_frame(CURVE_VIEW, build_tables(world)))
    bins = starting_params(*train.shape)["bins"]
    rows = [
        curve_row(f"mst epsilon={eps:g}", MSTSynthesizer(epsilon=eps, bins=bins), train, holdout)
        for eps in EPSILONS
    ]
    reference = copula.build(copula.starting_params(*train.shape))
    rows.append(curve_row("gaussian_copula (no DP)", reference, train, holdout))
    return pd.DataFrame(rows).set_index("synthesizer")


def synthesizer_row(label: str, synthesizer, train, holdout, target, design) -> dict[str, object]:
    """One synthesizer's numbers: fitted on `train`, sampled, scored against `holdout`."""
    started = perf_counter()
    synthetic = synthesizer.fit(train).sample(len(train), DEFAULT_SEED)
    seconds = perf_counter() - started
    card = score(label, train, holdout, synthetic, target, DEFAULT_SEED, design)
    half = 1.96 * card.mia_auc_se
    has_effect = card.ate_real is not None
    return {
        "synthesizer": label,
        "KS mean": round(card.ks_mean, 3),
        "TV mean": round(card.tv_mean, 3),
        "corr delta": round(card.corr_delta, 3),
        "TSTR / TRTR": f"{card.tstr:.3f} / {card.trtr:.3f}" if card.tstr is not None else "n/a",
        "ATE synthetic vs real": f"{card.ate_synthetic:.3f} vs {card.ate_real:.3f}"
        if has_effect
        else "n/a (no treatment)",
        "ATE gap (tolerance)": f"{abs(card.ate_synthetic - card.ate_real):.3f} "
        f"(±{card.ate_tolerance:.3f})"
        if has_effect
        else "n/a",
        "rules held (worst)": f"{min(card.rule_adherence.values()):.1%}"
        if card.rule_adherence
        else "n/a (no rules)",
        "attack AUC [95% CI]": f"{card.mia_auc:.3f} [{card.mia_auc - half:.3f}, "
        f"{card.mia_auc + half:.3f}]",
        "exposed (chance)": f"{card.exposed:.3f} ({card.exposed_chance:.3f})",
        "all green": card.all_green,
        "fit + sample s": round(seconds, 1),
    }


def synthesizer_table() -> pd.DataFrame:
    """Every synthesizer on its real table of one scenario at the small scale: the copula and
    MST on patient_journeys (train split fitted, holdout scored, the DGP's causal design), the
    twin sampler on the HCP entities it draws twins from (donors fitted, unseen HCPs scored;
    no treatment or rules there)."""
    from e2i_synth.privacy.dp_synthesizer import MSTSynthesizer, starting_params
    from e2i_synth.privacy.twin_sampler import TwinSampler
    from e2i_synth.privacy.twin_scorecard import real_hcps
    from e2i_synth.world.interventions import draw_interventions, history_table

    world = draw_world(CURVE_SCENARIO, SCALES["small"], DEFAULT_SEED)
    tables = build_tables(world)
    train, holdout = split_real(modeled_frame(VIEW_OF_SYNTHESIZERS, tables))
    target = VIEWS[VIEW_OF_SYNTHESIZERS].target
    design = causal_design(VIEW_OF_SYNTHESIZERS, CURVE_SCENARIO.dgp)
    copula_params = copula.starting_params(*train.shape)
    rows = [
        synthesizer_row(
            "gaussian_copula", copula.build(copula_params), train, holdout, target, design
        )
    ]
    bins = starting_params(*train.shape)["bins"]
    rows += [
        synthesizer_row(
            f"mst epsilon={eps:g}",
            MSTSynthesizer(epsilon=eps, bins=bins),
            train,
            holdout,
            target,
            design,
        )
        for eps in EPSILONS
    ]
    interventions = draw_interventions(world, tables["hcp_profiles"])
    donors, unseen = real_hcps(history_table(interventions), interventions.hcps)
    rows.append(
        synthesizer_row("twin_sampler (HCPs)", TwinSampler("hcp"), donors, unseen, None, None)
    )
    return pd.DataFrame(rows).set_index("synthesizer")


def print_sections(section) -> None:
    section("Privacy: scorecard cost (median of 3; wall and process CPU)", scorecard_table().T)
    section(
        f"Privacy: utility vs epsilon, {CURVE_VIEW} of {CURVE_SCENARIO.partition_key} at small "
        f"scale (train split fitted, holdout scored)",
        epsilon_table(),
    )
    section(
        f"Privacy: per synthesizer, {CURVE_SCENARIO.partition_key} at small scale (utility, "
        "causal utility, rules, attack, time)",
        synthesizer_table(),
    )


if __name__ == "__main__":
    import sys

    def show(title: str, table: pd.DataFrame) -> None:
        print(f"\n{title}\n{table.to_string()}", flush=True)

    if "--synthesizers" in sys.argv[1:]:
        show(
            f"Privacy: per synthesizer, {CURVE_SCENARIO.partition_key} at small scale",
            synthesizer_table(),
        )
    else:
        print_sections(show)
