"""`e2i-synth twins`: digital twins scored against the world's truth."""

from __future__ import annotations

from pathlib import Path

import click

from e2i_synth.catalog import INTERVENTION_TYPES
from e2i_synth.cli.options import positive, scale_option, scenario_options, seed_option
from e2i_synth.settings import Scenario, Settings, ensure_writable_home


def twin_scenario_options(command):
    """The scenario whose twins a command works on: brand, DGP, scale and root seed."""
    for option in reversed([scenario_options(), scale_option(), seed_option()]):
        command = option(command)
    return command


def twin_filter_option(command):
    return click.option(
        "--filter",
        "filters",
        multiple=True,
        help="key=value: specialty, tier, region (repeat or comma-separate values), "
        "min_decile; e.g. --filter specialty=oncology --filter tier=1,2",
    )(command)


version_option = click.option(
    "--version", default=None, help="Registered model version (default: latest)."
)


def twin_context(brand: str, dgp: str, scale: str | None, seed: int | None):
    """The checked scenario and its settings: each command asks for them before it imports
    the twins' stack (scikit-learn, MLflow), so a bad argument is reported at once."""
    from e2i_synth.settings import parse_brand, parse_dgp

    settings = Settings.from_env(scale=scale, seed=seed)
    ensure_writable_home(settings.home)
    scenario = Scenario(parse_brand(brand), parse_dgp(dgp))
    return settings, scenario, settings.tracking


@click.group()
def twins() -> None:
    """Digital twins: train (MLflow), generate, simulate beside the truth, fidelity."""


@twins.command("train")
@twin_scenario_options
def twins_train(brand: str, dgp: str, scale: str | None, seed: int | None) -> None:
    """Train the scenario's HCP twin model on its history; log and register it in MLflow."""
    settings, scenario, tracking = twin_context(brand, dgp, scale, seed)
    from e2i_synth.twins.workflows import train_and_register

    generator, registered = train_and_register(
        scenario, settings.n_patients, settings.seed, tracking
    )
    t, m = generator.training, generator.training.metrics
    click.echo(
        f"{scenario.partition_key}: {t.model_type} on {t.training_rows:,} rows "
        f"({t.training_entities:,} HCPs); CV R² {m['cv_r2_mean']:.3f}, MAE {m['cv_mae']:.4f}, "
        f"RMSE {m['cv_rmse']:.4f}"
    )
    click.echo(f"registered {registered.uri} (run {registered.run_id}) at {settings.tracking}")


@twins.command("generate")
@twin_scenario_options
@twin_filter_option
@click.option(
    "-n",
    "n_twins",
    type=int,
    default=1_000,
    show_default=True,
    callback=positive("1000"),
    help="Twins to generate.",
)
@version_option
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Write a Parquet.")
def twins_generate(brand, dgp, scale, seed, filters, n_twins, version, out) -> None:
    """Sample new twins (not copies) from the registered model's training population."""
    settings, scenario, tracking = twin_context(brand, dgp, scale, seed)
    from e2i_synth.twins.filters import filters_from_pairs
    from e2i_synth.twins.workflows import load_registered

    generator = load_registered(scenario, tracking, version)
    population = generator.generate(n_twins, filters_from_pairs(filters), settings.seed)
    click.echo(
        f"{len(population.twins):,} twins from {population.reference_count:,} training HCPs "
        f"matching {population.filters or 'no filters'} (model {generator.registered_name} "
        f"v{generator.model_version}); exact copies {population.exact_copy_rate:.2%}; mean "
        f"baseline_behavior {population.twins['baseline_behavior'].mean():.4f}"
    )
    if out is not None:
        population.twins.to_parquet(out, index=False)
        click.echo(f"written to {out}")


@twins.command("simulate")
@twin_scenario_options
@twin_filter_option
@click.option(
    "--intervention", required=True, help=f"The intervention: {', '.join(INTERVENTION_TYPES)}."
)
@click.option("--intensity", default=1.0, show_default=True, type=float)
@click.option("--duration-weeks", default=12, show_default=True, type=int)
@click.option("--channel", default="email", show_default=True)
@click.option("--frequency", default="monthly", show_default=True)
@click.option(
    "-n",
    "n_twins",
    type=int,
    default=10_000,
    show_default=True,
    callback=positive("10000"),
    help="Twins to simulate on.",
)
@version_option
@click.option(
    "--extrapolate",
    is_flag=True,
    help="Run a dose or population outside the history's support (refused otherwise); the "
    "result is labelled extrapolated and never recommends deploy.",
)
def twins_simulate(
    brand,
    dgp,
    scale,
    seed,
    filters,
    intervention,
    intensity,
    duration_weeks,
    channel,
    frequency,
    n_twins,
    version,
    extrapolate,
) -> None:
    """Simulate an intervention on new twins; print the result and the truth beside it.
    A dose (intensity, duration) outside the range the history delivered the intervention
    at, or a target population whose history holds fewer than 20 of its deliveries or
    untreated rows, is refused unless --extrapolate."""
    settings, scenario, tracking = twin_context(brand, dgp, scale, seed)
    from e2i_synth.twins.filters import filters_from_pairs
    from e2i_synth.twins.simulation import InterventionConfig
    from e2i_synth.twins.workflows import (
        intervention_layer,
        registered_for,
        simulate_against_truth,
    )

    config = InterventionConfig.parse(
        {
            "intervention_type": intervention,
            "intensity": intensity,
            "duration_weeks": duration_weeks,
            "channel": channel,
            "frequency": frequency,
        }
    )
    iw = intervention_layer(scenario, settings.n_patients, settings.seed)
    generator = registered_for(iw, tracking, version)
    run = simulate_against_truth(
        generator, iw, config, filters_from_pairs(filters), n_twins, extrapolate
    )
    r, s = run.result, run.score
    if r.extrapolated:
        click.echo(f"EXTRAPOLATED beyond the history's support: {r.support.label()}")
    click.echo(
        f"{intervention} on {r.n_twins:,} twins {r.filters or '(all HCPs)'}: simulated ATE "
        f"{r.ate:.4f}{' (extrapolated)' if r.extrapolated else ''} = twins {r.plugin_ate:.4f} "
        f"+ history correction {r.correction:+.4f} [95% CI {r.ci_lower:.4f}, {r.ci_upper:.4f}]"
    )
    click.echo(
        f"truth on the {s.n_real_hcps:,} matching real HCPs: {s.true_ate:.4f}; |error| "
        f"{s.abs_error:.4f}; CI covers truth: {'yes' if s.ci_covers_truth else 'NO'}"
    )
    click.echo(f"recommendation: {r.recommendation} ({r.reason})")
    table = s.subgroups[["column", "value", "n_twins", "simulated", "true", "covered"]]
    click.echo(table.to_string(index=False, float_format=lambda v: f"{v:.4f}", na_rep="-"))
    for note in s.subgroups["note"][s.subgroups["note"] != ""]:
        click.echo(f"subgroup {note}")


