"""The privacy section of the validation report, drawn from the scorecard results of a run
(twin populations, and synthetic journeys when the run published them): every number green
or red against its limit, the per-column distances and the DCR ranges of all scorecards,
and per scorecard its real vs synthetic marginals and DCR histograms. `SECTION` is what
privacy adds to the report (`validation.report.ReportSection`)."""

from __future__ import annotations

import html
import json

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from e2i_synth.privacy import twin_scorecard
from e2i_synth.privacy.results import EVIDENCE, JOURNEY_CHECK, JOURNEY_TABLE, LIMITS
from e2i_synth.privacy.scorecard import DCR_QUANTILES, Z
from e2i_synth.validation.report import ReportSection, figure_svg

GREEN, RED = "#d4edda", "#f8d7da"
REAL_COLOR, SYNTHETIC_COLOR = "#7f7f7f", "#d62728"
PANELS_PER_ROW = 6
SPREAD = (0.05, 0.95)
"""The DCR plot draws each distribution's 5% to 95% quantile range and its median."""


SCORECARD_RESULTS = {
    (twin_scorecard.TABLE, twin_scorecard.CHECK): "twins",
    (JOURNEY_TABLE, JOURNEY_CHECK): "synthetic journeys",
}
"""The checks whose results hold scorecards, and what their synthetic rows are."""


def is_scorecard(results: pd.DataFrame) -> pd.Series:
    """Which `validation_results` rows hold scorecards."""
    keys = pd.Series(list(zip(results["table_name"], results["check_name"], strict=True)))
    return keys.isin(list(SCORECARD_RESULTS)).to_numpy()


def scorecards(results: pd.DataFrame) -> list[dict]:
    """One entry per judged scorecard: its figures with the scenario, a label (scenario and
    what was synthesized) and the limits."""
    rows = []
    for _, r in results[is_scorecard(results)].iterrows():
        figures = json.loads(r["figures"])
        scenario = f"{r['brand']}|{r['dgp_type']}"
        kind = SCORECARD_RESULTS[(r["table_name"], r["check_name"])]
        many = len(figures["scorecards"]) > 1
        for card in figures["scorecards"]:
            label = f"{scenario} {card['name']}" if many else f"{scenario} {kind}"
            rows.append({**card, "scenario": scenario, "label": label, "limits": figures["limits"]})
    return rows


def cell(text: str, ok: bool | None = None) -> str:
    if ok is None:
        return f"<td>{text}</td>"
    return f'<td style="background:{GREEN if ok else RED}">{text} {"✓" if ok else "✗"}</td>'


def gated_cell(row: dict, metric: str) -> str:
    """A gated number coloured by the verdict recorded with it; the attack AUC with its SE
    (its gate reads the lower bound, AUC - z SE)."""
    text = f"{row[metric]:.3f}"
    if metric == "mia_auc":
        text += f" ± {row['mia_auc_se']:.3f}"
    return cell(text, row["passed"][metric])


def header(metric: str, limit: float) -> str:
    if metric == "mia_auc":
        return f"<th>mia_auc ± SE (AUC - {Z:.3f} SE ≤ {limit:g})</th>"
    return f"<th>{metric} ≤ {limit:g}</th>"


def scorecard_table(rows: list[dict]) -> str:
    """Per scorecard: sizes, each gated number coloured by its verdict, the evidence, the
    failure classes, and under a failing one its causes and suggestions."""
    limits = rows[0]["limits"]  # as recorded with the results
    gates = [m for m in LIMITS if m in limits]  # results recorded before a gate lack it
    evidence = [m for m in EVIDENCE if m != "mia_auc_se"]  # shown with the AUC
    head = "".join(header(m, limits[m]) for m in gates) + "".join(f"<th>{m}</th>" for m in evidence)
    body = []
    for r in rows:
        gated = "".join(gated_cell(r, m) for m in gates)
        shown = "".join(cell(f"{r[m]:.3f}") for m in evidence)
        n = r["rows"]
        verdict = "all green" if r["all_green"] else ", ".join(r["failures"])
        body.append(
            f"<tr><td>{html.escape(r['label'])}</td>"
            f"<td>{n['synthetic']:,} / {n['train']:,} / {n['holdout']:,}</td>{gated}{shown}"
            f"<td>{verdict}</td></tr>"
        )
        if r["diagnosis"]:
            diagnosis = "<br>".join(html.escape(d).replace("\n", "<br>") for d in r["diagnosis"])
            span = 3 + len(gates) + len(evidence)
            body.append(f'<tr><td></td><td colspan="{span - 1}">{diagnosis}</td></tr>')
    return (
        "<table><tr><th>scorecard</th><th>synthetic / training / unseen real rows</th>"
        f"{head}<th>verdict</th></tr>{''.join(body)}</table>"
    )


GATE_OF_KIND = {"numeric": "ks_mean", "categorical": "tv_mean"}
"""A column's distance counts in the mean KS (numeric) or mean TV (categorical) gate."""
DARKEST = 2.0
"""A cell's shade deepens with its distance up to this many times its gate's limit."""


