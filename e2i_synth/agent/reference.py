"""Reference agents without an LLM, working through the MCP tools alone (list, describe,
query): a scripted competent analyst, proof that every suite is solvable, and a naive
analyst who reads effects off raw contrasts. Both answer the data, gap and drift tasks the
same way; they differ only in how they estimate effects.

    e2i-synth agent eval --agent e2i_synth.agent.reference:competent_analyst
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd
from mcp.client.session import ClientSession

from e2i_synth.agent.client import call

TREATMENT, OUTCOME, SEGMENT = "engaged", "treatment_initiated", "region"
BASELINE_NOTE = "baseline"


async def sql(session: ClientSession, text: str) -> pd.DataFrame:
    result = await call(session, "query", sql=text)
    if result["truncated"]:
        raise RuntimeError(f"more than {result['row_cap']} rows; aggregate in SQL")
    return pd.DataFrame(result["rows"], columns=result["columns"])


def scenario_filter(task: dict, alias: str = "") -> str:
    brand, _, dgp = task["scenario"].partition("|")
    prefix = f"{alias}." if alias else ""
    return f"{prefix}brand = '{brand}' AND {prefix}dgp_type = '{dgp}'"


def quoted(question: str, after: str) -> str:
    """The first '...' value after `after` in the question."""
    return re.search(after + r"[^']*'([^']+)'", question).group(1)


def number(question: str, pattern: str) -> float:
    return float(re.search(pattern, question).group(1))


# --- data, gap and drift: the same for both analysts -------------------------------------


async def data_answer(task: dict, session: ClientSession) -> dict:
    q, where, name = task["question"], scenario_filter(task), task["task_id"].rsplit("/", 1)[1]
    if name == "initiated_in_region":
        region = quoted(q, "region")
        frame = await sql(
            session,
            f"SELECT count(*) AS n FROM patient_journeys WHERE {where} "
            f"AND region = '{region}' AND treatment_initiated",
        )
        return {"count": int(frame["n"].iloc[0])}
    if name == "hcps_in_specialty_tier":
        specialty, tier = quoted(q, "specialty"), int(number(q, r"priority tier (\d+)"))
        frame = await sql(
            session,
            f"SELECT count(*) AS n FROM hcp_profiles WHERE {where} "
            f"AND specialty = '{specialty}' AND priority_tier = {tier}",
        )
        return {"count": int(frame["n"].iloc[0])}
    if name == "top_specialties":
        n = int(number(q, r"which (\d+) HCP specialties"))
        frame = await sql(
            session,
            f"SELECT h.specialty, count(*) AS n FROM patient_journeys p JOIN hcp_profiles h "
            f"USING (hcp_id) WHERE {scenario_filter(task, 'p')} GROUP BY h.specialty "
            f"ORDER BY n DESC, h.specialty LIMIT {n}",
        )
        return {"values": frame["specialty"].tolist()}
    if name == "top_hcps_by_events":
        n, event = int(number(q, r"which (\d+) hcp_ids")), quoted(q, "event_type")
        frame = await sql(
            session,
            f"SELECT hcp_id, count(*) AS n FROM treatment_events WHERE {where} "
            f"AND event_type = '{event}' GROUP BY hcp_id ORDER BY n DESC, hcp_id LIMIT {n}",
        )
        return {"values": frame["hcp_id"].tolist()}
    if name == "most_engaged_region":
        frame = await sql(
            session,
            f"SELECT region, avg(engaged::INTEGER) AS share FROM patient_journeys WHERE {where} "
            "GROUP BY region ORDER BY share DESC, region LIMIT 1",
        )
        return {"value": frame["region"].iloc[0]}
    raise ValueError(f"no script for data task {name}")


def last_run_below(series: pd.Series, threshold: float) -> pd.Series:
    """The trailing run of a series' values below `threshold` (empty if the last is not)."""
    above = series.ge(threshold)
    last_above = above[above].index.max() if above.any() else None
    return series if last_above is None else series[series.index > last_above]


