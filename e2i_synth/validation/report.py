"""A self-contained HTML report of a run's `validation_results`: one file a user can open.

A summary per scenario, every failure in full, a plot of each estimate with its 95%
interval against the truth (naive estimate beside it), the privacy scorecards of the run's
synthetic rows (twins; synthetic journeys when published) with their plots, and every
check's figures.
"""

from __future__ import annotations

import html
import io
import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure

from e2i_synth.privacy import report as privacy
from e2i_synth.privacy.scorecard import Z
from e2i_synth.validation.causal import RUN_FALSE_ALARM, SCENARIOS_PER_RUN

CAUSAL = "causal_recovery"
REFUTATION = "causal_refutation"


def scenario_label(row: pd.Series) -> str:
    return f"{row['brand']}|{row['dgp_type']}"


def estimand_rows(results: pd.DataFrame) -> pd.DataFrame:
    """One row per estimand of every causal_recovery result (none from a check that could
    not run: its figures name the error instead)."""
    recovery = results[results["check_name"] == CAUSAL]
    rows = [
        {"scenario": scenario_label(r), **estimand}
        for _, r in recovery.iterrows()
        for estimand in json.loads(r["figures"]).get("estimands", [])
    ]
    return pd.DataFrame(rows)


def summary_table(results: pd.DataFrame) -> pd.DataFrame:
    """Per scenario: checks passed, the failed ones, overall estimate vs truth, refuters."""
    rows = []
    for (brand, dgp), group in results.groupby(["brand", "dgp_type"], sort=False):
        figures = {r["check_name"]: json.loads(r["figures"]) for _, r in group.iterrows()}
        recovery = figures.get(CAUSAL, {})
        refutation = figures.get(REFUTATION, {})
        bad = group[~group["passed"]]
        failed = bad["table_name"] + "." + bad["check_name"]
        rows.append(
            {
                "scenario": f"{brand}|{dgp}",
                "checks passed": f"{int(group['passed'].sum())}/{len(group)}",
                "failed": ", ".join(failed) or "none",
                "estimand": recovery.get("estimand", ""),
                "estimate": recovery.get("estimate"),
                "95% CI": (
                    f"{recovery['ci_low']:.3f} to {recovery['ci_high']:.3f}" if recovery else ""
                ),
                "truth": recovery.get("truth"),
                "naive": recovery.get("naive"),
                "refuters failed": refutation.get("failed_refutations", ""),
            }
        )
    return pd.DataFrame(rows)


def estimate_figure(estimands: pd.DataFrame) -> Figure:
    """Estimate with 95% CI (blue, red when the check failed), truth (black), naive (grey)."""
    labels = (estimands["scenario"] + "  " + estimands["estimand"]).tolist()
    y = list(range(len(labels)))[::-1]
    figure = Figure(figsize=(9, 0.32 * len(labels) + 1.2))
    axes = figure.subplots()
    colors = ["#1f77b4" if ok else "#d62728" for ok in estimands["passed"]]
    for yi, (_, e), color in zip(y, estimands.iterrows(), colors, strict=True):
        axes.errorbar(
            e["estimate"],
            yi,
            xerr=[[e["estimate"] - e["ci_low"]], [e["ci_high"] - e["estimate"]]],
            fmt="o",
            color=color,
            capsize=3,
            markersize=4,
        )
    axes.scatter(estimands["truth"], y, marker="|", s=160, color="black", label="truth", zorder=3)
    axes.scatter(estimands["naive"], y, marker="x", s=18, color="grey", label="naive", zorder=2)
    axes.set_yticks(y, labels, fontsize=7)
    axes.set_xlabel("effect on initiation (risk difference)")
    axes.axvline(0, color="lightgrey", linewidth=0.8)
    axes.legend(loc="lower right", fontsize=7)
    axes.set_title("DoWhy estimate and 95% CI vs planted truth", fontsize=9)
    figure.tight_layout()
    return figure


