"""The privacy section of the validation report, drawn from the twins' scorecard results:
every number green or red against its limit, the per-column distances and the DCR
distributions (twins vs unseen real HCPs, both to the donors) as plots."""

from __future__ import annotations

import html
import json

import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from e2i_synth.privacy.scorecard import KS_LIMIT
from e2i_synth.privacy.twin_scorecard import DCR_QUANTILES, EVIDENCE, LIMITS, reported

GREEN, RED = "#d4edda", "#f8d7da"
SPREAD = (0.05, 0.95)
"""The DCR plot draws each distribution's 5% to 95% quantile range and its median."""


def scorecards(results: pd.DataFrame) -> list[dict]:
    """One entry per scored population: its figures with the scenario and the limits."""
    rows = []
    for _, r in results[reported(results)].iterrows():
        figures = json.loads(r["figures"])
        scenario = f"{r['brand']}|{r['dgp_type']}"
        for p in figures["populations"]:
            label = scenario if len(figures["populations"]) == 1 else f"{scenario} {p['name']}"
            rows.append({**p, "scenario": scenario, "label": label, "limits": figures["limits"]})
    return rows


def cell(value: float, limit: float | None) -> str:
    if limit is None:
        return f"<td>{value:.3f}</td>"
    ok = value <= limit
    return f'<td style="background:{GREEN if ok else RED}">{value:.3f} {"✓" if ok else "✗"}</td>'


def scorecard_table(rows: list[dict]) -> str:
    """Per population: sizes, each gated number coloured by its limit, the evidence, and
    the failure classes with their causes and suggestions."""
    limits = rows[0]["limits"]  # as recorded with the results
    head = "".join(f"<th>{m} ≤ {limits[m]:g}</th>" for m in LIMITS) + "".join(
        f"<th>{m}</th>" for m in EVIDENCE
    )
    body = []
    for r in rows:
        gated = "".join(cell(r[m], r["limits"][m]) for m in LIMITS)
        evidence = "".join(cell(r[m], None) for m in EVIDENCE)
        diagnosis = "<br>".join(html.escape(d).replace("\n", "<br>") for d in r["diagnosis"])
        body.append(
            f"<tr><td>{html.escape(r['label'])}</td>"
            f"<td>{r['twins']:,} / {r['donors']:,} / {r['unseen']:,}</td>{gated}{evidence}"
            f"<td>{'all green' if r['all_green'] else diagnosis}</td></tr>"
        )
    return (
        "<table><tr><th>population</th><th>twins / donors / unseen HCPs</th>"
        f"{head}<th>verdict</th></tr>{''.join(body)}</table>"
    )


def distance_figure(rows: list[dict]) -> Figure:
    """Per population and column: KS (numeric) or TV (categorical) of twins vs donors,
    green below the limit, red above."""
    distances = pd.DataFrame([r["per_column"] for r in rows], index=[r["label"] for r in rows])
    values = distances.to_numpy(float)
    figure = Figure(figsize=(9, 0.3 * len(rows) + 2.4))
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
    axes.set_title("Twins vs donor HCPs: distance of each column's marginal", fontsize=9)
    figure.tight_layout()
    return figure


def dcr_figure(rows: list[dict]) -> Figure:
    """Distance to the closest donor: twins vs real HCPs the generator never saw, each
    as its 5%-95% range with the median; twins far left of the unseen HCPs sit on donors."""
    low, high, mid = (int(np.abs(DCR_QUANTILES - q).argmin()) for q in (*SPREAD, 0.5))
    figure = Figure(figsize=(9, 0.35 * len(rows) + 1.4))
    axes = figure.subplots()
    y = np.arange(len(rows))[::-1]
    for offset, key, color, label in (
        (0.15, "dcr_twins", "#d62728", "twins"),
        (-0.15, "dcr_unseen", "grey", "unseen real HCPs"),
    ):
        q = np.array([r[key] for r in rows])
        axes.hlines(y + offset, q[:, low], q[:, high], color=color, linewidth=3, label=label)
        axes.scatter(q[:, mid], y + offset, color="black", s=10, zorder=3)
    axes.set_yticks(y, [r["label"] for r in rows], fontsize=7)
    axes.set_xlabel("distance to the closest donor HCP (5%-95% range, median dot)")
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7)
    axes.set_title("Distance to closest record: twins vs HCPs never fitted on", fontsize=9)
    figure.tight_layout()
    return figure
