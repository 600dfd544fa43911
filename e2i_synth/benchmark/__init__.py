"""The causal benchmark: suites of DGP variants, estimators run on their analysis tables,
scored against the exact truth (bias, RMSE, CI coverage). Pure: no Dagster."""