@twins.command("target")
@twin_scenario_options
@twin_filter_option
@click.option("--intervention", required=True, help="One of the five intervention types.")
@click.option(
    "--budget",
    default="10%",
    show_default=True,
    help="HCPs to treat: a count (e.g. 30) or a share of the eligible HCPs (e.g. 10%).",
)
@version_option
def twins_target(brand, dgp, scale, seed, filters, intervention, budget, version) -> None:
    """Treat the --budget real HCPs with the highest predicted effect; score the choice
    against truth (the sum of the chosen HCPs' exact effects) beside the oracle's, random
    targeting's and the naive rule's (highest deciles first), with regret and the uplift
    (Qini) curve."""
    settings, scenario, tracking = twin_context(brand, dgp, scale, seed)
    from e2i_synth.twins.filters import filters_from_pairs
    from e2i_synth.twins.policy import evaluate_targeting
    from e2i_synth.twins.simulation import InterventionConfig
    from e2i_synth.twins.workflows import intervention_layer, registered_for

    config = InterventionConfig.parse({"intervention_type": intervention})
    iw = intervention_layer(scenario, settings.n_patients, settings.seed)
    generator = registered_for(iw, tracking, version)
    e = evaluate_targeting(generator, iw, config, budget, filters_from_pairs(filters))
    click.echo(
        f"{intervention}: the twins treat {e.budget:,} of {e.n_hcps:,} HCPs "
        f"{e.filters or '(all HCPs)'}; true value {e.policy_value:.4f} (the sum of their exact "
        "effects)"
    )
    click.echo(
        f"oracle {e.oracle_value:.4f}, naive (highest deciles) {e.naive_value:.4f}, random "
        f"{e.random_value:.4f} (expected)"
    )
    share = e.regret / e.oracle_value if e.oracle_value else float("nan")
    click.echo(f"regret (oracle - twins) {e.regret:.4f} ({share:.1%} of the oracle's value)")
    click.echo(f"Qini {e.qini:.3f} (1: the oracle's ranking, 0: random); uplift curve:")
    curve = e.curve[["share", "twin", "oracle", "naive", "random"]]
    click.echo(curve.to_string(index=False, float_format=lambda v: f"{v:.4f}"))


@twins.command("fidelity")
@twin_scenario_options
@twin_filter_option
@click.option(
    "--intervention",
    default="peer_to_peer_referral",
    show_default=True,
    help="Arm of the world's multi-arm randomized experiment to report: "
    f"{', '.join(INTERVENTION_TYPES)}.",
)
@version_option
def twins_fidelity(brand, dgp, scale, seed, filters, intervention, version) -> None:
    """Held-out fidelity, then one arm of the world's multi-arm randomized experiment (each
    HCP in one arm), with drift flags."""
    settings, scenario, tracking = twin_context(brand, dgp, scale, seed)
    from e2i_synth.twins.filters import filters_from_pairs
    from e2i_synth.twins.workflows import intervention_layer, registered_for, track_fidelity

    iw = intervention_layer(scenario, settings.n_patients, settings.seed)
    generator = registered_for(iw, tracking, version)
    history, arm = track_fidelity(generator, iw, intervention, filters_from_pairs(filters))
    click.echo(history.frame().to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    treated = int(arm.tracking["assigned"].sum())
    click.echo(
        f"experiment arm {intervention}: {treated:,} real HCPs against "
        f"{len(arm.tracking) - treated:,} untreated (each HCP in one arm): difference in "
        f"means {arm.experiment_ate:.4f} (SE {arm.experiment_se:.4f}), twins "
        f"{arm.simulated_ate:.4f}, truth {arm.true_ate:.4f}"
    )
    for reason in history.snapshots[-1].drift.reasons:
        click.echo(f"drift: {reason}")