async def gap_answer(task: dict, session: ClientSession) -> dict:
    metric = quoted(task["question"], "plan for the metric")
    frame = await sql(
        session,
        f"SELECT region, strftime(metric_date, '%Y-%m') AS month, sum(value) / sum(target) "
        f"AS rate FROM business_metrics WHERE {scenario_filter(task)} AND metric_name = "
        f"'{metric}' GROUP BY region, month ORDER BY region, month",
    )
    rates = frame.pivot(index="month", columns="region", values="rate").sort_index()
    region = rates.tail(6).mean().idxmin()
    run = last_run_below(rates[region], 0.5 * (1 + rates[region].tail(6).mean()))
    return {"region": region, "start_month": run.index[0], "achievement_rate": float(run.mean())}


async def drift_answer(task: dict, session: ClientSession) -> dict:
    frame = await sql(
        session,
        "SELECT f.feature_name AS feature, date_trunc('week', v.event_timestamp) AS week, "
        "sum(TRY_CAST(v.value AS DOUBLE)) AS total, count(TRY_CAST(v.value AS DOUBLE)) AS n "
        "FROM feature_values v JOIN features f USING (feature_id) "
        f"WHERE {scenario_filter(task, 'v')} GROUP BY feature, week ORDER BY feature, week",
    )
    best = (0.0, "", "", 1.0)
    for feature, weeks in frame[frame["n"] > 0].groupby("feature"):
        total, n = weeks["total"].to_numpy(float), weeks["n"].to_numpy(float)
        before_total, before_n = np.cumsum(total)[:-1], np.cumsum(n)[:-1]
        after_total, after_n = total.sum() - before_total, n.sum() - before_n
        usable = (before_n >= 0.1 * n.sum()) & (after_n >= 0.1 * n.sum()) & (before_total != 0)
        if not usable.any():
            continue
        with np.errstate(divide="ignore", invalid="ignore"):  # unusable splits are masked
            ratio = np.where(usable, (after_total / after_n) / (before_total / before_n), 1.0)
        shift = np.abs(np.log(np.where(ratio > 0, ratio, 1.0)))
        i = int(np.argmax(shift))
        if shift[i] > best[0]:
            best = (shift[i], feature, str(weeks["week"].iloc[i + 1])[:10], float(ratio[i]))
    return {"feature": best[1], "start_date": best[2], "ratio": best[3]}


# --- effects: where the two analysts differ ----------------------------------------------

Effects = Callable[[pd.DataFrame], pd.Series]
"""Patients (one row each) -> each patient's estimated effect of the treatment."""


async def patients(session: ClientSession, task: dict, baseline: list[str]) -> pd.DataFrame:
    columns = ", ".join(
        dict.fromkeys(["patient_id", "hcp_id", TREATMENT, OUTCOME, SEGMENT, *baseline])
    )
    frame = await sql(
        session, f"SELECT {columns} FROM patient_journeys WHERE {scenario_filter(task)}"
    )
    frame[TREATMENT] = frame[TREATMENT].astype(float)
    return frame


async def baseline_columns(session: ClientSession) -> list[str]:
    """The treatment table's columns recorded at baseline, from its data dictionary."""
    info = await call(session, "describe_table", name="patient_journeys")
    return [
        c["name"]
        for c in info["columns"]
        if BASELINE_NOTE in c.get("note", "") and not c["type"].startswith(("DATE", "TIMESTAMP"))
    ]