def cell_verdicts(row: dict, columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per column of one scorecard: whether the gate its distance counts in passed, and the
    distance over that gate's limit, both as recorded with the scorecard."""
    gates = [GATE_OF_KIND.get(row["marginals"][c]["kind"], "tv_mean") for c in columns]
    passed = np.array([row["passed"][g] for g in gates], dtype=bool)
    limits = np.array([row["limits"][g] for g in gates], dtype=float)
    values = np.array([row["per_column"][c] for c in columns], dtype=float)
    return passed, values / limits


def verdict_colours(passed: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    """RGBA per cell: green where its gate passed, red where it failed, deeper the further
    the distance runs toward `DARKEST` times the limit."""
    depth = np.clip(np.nan_to_num(ratio), 0.0, DARKEST) / DARKEST
    green, red = colormaps["Greens"](0.15 + 0.6 * depth), colormaps["Reds"](0.25 + 0.6 * depth)
    return np.where(passed[..., None], green, red)


def distance_figure(rows: list[dict]) -> Figure:
    """Per scorecard and column: KS (numeric) or TV (categorical) of synthetic vs training
    rows (scorecards of one kind: the same columns). Each cell is coloured by its own
    scorecard's verdict on the gate it counts in, against that gate's recorded limit: a
    column far from its marginal in a scorecard whose mean passed is deep green, not red."""
    distances = pd.DataFrame([r["per_column"] for r in rows], index=[r["label"] for r in rows])
    columns = list(distances.columns)
    verdicts = [cell_verdicts(r, columns) for r in rows]
    colours = np.stack([verdict_colours(passed, ratio) for passed, ratio in verdicts])
    figure = Figure(figsize=(9, 0.3 * len(rows) + 2.8))
    axes = figure.subplots()
    axes.imshow(colours, aspect="auto")
    for (i, j), v in np.ndenumerate(distances.to_numpy(float)):
        axes.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=6)
    axes.set_xticks(range(len(columns)), columns, rotation=40, ha="right")
    axes.set_yticks(range(len(rows)), distances.index, fontsize=7)
    axes.tick_params(axis="x", labelsize=7)
    limits = rows[0]["limits"]
    axes.legend(
        handles=[
            Patch(color=colormaps["Greens"](0.6), label="its scorecard's mean within limit"),
            Patch(color=colormaps["Reds"](0.6), label="its scorecard's mean over limit"),
        ],
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=7,
        title=f"mean KS ≤ {limits['ks_mean']:g}, mean TV ≤ {limits['tv_mean']:g}",
        title_fontsize=7,
    )
    axes.set_title(
        "Synthetic vs training rows: distance of each column's marginal (deeper: larger)",
        fontsize=9,
    )
    figure.tight_layout()
    return figure


def dcr_figure(rows: list[dict]) -> Figure:
    """Distance to the closest training row: synthetic rows vs real rows never fitted on,
    each as its 5%-95% range with the median; synthetic rows far left of the unseen ones
    sit on training rows."""
    low, high, mid = (int(np.abs(DCR_QUANTILES - q).argmin()) for q in (*SPREAD, 0.5))
    figure = Figure(figsize=(9, 0.35 * len(rows) + 1.4))
    axes = figure.subplots()
    y = np.arange(len(rows))[::-1]
    for offset, key, color, label in (
        (0.15, "dcr_synthetic", SYNTHETIC_COLOR, "synthetic rows"),
        (-0.15, "dcr_holdout", REAL_COLOR, "unseen real rows"),
    ):
        q = np.array([r[key] for r in rows])
        axes.hlines(y + offset, q[:, low], q[:, high], color=color, linewidth=3, label=label)
        axes.scatter(q[:, mid], y + offset, color="black", s=10, zorder=3)
    axes.set_yticks(y, [r["label"] for r in rows], fontsize=7)
    axes.set_xlabel("distance to the closest training row (5%-95% range, median dot)")
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7)
    axes.set_title("Distance to closest record: synthetic vs real rows never fitted on", fontsize=9)
    figure.tight_layout()
    return figure


def tag(container, gid: str) -> None:
    """Name each bar of a series `<gid>-<i>`: its id in the SVG."""
    for i, patch in enumerate(container.patches):
        patch.set_gid(f"{gid}-{i}")


def bars(axes, centres: np.ndarray, width: float, real: list, synthetic: list, gid: str) -> None:
    """Real and synthetic shares side by side at each centre, each series tagged `gid-side`."""
    for offset, values, color, side in (
        (-width / 4, real, REAL_COLOR, "real"),
        (width / 4, synthetic, SYNTHETIC_COLOR, "synthetic"),
    ):
        container = axes.bar(centres + offset, values, width / 2, color=color, label=side)
        tag(container, f"{gid}-{side}")