def figure_svg(figure: Figure) -> str:
    """Inline SVG; text stays text (searchable, a fraction of the size of glyph paths)."""
    buffer = io.StringIO()
    with rc_context({"svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def estimate_plot_svg(estimands: pd.DataFrame) -> str:
    if estimands.empty:
        return "<p>No causal_recovery results in this run.</p>"
    return figure_svg(estimate_figure(estimands))


def privacy_section(results: pd.DataFrame) -> str:
    """The scorecards: a table coloured by the verdicts, the per-column distances (one
    heatmap per kind of synthetic table), the DCR ranges, then per scorecard its real vs
    synthetic marginals and DCR histograms (open when not all green). A report over several
    scenarios draws those only for the scorecards that are not all green: a scorecard's
    small multiples take about a second to draw, and the table and summary plots above
    already place every green one; one scenario's report draws them all."""
    rows = privacy.scorecards(results)
    if not rows:
        return "<p>No privacy scorecards in this run.</p>"
    kinds: dict[tuple[str, ...], list[dict]] = {}
    for row in rows:
        kinds.setdefault(tuple(row["per_column"]), []).append(row)
    one_scenario = results.groupby(["brand", "dgp_type"]).ngroups == 1
    drawn = [row for row in rows if one_scenario or not row["all_green"]]
    details = [
        f"<details{'' if row['all_green'] else ' open'}><summary>{html.escape(row['label'])}: "
        f"{'all green' if row['all_green'] else 'not green: ' + ', '.join(row['failures'])}"
        f"</summary>{figure_svg(privacy.marginal_figure(row))}</details>"
        for row in drawn
    ]
    heading = "<h3>Marginals and distances to the closest record, per scorecard</h3>"
    if len(drawn) < len(rows):
        heading += (
            f"<p>Drawn for the {len(drawn)} of {len(rows)} scorecards that are not all green; "
            "a report of one scenario (<code>e2i-synth validate --brand B --dgp D</code>) "
            "draws every one.</p>"
        )
    return "\n".join(
        [
            privacy.scorecard_table(rows),
            *(figure_svg(privacy.distance_figure(group)) for group in kinds.values()),
            figure_svg(privacy.dcr_figure(rows)),
            heading,
            *details,
        ]
    )


def listed_figures(results: pd.DataFrame) -> list[str]:
    """Each result's figures as listed under "Every check": a scorecard result's per-scorecard
    figures (histograms, quantiles) are drawn in the privacy section, not listed."""
    scorecard = privacy.is_scorecard(results)
    return [
        json.dumps({**json.loads(f), "scorecards": "drawn in the privacy section"})
        if is_card
        else f
        for f, is_card in zip(results["figures"], scorecard, strict=True)
    ]


def render_html(results: pd.DataFrame, title: str = "e2i_synth validation report") -> str:
    failed = results[~results["passed"]]
    runs = ", ".join(sorted(results["run_id"].unique()))
    details = results.assign(
        scenario=results.apply(scenario_label, axis=1), figures=listed_figures(results)
    )[["scenario", "table_name", "check_name", "passed", "message", "figures"]]
    failures = (
        "<ul>"
        + "".join(
            f"<li><b>{html.escape(scenario_label(r))} {html.escape(r['table_name'])}."
            f"{html.escape(r['check_name'])}</b>: {html.escape(r['message'])}</li>"
            for _, r in failed.iterrows()
        )
        + "</ul>"
        if len(failed)
        else "<p>None: every check passed.</p>"
    )
    verdict = "PASSED" if failed.empty else f"FAILED ({len(failed)} checks)"
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; max-width: 1200px; }}
table {{ border-collapse: collapse; font-size: 13px; }}
td, th {{ border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }}
.figures {{ font-family: monospace; font-size: 11px; max-width: 520px; word-break: break-all; }}
</style></head><body>
<h1>{html.escape(title)}: {verdict}</h1>
<p>{len(results)} checks over {results.groupby(["brand", "dgp_type"]).ngroups} scenarios;
generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; Dagster runs: {html.escape(runs)}.</p>
<h2>Summary</h2>
{summary_table(results).to_html(index=False, na_rep="", float_format="{:.3f}".format)}
<h2>Failures</h2>
{failures}
<h2>Causal recovery</h2>
<p>The verdict allows max(0.02, z SE), z (in each estimand's figures) set so that a run of
the {SCENARIOS_PER_RUN} scenarios on correct data fails at most {RUN_FALSE_ALARM:.0%} of the
time; the per-estimand 95% CI is drawn.</p>
{estimate_plot_svg(estimand_rows(results))}
<h2>Privacy and utility of synthesizers</h2>
<p>Each synthetic table against the real rows it was fitted on and real rows never fitted
on: twin populations against their donor HCPs (train and validation splits) and the unseen
HCPs (test and holdout), checked on <code>twin_populations</code>; synthetic journeys, when
the run published them, against the train and holdout patients, checked on
<code>synthetic_journey</code>. Both checks block: a scorecard that is not all green fails
its check above. The attack AUC's gate reads its one-sided 95% lower bound
(AUC - {Z:.3f} SE, DeLong's SE).</p>
{privacy_section(results)}
<h2>Every check</h2>
{details.to_html(index=False, classes="details", escape=True)}
</body></html>
"""


def write_whole(path: Path, text: str) -> None:
    """Write beside `path`, then rename over it: a reader, or another command writing the
    same file at once, sees one whole page, never a mix of two."""
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}-", delete=False
    ) as part:
        part.write(text)
    os.replace(part.name, path)


def write_report(results: pd.DataFrame, reports_dir: Path, stem: str) -> Path:
    """Write `<stem>.html` and point `latest.html` at the same content."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    page = render_html(results)
    path = reports_dir / f"{stem}.html"
    write_whole(path, page)
    write_whole(reports_dir / "latest.html", page)
    return path