def adjusted_effects(frame: pd.DataFrame, baseline: list[str]) -> pd.Series:
    """Regression adjustment for the baseline covariates, the effect free to differ by
    segment (OLS with treatment x segment terms): each patient's predicted Y(1) - Y(0)."""
    import statsmodels.formula.api as smf

    data = frame.dropna(subset=[OUTCOME]).copy()
    data[OUTCOME] = data[OUTCOME].astype(float)
    terms = [f"C({c})" if data[c].dtype == object else f"{c}" for c in baseline if c != SEGMENT]
    for c in baseline:
        if data[c].dtype == bool:
            data[c] = data[c].astype(float)
    fit = smf.ols(f"{OUTCOME} ~ {TREATMENT} * C({SEGMENT}) + {' + '.join(terms)}", data).fit()
    full = frame.copy()
    for c in baseline:
        if full[c].dtype == bool:
            full[c] = full[c].astype(float)
    effect = fit.predict(full.assign(**{TREATMENT: 1.0})) - fit.predict(
        full.assign(**{TREATMENT: 0.0})
    )
    return pd.Series(effect.to_numpy(), index=frame.index)


def raw_contrast(frame: pd.DataFrame) -> float:
    means = frame.dropna(subset=[OUTCOME]).groupby(TREATMENT)[OUTCOME].mean().astype(float)
    return float(means.get(1.0, np.nan) - means.get(0.0, np.nan))


def raw_effects(frame: pd.DataFrame, baseline: list[str]) -> pd.Series:
    """The raw contrast of the patient's segment (treated minus untreated mean outcome)."""
    by_segment = frame.groupby(SEGMENT).apply(raw_contrast, include_groups=False)
    return frame[SEGMENT].map(by_segment).astype(float)


async def causal_answer(task: dict, session: ClientSession, adjust: bool) -> dict:
    baseline = await baseline_columns(session)
    frame = await patients(session, task, baseline)
    effects = (adjusted_effects if adjust else raw_effects)(frame, baseline)
    ate = float(effects.mean()) if adjust else raw_contrast(frame)
    used = baseline if adjust else []
    name, q = task["task_id"].rsplit("/", 1)[1], task["question"]
    if name == "ate":
        return {"ate": ate, "adjusted_for": used}
    if name == "trap":
        colleague = number(q, r"reports (-?\d+\.\d+)")
        tolerance = number(q, r"within (\d+\.\d+) of the truth")
        return {"colleague_is_right": abs(colleague - ate) <= tolerance, "ate": ate}
    if name == "cate_ranking":
        by_segment = effects.groupby(frame[SEGMENT]).mean().sort_values(ascending=False)
        return {"order": [str(v) for v in by_segment.index]}
    if name == "hcps_to_engage":
        budget = int(number(q, r"exactly (\d+) HCPs"))
        if adjust:
            gains = effects.groupby(frame["hcp_id"]).sum()
        else:  # each HCP's own raw contrast, times its patients
            contrast = frame.groupby("hcp_id").apply(raw_contrast, include_groups=False)
            gains = contrast.fillna(0.0) * frame.groupby("hcp_id").size()
        hcps = await sql(session, f"SELECT hcp_id FROM hcp_profiles WHERE {scenario_filter(task)}")
        gains = gains.reindex(hcps["hcp_id"], fill_value=0.0)
        ranked = gains.rename("gain").rename_axis("hcp_id").reset_index()
        ranked = ranked.sort_values(["gain", "hcp_id"], ascending=[False, True])
        return {"hcp_ids": ranked["hcp_id"].head(budget).tolist()}
    raise ValueError(f"no script for causal task {name}")


async def analyst(task: dict, session: ClientSession, adjust: bool) -> dict:
    suite = task["suite"]
    if suite == "data":
        return await data_answer(task, session)
    if suite == "gap":
        return await gap_answer(task, session)
    if suite == "drift":
        return await drift_answer(task, session)
    return await causal_answer(task, session, adjust)


async def competent_analyst(task: dict, session: ClientSession) -> dict:
    """Adjusts for the baseline covariates (never for what is recorded after the
    treatment), lets the effect differ by segment, and targets by estimated gain."""
    return await analyst(task, session, adjust=True)


async def naive_analyst(task: dict, session: ClientSession) -> dict:
    """Reads effects off raw contrasts: treated minus untreated, no adjustment."""
    return await analyst(task, session, adjust=False)
