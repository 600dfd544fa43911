"""The run's HTML report: the validation report with the sections the other domains add.

The one registry of report sections. The validation report renders any `ReportSection`
it is handed and imports none; each domain that draws part of the report defines its
section, and this list, above the domains, puts them in the page's order.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from e2i_synth.privacy.report import SECTION as PRIVACY
from e2i_synth.validation import report
from e2i_synth.validation.report import ReportSection

SECTIONS: tuple[ReportSection, ...] = (PRIVACY,)
"""The domains' sections, in page order, after the checks' own."""


def render_html(results: pd.DataFrame) -> str:
    return report.render_html(results, SECTIONS)


def write_report(results: pd.DataFrame, reports_dir: Path, stem: str) -> Path:
    """`<stem>.html` and `latest.html` under `reports_dir`, every section included."""
    return report.write_report(results, reports_dir, stem, SECTIONS)
