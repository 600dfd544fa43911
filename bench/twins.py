"""Twins section of `python -m bench` (also runnable alone: `python -m bench.twins`).

Speed on 10,000: training rows ≈ 10,000 (2,085 HCPs x 6 quarters, 80% of HCPs train),
10,000 twins generated, simulated and scored; goals are 10x the source design's (60 / 10 /
5 / 1 s). Accuracy, the figure that matters: every intervention on every brand's whole twin
population, simulated ATE against the exact effect on the brand's real HCPs; and the CI
coverage pooled with two more world seeds (45 simulations from 9 trained models), since
one seed's 15 share 3 models. Per DGP at the small scale: the default twin step of every
scenario on two seeds, its interval coverage, accuracy against naive and plain AIPW, the
targeting regret at K = 10% and the step's CPU-seconds.
"""

from __future__ import annotations

import statistics
import sys
import warnings
from time import perf_counter

import numpy as np
import pandas as pd

from e2i_synth.catalog import BRANDS, INTERVENTION_TYPES
from e2i_synth.settings import DEFAULT_SEED, Scenario
from e2i_synth.tables import build_tables
from e2i_synth.twins.features import hcp_training_frame
from e2i_synth.twins.fidelity import held_out_frame, prediction_fidelity, score_simulation
from e2i_synth.twins.generator import TwinGenerator
from e2i_synth.twins.simulation import simulate
from e2i_synth.twins.training import training_rows
from e2i_synth.world import draw_world
from e2i_synth.world.interventions import draw_interventions, ground_truth_table, history_table

N_TWINS = 10_000
N_PATIENTS = 20_850
"""2,085 HCPs: 1,668 train on 6 quarters each, 10,008 training rows."""
DGP = "confounded"
REPEATS = 3
GOALS = {"train": 6.0, "generate": 1.0, "simulate": 0.5, "fidelity": 0.1}
"""Seconds: 10x better than the source design's 60 / 10 / 5 / 1 s."""
COVERAGE_GOAL = 0.90
MORE_SEEDS = (DEFAULT_SEED + 1, DEFAULT_SEED + 2)
"""Further world seeds for the pooled coverage: one seed's 15 simulations share 3 models,
so its coverage moves in steps of 7% and by a model's luck."""


def median_seconds(run, repeats: int = REPEATS) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(repeats):
        started = perf_counter()
        result = run()
        timings.append(perf_counter() - started)
    return statistics.median(timings), result


def brand_layer(brand: str, seed: int):
    """The brand's intervention world at the bench's size and its training frame."""
    world = draw_world(Scenario(brand, DGP), N_PATIENTS, seed)
    iw = draw_interventions(world, build_tables(world)["hcp_profiles"])
    return iw, hcp_training_frame(history_table(iw), iw.hcps)


def train(frame: pd.DataFrame, brand: str, seed: int) -> TwinGenerator:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return TwinGenerator.train(frame, "hcp", brand, f"{brand}|{DGP}", seed)


def accuracy_rows(generator: TwinGenerator, population, iw, brand: str) -> list[dict]:
    """Every intervention on the whole twin population, scored against the exact effect."""
    naive = (
        ground_truth_table(iw)
        .query("subgroup_column == 'all'")
        .set_index("intervention_type")["naive_contrast"]
    )
    rows = []
    for name in INTERVENTION_TYPES:
        run = simulate(generator, population, {"intervention_type": name})
        score = score_simulation(run, iw)
        rows.append(
            {
                "brand": brand,
                "intervention": name,
                "simulated": run.ate,
                "ci": f"[{run.ci_lower:.4f}, {run.ci_upper:.4f}]",
                "true": score.true_ate,
                "|error|": score.abs_error,
                "covered": score.ci_covers_truth,
                "naive |error|": abs(naive[name] - score.true_ate),
                "recommendation": run.recommendation,
            }
        )
    return rows


def brand_run(brand: str) -> tuple[dict[str, float], list[dict], dict]:
    """Times of one brand's steps, its 5 scored simulations, and population facts."""
    iw, frame = brand_layer(brand, DEFAULT_SEED)
    times: dict[str, float] = {}
    started = perf_counter()
    generator = train(frame, brand, DEFAULT_SEED)
    times["train"] = perf_counter() - started
    times["generate"], population = median_seconds(lambda: generator.generate(N_TWINS))
    config = {"intervention_type": "speaker_program_invitation"}
    times["simulate"], result = median_seconds(lambda: simulate(generator, population, config))
    held_out = held_out_frame(iw)
    times["fidelity"], _ = median_seconds(
        lambda: (score_simulation(result, iw), prediction_fidelity(generator, held_out))
    )
    facts = {
        "training rows": len(training_rows(frame)),
        "learner": generator.training.model_type,
        "cv R²": generator.training.metrics["cv_r2_mean"],
        "exact-copy rate": population.exact_copy_rate,
    }
    return times, accuracy_rows(generator, population, iw, brand), facts


