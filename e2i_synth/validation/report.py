"""A self-contained HTML report of a run's `validation_results`: one file a user can open.

A table of contents, a summary per scenario, every failure in full, a plot of each
estimate with its 95% interval against the truth (naive estimate beside it), the sections
other domains add (`ReportSection`: the privacy scorecards of the run's synthetic rows,
from `e2i_synth.privacy.report`), and every check's figures.
"""

from __future__ import annotations

import html
import io
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure

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


@dataclass(frozen=True)
class ReportSection:
    """One part of the report: its heading (and anchor, for the contents), its HTML drawn
    from the run's results, and which results it draws (their figures are not listed again
    under "Every check"). The report's own sections are `CHECK_SECTIONS`; other domains
    hand theirs to `render_html` (see `e2i_synth.run_report`), so the report imports none
    of them."""

    anchor: str
    title: str
    render: Callable[[pd.DataFrame], str]
    draws: Callable[[pd.DataFrame], np.ndarray] | None = None
    """Which results' figures the section draws (a boolean per result row)."""
    drawn_figures: tuple[str, ...] = ()
    """The keys of those figures it draws, so "Every check" does not list them again."""


def summary_section(results: pd.DataFrame) -> str:
    return summary_table(results).to_html(index=False, na_rep="", float_format="{:.3f}".format)


def failures_section(results: pd.DataFrame) -> str:
    failed = results[~results["passed"]]
    if failed.empty:
        return "<p>None: every check passed.</p>"
    return (
        "<ul>"
        + "".join(
            f"<li><b>{html.escape(scenario_label(r))} {html.escape(r['table_name'])}."
            f"{html.escape(r['check_name'])}</b>: {html.escape(r['message'])}</li>"
            for _, r in failed.iterrows()
        )
        + "</ul>"
    )


def causal_section(results: pd.DataFrame) -> str:
    return (
        "<p>The verdict allows max(0.02, z SE), z (in each estimand's figures) set so that a "
        f"run of the {SCENARIOS_PER_RUN} scenarios on correct data fails at most "
        f"{RUN_FALSE_ALARM:.0%} of the time; the per-estimand 95% CI is drawn.</p>\n"
        + estimate_plot_svg(estimand_rows(results))
    )


CHECK_SECTIONS = (
    ReportSection("summary", "Summary", summary_section),
    ReportSection("failures", "Failures", failures_section),
    ReportSection("causal-recovery", "Causal recovery", causal_section),
)
"""The report's own sections, before any a domain adds; "Every check" closes the page."""
EVERY_CHECK = "every-check"


def listed_figures(results: pd.DataFrame, sections: Sequence[ReportSection]) -> list[str]:
    """Each result's figures as listed under "Every check"; a result a section draws (a
    privacy scorecard's histograms and quantiles) is named there instead."""
    listed = list(results["figures"])
    for section in sections:
        if section.draws is None:
            continue
        note = f"drawn in the {section.anchor} section"
        for i in np.flatnonzero(section.draws(results)):
            figures = json.loads(listed[i])
            listed[i] = json.dumps(
                {**figures, **{key: note for key in section.drawn_figures if key in figures}}
            )
    return listed


def every_check_section(results: pd.DataFrame, sections: Sequence[ReportSection]) -> str:
    details = results.assign(
        scenario=results.apply(scenario_label, axis=1), figures=listed_figures(results, sections)
    )[["scenario", "table_name", "check_name", "passed", "message", "figures"]]
    return details.to_html(index=False, classes="details", escape=True)


def contents(sections: Sequence[ReportSection]) -> str:
    """The table of contents: a link to each section's anchor (static HTML, no script)."""
    items = "".join(f'<li><a href="#{s.anchor}">{html.escape(s.title)}</a></li>' for s in sections)
    return f'<nav id="contents"><h2>Contents</h2><ol>{items}</ol></nav>'


def heading(anchor: str, title: str) -> str:
    return (
        f'<h2 id="{anchor}">{html.escape(title)} '
        '<a class="top" href="#contents" title="back to the contents">↑</a></h2>'
    )


def render_html(
    results: pd.DataFrame,
    sections: Sequence[ReportSection] = (),
    title: str = "e2i_synth validation report",
) -> str:
    """The page: the verdict, the contents, the report's own sections, then `sections`
    (each domain's, in the order given), then every check with its figures."""
    failed = results[~results["passed"]]
    runs = ", ".join(sorted(results["run_id"].unique()))
    verdict = "PASSED" if failed.empty else f"FAILED ({len(failed)} checks)"
    shown = [*CHECK_SECTIONS, *sections]
    listed = ReportSection(EVERY_CHECK, "Every check", lambda r: every_check_section(r, shown))
    parts = "\n".join(
        f"{heading(s.anchor, s.title)}\n{s.render(results)}" for s in (*shown, listed)
    )
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; max-width: 1200px; }}
table {{ border-collapse: collapse; font-size: 13px; }}
td, th {{ border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }}
.figures {{ font-family: monospace; font-size: 11px; max-width: 520px; word-break: break-all; }}
a.top {{ font-size: 13px; text-decoration: none; color: #888; }}
</style></head><body>
<h1>{html.escape(title)}: {verdict}</h1>
<p>{len(results)} checks over {results.groupby(["brand", "dgp_type"]).ngroups} scenarios;
generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; Dagster runs: {html.escape(runs)}.</p>
{contents((*shown, listed))}
{parts}
</body></html>
"""


def write_whole(path: Path, text: str) -> None:
    """Write beside `path`, then rename over it: a reader, or another command writing the
    same file at once, sees one whole page, never a mix of two."""
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}-", delete=False
    ) as part:
        part.write(text)
    # a temporary file is private (0600); a report is for whoever may read the folder
    os.chmod(part.name, 0o644)
    os.replace(part.name, path)


def write_report(
    results: pd.DataFrame,
    reports_dir: Path,
    stem: str,
    sections: Sequence[ReportSection] = (),
) -> Path:
    """Write `<stem>.html` (with the domains' `sections`) and point `latest.html` at the
    same content."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    page = render_html(results, sections)
    path = reports_dir / f"{stem}.html"
    write_whole(path, page)
    write_whole(reports_dir / "latest.html", page)
    return path
