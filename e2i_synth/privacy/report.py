"""The privacy section of the validation report, drawn from the scorecard results of a run
(twin populations, and synthetic journeys when the run published them): every number green
or red against its limit, the per-column distances and the DCR ranges of all scorecards,
and per scorecard its real vs synthetic marginals and DCR histograms."""

from __future__ import annotations

import html
import json

import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from e2i_synth.privacy import twin_scorecard
from e2i_synth.privacy.results import EVIDENCE, JOURNEY_CHECK, JOURNEY_TABLE, LIMITS
from e2i_synth.privacy.scorecard import DCR_QUANTILES, KS_LIMIT, Z

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


def distance_figure(rows: list[dict]) -> Figure:
    """Per scorecard and column: KS (numeric) or TV (categorical) of synthetic vs training
    rows, green below the limit, red above (scorecards of one kind: the same columns)."""
    distances = pd.DataFrame([r["per_column"] for r in rows], index=[r["label"] for r in rows])
    values = distances.to_numpy(float)
    figure = Figure(figsize=(9, 0.3 * len(rows) + 2.8))
    axes = figure.subplots()
    top = max(2 * KS_LIMIT, float(np.nanmax(values)))
    image = axes.imshow(
        values, cmap="RdYlGn_r", norm=TwoSlopeNorm(KS_LIMIT, 0.0, top), aspect="auto"
    )
    for (i, j), v in np.ndenumerate(values):
        axes.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=6)
    axes.set_xticks(range(len(distances.columns)), distances.columns, rotation=40, ha="right")
    axes.set_yticks(range(len(rows)), distances.index, fontsize=7)
    axes.tick_params(axis="x", labelsize=7)
    figure.colorbar(image, ax=axes, label=f"KS / TV (limit {KS_LIMIT:g})")
    axes.set_title("Synthetic vs training rows: distance of each column's marginal", fontsize=9)
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