def marginal_panel(axes, column: str, marginal: dict, distance: float) -> None:
    """One column: shares per bin (numeric) or per category, real beside synthetic."""
    gid = f"marginal-{column}"
    if marginal["kind"] == "numeric":
        edges = np.asarray(marginal["edges"])
        centres, widths = (edges[:-1] + edges[1:]) / 2, np.diff(edges)
        bars(axes, centres, float(widths.min()), marginal["real"], marginal["synthetic"], gid)
        axes.set_title(f"{column}\nKS {distance:.2f}", fontsize=7)
    else:
        centres = np.arange(len(marginal["categories"]), dtype=float)
        bars(axes, centres, 0.8, marginal["real"], marginal["synthetic"], gid)
        axes.set_xticks(centres, marginal["categories"], rotation=60, ha="right", fontsize=5)
        axes.set_title(f"{column}\nTV {distance:.2f}", fontsize=7)
    axes.tick_params(labelsize=5)


def dcr_panel(axes, histogram: dict) -> None:
    """Distance to the closest training row, synthetic vs unseen real rows, as shares."""
    edges = np.asarray(histogram["edges"])
    centres, width = (edges[:-1] + edges[1:]) / 2, float(np.diff(edges).min())
    for values, color, side, gid in (
        (histogram["holdout"], REAL_COLOR, "unseen real rows", "dcr-holdout"),
        (histogram["synthetic"], SYNTHETIC_COLOR, "synthetic rows", "dcr-synthetic"),
    ):
        container = axes.bar(centres, values, width, color=color, alpha=0.55, label=side)
        tag(container, gid)
    axes.set_title("distance to closest\ntraining row (DCR)", fontsize=7)
    axes.legend(fontsize=5)
    axes.tick_params(labelsize=5)


def marginal_figure(row: dict) -> Figure:
    """Small multiples of one scorecard: each column's real (training) vs synthetic shares
    with its KS or TV, then the DCR histograms of synthetic and unseen real rows."""
    columns = list(row["marginals"])
    panels = len(columns) + 1
    rows = -(-panels // PANELS_PER_ROW)
    figure = Figure(figsize=(9, 1.7 * rows + 0.5))
    grid = figure.subplots(rows, PANELS_PER_ROW, squeeze=False).ravel()
    for axes, column in zip(grid, columns, strict=False):
        marginal_panel(axes, column, row["marginals"][column], row["per_column"][column])
    dcr_panel(grid[len(columns)], row["dcr_histogram"])
    for axes in grid[panels:]:
        axes.set_visible(False)
    handles = grid[0].get_legend_handles_labels()[0]
    figure.legend(handles, ["real (training rows)", "synthetic"], loc="upper right", fontsize=7)
    figure.suptitle(
        f"{row['label']}: real vs synthetic marginals (shares)", fontsize=9, x=0.02, ha="left"
    )
    figure.tight_layout(rect=(0, 0, 1, 0.97))
    return figure


def section_html(results: pd.DataFrame) -> str:
    """The scorecards: a table coloured by the verdicts, the per-column distances (one
    heatmap per kind of synthetic table), the DCR ranges, then per scorecard its real vs
    synthetic marginals and DCR histograms (open when not all green). A report over several
    scenarios draws those only for the scorecards that are not all green: a scorecard's
    small multiples take about a second to draw, and the table and summary plots above
    already place every green one; one scenario's report draws them all."""
    intro = (
        "<p>Each synthetic table against the real rows it was fitted on and real rows never "
        "fitted on: twin populations against their donor HCPs (train and validation splits) "
        "and the unseen HCPs (test and holdout), checked on <code>twin_populations</code>; "
        "synthetic journeys, when the run published them, against the train and holdout "
        "patients, checked on <code>synthetic_journey</code>. Both checks block: a scorecard "
        "that is not all green fails its check above. The attack AUC's gate reads its "
        f"one-sided 95% lower bound (AUC - {Z:.3f} SE, DeLong's SE).</p>"
    )
    rows = scorecards(results)
    if not rows:
        return f"{intro}\n<p>No privacy scorecards in this run.</p>"
    kinds: dict[tuple[str, ...], list[dict]] = {}
    for row in rows:
        kinds.setdefault(tuple(row["per_column"]), []).append(row)
    one_scenario = results.groupby(["brand", "dgp_type"]).ngroups == 1
    drawn = [row for row in rows if one_scenario or not row["all_green"]]
    details = [
        f"<details{'' if row['all_green'] else ' open'}><summary>{html.escape(row['label'])}: "
        f"{'all green' if row['all_green'] else 'not green: ' + ', '.join(row['failures'])}"
        f"</summary>{figure_svg(marginal_figure(row))}</details>"
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
            intro,
            scorecard_table(rows),
            *(figure_svg(distance_figure(group)) for group in kinds.values()),
            figure_svg(dcr_figure(rows)),
            heading,
            *details,
        ]
    )


SECTION = ReportSection(
    "privacy",
    "Privacy and utility of synthesizers",
    section_html,
    draws=is_scorecard,
    drawn_figures=("scorecards",),
)
"""What privacy adds to the run's report: its scorecards, drawn rather than listed."""