def seed_rows(seed: int) -> list[dict]:
    """The accuracy rows of one more world seed (every brand retrained on its own draw)."""
    rows = []
    for brand in BRANDS:
        iw, frame = brand_layer(brand, seed)
        generator = train(frame, brand, seed)
        rows.extend(accuracy_rows(generator, generator.generate(N_TWINS), iw, brand))
    return rows


def twins_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Speed (median over brands of each step), accuracy rows, and the accuracy summary."""
    times, rows, facts = {}, [], {}
    for brand in BRANDS:
        times[brand], brand_rows, facts[brand] = brand_run(brand)
        rows.extend(brand_rows)
    speed = pd.DataFrame(
        [
            {
                "step (10,000)": step,
                "goal s": f"{goal:.1f}",
                "measured s": f"{statistics.median(t[step] for t in times.values()):.3f}",
                "per brand s": ", ".join(f"{t[step]:.3f}" for t in times.values()),
                "measured/goal": f"{statistics.median(t[step] for t in times.values()) / goal:.2f}",
                "result": "PASS"
                if statistics.median(t[step] for t in times.values()) <= goal
                else "FAIL",
            }
            for step, goal in GOALS.items()
        ]
    ).set_index("step (10,000)")
    accuracy = pd.DataFrame(rows)
    coverage = accuracy["covered"].mean()
    pooled = pd.DataFrame(rows + [r for seed in MORE_SEEDS for r in seed_rows(seed)])
    seeds = ", ".join(str(s) for s in (DEFAULT_SEED, *MORE_SEEDS))
    summary = pd.DataFrame(
        [
            {
                "measure": "median |simulated - true ATE|, 5 x 3",
                "value": f"{accuracy['|error|'].median():.4f}",
            },
            {
                "measure": "median |naive - true ATE| (history contrast)",
                "value": f"{accuracy['naive |error|'].median():.4f}",
            },
            {
                "measure": f"95% CI coverage of truth (goal >= {COVERAGE_GOAL:.0%})",
                "value": f"{coverage:.0%} ({int(accuracy['covered'].sum())}/{len(accuracy)}) "
                + ("PASS" if coverage >= COVERAGE_GOAL else "FAIL"),
            },
            {
                "measure": f"95% CI coverage over seeds {seeds} (goal >= {COVERAGE_GOAL:.0%})",
                "value": f"{pooled['covered'].mean():.0%} "
                f"({int(pooled['covered'].sum())}/{len(pooled)}) "
                + ("PASS" if pooled["covered"].mean() >= COVERAGE_GOAL else "FAIL"),
            },
            {
                "measure": f"median |simulated - true ATE| over seeds {seeds}",
                "value": f"{pooled['|error|'].median():.4f}",
            },
            *[
                {
                    "measure": f"{brand}: training rows, learner, CV R², exact copies",
                    "value": f"{f['training rows']:,}, {f['learner']}, {f['cv R²']:.3f}, "
                    f"{f['exact-copy rate']:.2%}",
                }
                for brand, f in facts.items()
            ],
        ]
    ).set_index("measure")
    return speed, accuracy.set_index(["brand", "intervention"]), summary


DGP_SEEDS = (DEFAULT_SEED, 2027)
SMALL_PATIENTS = 3_000
POLICY_BUDGET = "10%"
STEP_GOAL_CPU_S = 4.0


def plain_aipw(history: pd.DataFrame, hcps: pd.DataFrame, name: str) -> float:
    """A plain AIPW of intervention `name` against no delivery on the history rows
    (statsmodels: OLS outcome per arm, logit propensity, on the delivery drivers)."""
    from statsmodels.discrete.discrete_model import Logit
    from statsmodels.regression.linear_model import OLS
    from statsmodels.treatment.treatment_effects import TreatmentEffect

    rows = history[history["intervention_type"].isin([name]) | ~history["treated"]]
    rows = rows.merge(hcps[["hcp_id", "decile", "priority_tier", "adoption_stage"]], on="hcp_id")
    drivers = pd.get_dummies(
        rows[["priority_tier", "adoption_stage"]].astype(str), drop_first=True, dtype=float
    )
    X = np.column_stack([np.ones(len(rows)), rows["decile"].to_numpy(float), drivers])
    treated = rows["treated"].to_numpy().astype(int)
    propensity = Logit(treated, X).fit(disp=0)
    outcome = OLS(rows["prescribing_change"].to_numpy(), X)
    return float(TreatmentEffect(outcome, treated, results_select=propensity).aipw().effect[0])


def dgp_rows() -> pd.DataFrame:
    """The default twin step (train, simulate all five, experiment, targeting) of every
    small scenario on two seeds: one row per simulated intervention."""
    from time import process_time

    from e2i_synth.catalog import DGPS
    from e2i_synth.twins.pipeline import run_scenario

    rows = []
    for seed in DGP_SEEDS:
        for brand in BRANDS:
            for dgp in DGPS:
                world = draw_world(Scenario(brand, dgp), SMALL_PATIENTS, seed)
                profiles = build_tables(world)["hcp_profiles"]
                started = process_time()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    result = run_scenario(world, profiles)
                cpu = process_time() - started
                truth = ground_truth_table(result.iw).query("subgroup_column == 'all'")
                naive = truth.set_index("intervention_type")["naive_contrast"]
                policies = {p.config.intervention_type: p for p in result.policies}
                for run, score in result.runs:
                    name = run.config.intervention_type
                    groups = score.subgroups[score.subgroups["note"] == ""]
                    policy = policies[name]
                    rows.append(
                        {
                            "dgp": dgp,
                            "covered": score.ci_covers_truth,
                            "subgroups covered": int(groups["covered"].astype(bool).sum()),
                            "subgroups": len(groups),
                            "subgroups refused": int((score.subgroups["note"] != "").sum()),
                            "|error|": score.abs_error,
                            "naive |error|": abs(naive[name] - score.true_ate),
                            "AIPW |error|": abs(
                                plain_aipw(result.history, result.iw.hcps, name) - score.true_ate
                            ),
                            "regret": policy.regret,
                            "random regret": policy.oracle_value - policy.random_value,
                            "naive regret": policy.oracle_value - policy.naive_value,
                            "oracle": policy.oracle_value,
                            "cpu s": cpu,  # the scenario's whole twin step
                        }
                    )
    return pd.DataFrame(rows)


def dgp_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Per DGP: interval coverage, accuracy against naive and plain AIPW, targeting regret
    at K = 10% against random, naive and oracle, and the twin step's CPU-seconds."""
    by = rows.groupby("dgp", sort=False)
    sub = by["subgroups covered"].sum() / by["subgroups"].sum()
    return pd.DataFrame(
        {
            "overall coverage": by["covered"].mean().map("{:.0%}".format),
            "subgroup coverage": [
                f"{v:.1%} ({int(c)}/{int(n)}; {int(r)} refused)"
                for v, c, n, r in zip(
                    sub,
                    by["subgroups covered"].sum(),
                    by["subgroups"].sum(),
                    by["subgroups refused"].sum(),
                    strict=True,
                )
            ],
            "median |error| twins": by["|error|"].median().map("{:.4f}".format),
            "naive": by["naive |error|"].median().map("{:.4f}".format),
            "plain AIPW": by["AIPW |error|"].median().map("{:.4f}".format),
            "regret@10% twins": by["regret"].mean().map("{:.3f}".format),
            "random": by["random regret"].mean().map("{:.3f}".format),
            "naive rule": by["naive regret"].mean().map("{:.3f}".format),
            "oracle value": by["oracle"].mean().map("{:.3f}".format),
            "twin step CPU-s": by["cpu s"]
            .mean()
            .map(lambda v: f"{v:.1f} " + ("PASS" if v <= STEP_GOAL_CPU_S else "FAIL")),
        }
    )


def print_sections(section) -> None:
    rows = dgp_rows()
    section(
        f"12. Digital twins per DGP: small scale, 3 brands x seeds {DGP_SEEDS}, regret at "
        f"K = {POLICY_BUDGET} (goal: twin step <= {STEP_GOAL_CPU_S:.0f} CPU-s per scenario)",
        dgp_table(rows),
    )
    speed, accuracy, summary = twins_tables()
    section(
        f"9. Digital twins: speed on {N_TWINS:,} (train rows ≈ 10,000, median over brands)", speed
    )
    with pd.option_context("display.float_format", "{:.4f}".format):
        section(f"10. Digital twins: simulated vs true ATE, {DGP}, whole populations", accuracy)
    section("11. Digital twins: accuracy summary", summary)


if __name__ == "__main__":
    np.set_printoptions(precision=4)

    def show(title: str, table: pd.DataFrame) -> None:
        print(f"\n{title}\n{'=' * len(title)}\n{table.to_string()}", file=sys.stdout)

    print_sections(show)
